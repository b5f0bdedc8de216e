"""Changing staff through the API as an admin does, for tests whose subject comes after."""

from __future__ import annotations

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid

UPDATE_ROLES = """mutation($id: ID!, $roles: [Role!]) {
  updateUser(input: {id: $id, roles: $roles}) { userErrors { code } }
}"""


async def set_roles(gql: GraphQLClient, admin: Person, person: Person, *roles: Role) -> None:
    """`admin` gives `person` exactly these roles."""
    variables = {"id": gid("User", person.id), "roles": [role.value for role in roles]}
    data = await gql(UPDATE_ROLES, variables, token=admin.token)
    assert data["updateUser"]["userErrors"] == []
