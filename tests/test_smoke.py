from models.permissions import Role
from tests.client import GraphQLClient, assert_unauthenticated
from tests.factories import staff

ME = "query { me { __typename ... on User { name roles } } }"


async def test_me_requires_sign_in(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(ME))


async def test_me_returns_the_user(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN, name="Ada Admin")
    data = await gql(ME, token=admin.token)
    assert data["me"] == {"__typename": "User", "name": "Ada Admin", "roles": ["ADMIN"]}
