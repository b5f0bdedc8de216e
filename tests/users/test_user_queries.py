"""users and teams lists: who may read them, filters, paging, statement counts."""

from __future__ import annotations

import pytest

from models import users
from models.permissions import Role
from models.validation import MAX_SEARCH
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_codes,
    node_names,
)
from tests.conftest import StatementCounter
from tests.factories import make_account, make_user, portal_contact, staff
from tests.ids import gid

USERS = """
query Users($filter: UserFilter, $first: Int, $after: String, $last: Int, $before: String) {
  users(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id name roles isActive }
  }
}
"""

USERS_WITH_TEAMS = """
query {
  users(first: 100) {
    nodes { id name roles teams { name } managedAccounts { totalCount } }
  }
}
"""

TEAMS = """
query Teams($first: Int, $after: String) {
  teams(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name leader { name } members { name } }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id ... on User { name } } }"


@pytest.mark.parametrize("query", [USERS, TEAMS])
async def test_anonymous_cannot_list_staff(gql: GraphQLClient, query: str) -> None:
    assert_unauthenticated(await gql.raw(query))


@pytest.mark.parametrize("query", [USERS, TEAMS])
async def test_portal_contact_cannot_list_staff(gql: GraphQLClient, query: str) -> None:
    # given
    contact = await portal_contact(await make_account())

    # when
    body = await gql.raw(query, token=contact.token)

    # then
    assert_forbidden(body)


async def test_portal_contact_cannot_fetch_a_user_by_id(gql: GraphQLClient) -> None:
    # given
    colleague = await make_user(Role.ADMIN)
    contact = await portal_contact(await make_account())

    # when
    data = await gql(NODE, {"id": gid("User", colleague.id)}, token=contact.token)

    # then
    assert data["node"] is None


@pytest.mark.parametrize("role", list(Role))
async def test_every_staff_role_lists_users(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role, name="Viewer")
    await make_user(Role.TECHNICIAN, name="Tess Tech")

    # when
    data = await gql(USERS, token=viewer.token)

    # then
    assert node_names(data["users"]) == ["Tess Tech", "Viewer"]
    assert data["users"]["totalCount"] == 2


async def test_users_filter_by_roles(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada")
    await make_user(Role.TECHNICIAN, name="Tom")
    await make_user(Role.DISPATCHER, Role.TECHNICIAN, name="Dot")
    await make_user(Role.ACCOUNTING, name="Al")

    # when
    data = await gql(USERS, {"filter": {"roles": ["TECHNICIAN", "ACCOUNTING"]}}, token=admin.token)

    # then
    assert node_names(data["users"]) == ["Al", "Dot", "Tom"]
    assert data["users"]["totalCount"] == 3


async def test_users_filter_by_search_and_active(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada")
    await make_user(Role.TECHNICIAN, name="Sam Smith")
    await make_user(Role.TECHNICIAN, name="Sue", email="smithy@example.com")
    await make_user(Role.TECHNICIAN, name="Old Smith", active=False)
    await make_user(Role.TECHNICIAN, name="Zed")

    # when
    smiths = await gql(USERS, {"filter": {"search": " SMITH "}}, token=admin.token)
    active = await gql(USERS, {"filter": {"search": "smith", "isActive": True}}, token=admin.token)
    inactive = await gql(USERS, {"filter": {"isActive": False}}, token=admin.token)

    # then
    assert node_names(smiths["users"]) == ["Old Smith", "Sam Smith", "Sue"]
    assert node_names(active["users"]) == ["Sam Smith", "Sue"]
    assert node_names(inactive["users"]) == ["Old Smith"]
    assert inactive["users"]["nodes"][0]["isActive"] is False


async def test_users_pages_forward_and_back(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="User 0")
    for n in range(1, 5):
        await make_user(Role.TECHNICIAN, name=f"User {n}")

    # when
    first = await gql(USERS, {"first": 2}, token=admin.token)
    cursor = first["users"]["pageInfo"]["endCursor"]
    second = await gql(USERS, {"first": 2, "after": cursor}, token=admin.token)
    last = await gql(USERS, {"last": 2}, token=admin.token)
    before = await gql(
        USERS,
        {"last": 2, "before": second["users"]["pageInfo"]["startCursor"]},
        token=admin.token,
    )

    # then
    assert node_names(first["users"]) == ["User 0", "User 1"]
    assert first["users"]["pageInfo"]["hasNextPage"] is True
    assert first["users"]["pageInfo"]["hasPreviousPage"] is False
    assert first["users"]["totalCount"] == 5
    assert node_names(second["users"]) == ["User 2", "User 3"]
    assert second["users"]["pageInfo"]["hasNextPage"] is True
    assert second["users"]["pageInfo"]["hasPreviousPage"] is True
    assert node_names(last["users"]) == ["User 3", "User 4"]
    assert last["users"]["pageInfo"]["hasNextPage"] is False
    assert node_names(before["users"]) == ["User 0", "User 1"]


async def test_users_page_size_is_capped(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    body = await gql.raw(USERS, {"first": 101}, token=admin.token)

    # then
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def _list_users(gql: GraphQLClient, token: str, counter: StatementCounter) -> int:
    before = counter.count
    await gql(USERS_WITH_TEAMS, token=token)
    return counter.count - before


async def test_users_list_statements_do_not_grow_with_rows(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    team = await users.Team.create(name="Crew")

    async def add_people(n: int) -> None:
        for _ in range(n):
            user = await make_user(Role.TECHNICIAN, Role.ACCOUNT_MANAGER)
            await users.TeamMember.create(team_id=team.id, user_id=user.id)
            await make_account(manager=user)

    await add_people(2)
    few = await _list_users(gql, admin.token, count_statements)

    # when
    await add_people(8)
    many = await _list_users(gql, admin.token, count_statements)

    # then
    assert many == few
    assert many == 6, count_statements.statements  # sign-in 1, the list's 5


async def test_teams_list_with_leader_and_members(gql: GraphQLClient) -> None:
    # given
    viewer = await staff(Role.TECHNICIAN, name="Viewer")
    leader = await make_user(Role.DISPATCHER, name="Lea")
    member = await make_user(Role.TECHNICIAN, name="Max")
    alpha = await users.Team.create(name="Alpha", leader_id=leader.id)
    for user in (leader, member):
        await users.TeamMember.create(team_id=alpha.id, user_id=user.id)
    await users.Team.create(name="Beta")
    await users.Team.create(name="Gamma")

    # when
    first = await gql(TEAMS, {"first": 2}, token=viewer.token)
    rest = await gql(
        TEAMS, {"first": 2, "after": first["teams"]["pageInfo"]["endCursor"]}, token=viewer.token
    )

    # then
    assert first["teams"]["totalCount"] == 3
    assert first["teams"]["nodes"][0] == {
        "id": gid("Team", alpha.id),
        "name": "Alpha",
        "leader": {"name": "Lea"},
        "members": [{"name": "Lea"}, {"name": "Max"}],
    }
    assert node_names(first["teams"]) == ["Alpha", "Beta"]
    assert first["teams"]["pageInfo"]["hasNextPage"] is True
    assert node_names(rest["teams"]) == ["Gamma"]
    assert rest["teams"]["pageInfo"]["hasNextPage"] is False


async def test_the_longest_search_allowed_finds_nobody_and_a_longer_one_is_refused(
    gql: GraphQLClient,
) -> None:
    # Searches are capped (models.validation.MAX_SEARCH): a longer one is the client's error.
    admin = await staff(Role.ADMIN)
    data = await gql(USERS, {"filter": {"search": "x" * MAX_SEARCH}}, token=admin.token)
    assert data["users"]["nodes"] == []
    assert data["users"]["totalCount"] == 0
    longer = {"filter": {"search": "x" * (MAX_SEARCH + 1)}}
    assert error_codes(await gql.raw(USERS, longer, token=admin.token)) == ["BAD_USER_INPUT"]


ACCOUNT_MANAGERS = """
{
  users(filter: {role: ACCOUNT_MANAGER}) {
    nodes { name managedAccounts { nodes { name } } }
  }
}
"""


async def test_account_managers_are_listed_with_their_accounts(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    await staff(Role.TECHNICIAN, name="Tia Tech")
    await make_account("Northwind", manager=maya.row)  # type: ignore[arg-type]
    # when
    data = await gql(ACCOUNT_MANAGERS, token=dispatcher.token)
    # then
    assert data["users"]["nodes"] == [
        {"name": "Maya Manager", "managedAccounts": {"nodes": [{"name": "Northwind"}]}}
    ]
