"""setAccountActive: deactivation cascades down, activation needs an active parent."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import make_account, staff
from tests.ids import gid

SET_ACTIVE = """
mutation SetActive($input: SetAccountActiveInput!) {
  setAccountActive(input: $input) {
    account { id name isActive }
    userErrors { code field message }
  }
}
"""

ACTIVE_FLAGS = """
query { accounts(first: 100) { nodes { name isActive } } }
"""


async def _flags(gql: GraphQLClient, token: str) -> dict[str, bool]:
    data = await gql(ACTIVE_FLAGS, token=token)
    return {node["name"]: node["isActive"] for node in data["accounts"]["nodes"]}


async def test_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")

    # when
    body = await gql.raw(SET_ACTIVE, {"input": {"id": gid("Account", acme.id), "active": False}})

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER])
async def test_wrong_role_is_forbidden_and_nothing_changes(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme", manager=viewer.row)  # type: ignore[arg-type]

    # when
    body = await gql.raw(
        SET_ACTIVE, {"input": {"id": gid("Account", acme.id), "active": False}}, token=viewer.token
    )

    # then
    assert_forbidden(body)
    assert await _flags(gql, admin.token) == {"Acme": True}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_deactivation_cascades_to_sub_accounts_at_any_depth(
    gql: GraphQLClient, role: Role
) -> None:
    # given: Acme > East > Depot, Acme > West; Bolt stands apart
    viewer = await staff(role)
    acme = await make_account("Acme")
    east = await make_account("East", parent=acme)
    await make_account("Depot", parent=east)
    await make_account("West", parent=acme)
    await make_account("Bolt")

    # when
    data = await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", acme.id), "active": False}}, token=viewer.token
    )

    # then
    assert data["setAccountActive"] == {
        "account": {"id": gid("Account", acme.id), "name": "Acme", "isActive": False},
        "userErrors": [],
    }
    assert await _flags(gql, viewer.token) == {
        "Acme": False,
        "Bolt": True,
        "Depot": False,
        "East": False,
        "West": False,
    }


async def test_deactivating_a_sub_account_leaves_its_parent_active(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    east = await make_account("East", parent=acme)
    await make_account("Depot", parent=east)

    # when
    await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", east.id), "active": False}}, token=admin.token
    )

    # then
    assert await _flags(gql, admin.token) == {"Acme": True, "Depot": False, "East": False}


async def test_activating_under_an_inactive_parent_is_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme", active=False)
    east = await make_account("East", parent=acme, active=False)

    # when
    data = await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", east.id), "active": True}}, token=admin.token
    )

    # then
    assert data["setAccountActive"]["account"] is None
    assert error_pairs(data["setAccountActive"]) == [("ACCOUNT_INACTIVE", ["input", "active"])]
    assert await _flags(gql, admin.token) == {"Acme": False, "East": False}


async def test_activation_goes_top_down_and_does_not_cascade(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme", active=False)
    east = await make_account("East", parent=acme, active=False)

    # when
    parent = await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", acme.id), "active": True}}, token=admin.token
    )
    flags_between = await _flags(gql, admin.token)
    child = await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", east.id), "active": True}}, token=admin.token
    )

    # then
    assert parent["setAccountActive"]["userErrors"] == []
    assert flags_between == {"Acme": True, "East": False}
    assert child["setAccountActive"]["userErrors"] == []
    assert await _flags(gql, admin.token) == {"Acme": True, "East": True}


async def test_unknown_account_is_not_found(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    data = await gql(
        SET_ACTIVE, {"input": {"id": gid("Account", 999_999), "active": False}}, token=admin.token
    )

    # then
    assert error_pairs(data["setAccountActive"]) == [("NOT_FOUND", ["input", "id"])]
