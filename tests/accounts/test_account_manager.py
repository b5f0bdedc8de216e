"""setAccountManager, User.managedAccounts, and releasing accounts of departing managers."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_pairs,
    node_names,
)
from tests.factories import make_account, make_user, staff
from tests.ids import gid

SET_MANAGER = """
mutation SetManager($input: SetAccountManagerInput!) {
  setAccountManager(input: $input) {
    account { id name manager { id name } }
    previousManager { id name }
    userErrors { code field message }
  }
}
"""

MANAGED = """
query Managed($id: ID!) {
  node(id: $id) { ... on User { name managedAccounts { totalCount nodes { name } } } }
}
"""

MANAGER_OF = """
query ManagerOf($id: ID!) { node(id: $id) { ... on Account { manager { name } } } }
"""

MY_ACCOUNTS = "query { accounts { nodes { name } } }"

UPDATE_USER = """
mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) { user { isActive } userErrors { code field } }
}
"""


def _input(account_id: int, manager_id: int | None) -> dict[str, object]:
    return {
        "input": {
            "accountId": gid("Account", account_id),
            "managerId": None if manager_id is None else gid("User", manager_id),
        }
    }


async def _manager_of(gql: GraphQLClient, token: str, account_id: int) -> str | None:
    data = await gql(MANAGER_OF, {"id": gid("Account", account_id)}, token=token)
    manager = data["node"]["manager"]
    return None if manager is None else str(manager["name"])


async def test_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    ann = await make_user(Role.ACCOUNT_MANAGER)

    # when
    body = await gql.raw(SET_MANAGER, _input(acme.id, ann.id))

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.ACCOUNTING])
async def test_wrong_role_is_forbidden_and_nothing_changes(gql: GraphQLClient, role: Role) -> None:
    # given: an account manager may not even take an account for themselves
    viewer = await staff(role, Role.ACCOUNT_MANAGER)
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    body = await gql.raw(SET_MANAGER, _input(acme.id, viewer.id), token=viewer.token)

    # then
    assert_forbidden(body)
    assert await _manager_of(gql, admin.token, acme.id) is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_set_manager(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme")
    ann = await make_user(Role.ACCOUNT_MANAGER, name="Ann")

    # when
    data = await gql(SET_MANAGER, _input(acme.id, ann.id), token=viewer.token)

    # then
    assert data["setAccountManager"] == {
        "account": {
            "id": gid("Account", acme.id),
            "name": "Acme",
            "manager": {"id": gid("User", ann.id), "name": "Ann"},
        },
        "previousManager": None,
        "userErrors": [],
    }
    assert await _manager_of(gql, viewer.token, acme.id) == "Ann"


async def test_reassigning_returns_the_previous_manager(gql: GraphQLClient) -> None:
    # given: one manager per account, so Bob replaces Ann
    admin = await staff(Role.ADMIN)
    ann = await make_user(Role.ACCOUNT_MANAGER, name="Ann")
    bob = await make_user(Role.ACCOUNT_MANAGER, name="Bob")
    acme = await make_account("Acme", manager=ann)

    # when
    to_bob = await gql(SET_MANAGER, _input(acme.id, bob.id), token=admin.token)
    to_nobody = await gql(SET_MANAGER, _input(acme.id, None), token=admin.token)

    # then
    assert to_bob["setAccountManager"]["previousManager"] == {
        "id": gid("User", ann.id),
        "name": "Ann",
    }
    assert to_bob["setAccountManager"]["account"]["manager"]["name"] == "Bob"
    assert to_nobody["setAccountManager"]["previousManager"]["name"] == "Bob"
    assert to_nobody["setAccountManager"]["account"]["manager"] is None
    assert await _manager_of(gql, admin.token, acme.id) is None


async def test_a_manager_may_have_many_accounts(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ann = await staff(Role.ACCOUNT_MANAGER, name="Ann")
    acme, bolt = await make_account("Acme"), await make_account("Bolt")
    await make_account("Cobalt")

    # when
    await gql(SET_MANAGER, _input(acme.id, ann.id), token=admin.token)
    await gql(SET_MANAGER, _input(bolt.id, ann.id), token=admin.token)

    # then
    managed = await gql(MANAGED, {"id": gid("User", ann.id)}, token=admin.token)
    assert managed["node"]["managedAccounts"] == {
        "totalCount": 2,
        "nodes": [{"name": "Acme"}, {"name": "Bolt"}],
    }
    # and the manager now sees exactly those accounts
    mine = await gql(MY_ACCOUNTS, token=ann.token)
    assert node_names(mine["accounts"]) == ["Acme", "Bolt"]


async def test_someone_without_the_role_is_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tech = await make_user(Role.TECHNICIAN)
    acme = await make_account("Acme")

    # when
    data = await gql(SET_MANAGER, _input(acme.id, tech.id), token=admin.token)

    # then
    assert data["setAccountManager"]["account"] is None
    assert error_pairs(data["setAccountManager"]) == [
        ("NOT_ACCOUNT_MANAGER", ["input", "managerId"])
    ]
    assert await _manager_of(gql, admin.token, acme.id) is None


async def test_an_inactive_user_is_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    gone = await make_user(Role.ACCOUNT_MANAGER, active=False)
    acme = await make_account("Acme")

    # when
    data = await gql(SET_MANAGER, _input(acme.id, gone.id), token=admin.token)

    # then
    assert error_pairs(data["setAccountManager"]) == [("USER_INACTIVE", ["input", "managerId"])]
    assert await _manager_of(gql, admin.token, acme.id) is None


async def test_unknown_account_or_user_is_not_found(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ann = await make_user(Role.ACCOUNT_MANAGER)
    acme = await make_account("Acme")

    # when
    no_account = await gql(SET_MANAGER, _input(999_999, ann.id), token=admin.token)
    no_user = await gql(SET_MANAGER, _input(acme.id, 999_999), token=admin.token)

    # then
    assert error_pairs(no_account["setAccountManager"]) == [("NOT_FOUND", ["input", "accountId"])]
    assert error_pairs(no_user["setAccountManager"]) == [("NOT_FOUND", ["input", "managerId"])]


async def test_deactivating_a_manager_releases_their_accounts(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ann = await make_user(Role.ACCOUNT_MANAGER)
    bob = await make_user(Role.ACCOUNT_MANAGER, name="Bob")
    acme = await make_account("Acme", manager=ann)
    bolt = await make_account("Bolt", manager=ann)
    cobalt = await make_account("Cobalt", manager=bob)

    # when
    data = await gql(
        UPDATE_USER, {"input": {"id": gid("User", ann.id), "isActive": False}}, token=admin.token
    )

    # then
    assert data["updateUser"] == {"user": {"isActive": False}, "userErrors": []}
    assert await _manager_of(gql, admin.token, acme.id) is None
    assert await _manager_of(gql, admin.token, bolt.id) is None
    assert await _manager_of(gql, admin.token, cobalt.id) == "Bob"


async def test_dropping_the_role_releases_their_accounts(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ann = await make_user(Role.ACCOUNT_MANAGER, Role.TECHNICIAN)
    acme = await make_account("Acme", manager=ann)

    # when
    await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", ann.id), "roles": ["TECHNICIAN"]}},
        token=admin.token,
    )

    # then
    assert await _manager_of(gql, admin.token, acme.id) is None
