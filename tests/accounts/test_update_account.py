"""updateAccount: who may, what it changes, what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from models.permissions import Role
from tests.accounts.operations import ACCOUNT
from tests.accounts.operations import all_accounts as _all_accounts
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_pairs,
    node_names,
)
from tests.factories import make_account, make_user, staff
from tests.ids import gid

UPDATE_ACCOUNT = """
mutation Update($input: UpdateAccountInput!) {
  updateAccount(input: $input) {
    account { id name number defaultSlaHours creditLimit parent { name } }
    userErrors { code field message }
  }
}
"""


async def test_update_account_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")

    # when
    body = await gql.raw(UPDATE_ACCOUNT, {"input": {"id": gid("Account", acme.id), "name": "X"}})

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.ACCOUNTING])
async def test_update_account_needs_manage_accounts(gql: GraphQLClient, role: Role) -> None:
    # given: even the account's own manager may not rename it
    viewer = await staff(role)
    acme = await make_account("Acme", manager=viewer.row)  # type: ignore[arg-type]
    admin = await staff(Role.ADMIN)

    # when
    body = await gql.raw(
        UPDATE_ACCOUNT, {"input": {"id": gid("Account", acme.id), "name": "X"}}, token=viewer.token
    )

    # then
    assert_forbidden(body)
    assert node_names({"nodes": await _all_accounts(gql, admin.token)}) == ["Acme"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_update_account(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    parent = await make_account("Bolt")
    acme = await make_account("Acme")

    # when
    data = await gql(
        UPDATE_ACCOUNT,
        {
            "input": {
                "id": gid("Account", acme.id),
                "name": "Acme Tools",
                "number": "N-9",
                "parentId": gid("Account", parent.id),
                "defaultSlaHours": 8,
                "creditLimit": "1500.5",
            }
        },
        token=viewer.token,
    )

    # then
    assert data["updateAccount"] == {
        "account": {
            "id": gid("Account", acme.id),
            "name": "Acme Tools",
            "number": "N-9",
            "defaultSlaHours": 8,
            "creditLimit": "1500.50",
            "parent": {"name": "Bolt"},
        },
        "userErrors": [],
    }
    stored = await gql(ACCOUNT, {"id": gid("Account", acme.id)}, token=viewer.token)
    assert stored["node"] == {
        "name": "Acme Tools",
        "number": "N-9",
        "defaultSlaHours": 8,
        "creditLimit": "1500.50",
        "parent": {"name": "Bolt"},
    }


async def test_update_account_leaves_out_fields_alone_and_null_clears(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    parent = await make_account("Bolt")
    acme = await make_account("Acme", parent=parent)
    await acme.filter(id=acme.id).update(default_sla_hours=8, credit_limit="100.00")

    # when
    untouched = await gql(
        UPDATE_ACCOUNT, {"input": {"id": gid("Account", acme.id)}}, token=admin.token
    )
    cleared = await gql(
        UPDATE_ACCOUNT,
        {
            "input": {
                "id": gid("Account", acme.id),
                "parentId": None,
                "defaultSlaHours": None,
                "creditLimit": None,
            }
        },
        token=admin.token,
    )

    # then
    assert untouched["updateAccount"]["account"]["defaultSlaHours"] == 8
    assert untouched["updateAccount"]["account"]["creditLimit"] == "100.00"
    assert untouched["updateAccount"]["account"]["parent"] == {"name": "Bolt"}
    assert cleared["updateAccount"]["account"] == {
        "id": gid("Account", acme.id),
        "name": "Acme",
        "number": acme.number,
        "defaultSlaHours": None,
        "creditLimit": None,
        "parent": None,
    }


async def test_update_account_keeps_its_own_name(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    data = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", acme.id), "name": "Acme", "number": acme.number}},
        token=admin.token,
    )

    # then
    assert data["updateAccount"]["userErrors"] == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Bolt"}, [("DUPLICATE", ["input", "name"])]),
        ({"name": ""}, [("REQUIRED", ["input", "name"])]),
        ({"number": " "}, [("REQUIRED", ["input", "number"])]),
        ({"creditLimit": "-0.01"}, [("INVALID", ["input", "creditLimit"])]),
        ({"creditLimit": "0.001"}, [("INVALID", ["input", "creditLimit"])]),
        ({"parentId": gid("Account", 999_999)}, [("NOT_FOUND", ["input", "parentId"])]),
    ],
)
async def test_update_account_refuses_bad_input_and_writes_nothing(
    gql: GraphQLClient, changes: dict[str, Any], expected: list[tuple[str, list[str]]]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    await make_account("Bolt")
    before = await gql(ACCOUNT, {"id": gid("Account", acme.id)}, token=admin.token)

    # when
    data = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", acme.id), "name": "Acme Renamed", **changes}},
        token=admin.token,
    )

    # then
    assert data["updateAccount"]["account"] is None
    assert error_pairs(data["updateAccount"]) == expected
    after = await gql(ACCOUNT, {"id": gid("Account", acme.id)}, token=admin.token)
    assert after == before


async def test_update_account_refuses_a_parent_cycle(gql: GraphQLClient) -> None:
    # given: Acme > Acme East > Acme East Depot
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    east = await make_account("Acme East", parent=acme)
    depot = await make_account("Acme East Depot", parent=east)

    # when
    under_grandchild = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", acme.id), "parentId": gid("Account", depot.id)}},
        token=admin.token,
    )
    under_itself = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", east.id), "parentId": gid("Account", east.id)}},
        token=admin.token,
    )

    # then
    assert error_pairs(under_grandchild["updateAccount"]) == [("CYCLE", ["input", "parentId"])]
    assert error_pairs(under_itself["updateAccount"]) == [("CYCLE", ["input", "parentId"])]
    stored = await gql(ACCOUNT, {"id": gid("Account", acme.id)}, token=admin.token)
    assert stored["node"]["parent"] is None


async def test_moving_an_active_account_under_an_inactive_parent_is_refused(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    closed = await make_account("Closed Co", active=False)
    acme = await make_account("Acme")
    dormant = await make_account("Dormant", active=False)

    # when
    active_move = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", acme.id), "parentId": gid("Account", closed.id)}},
        token=admin.token,
    )
    inactive_move = await gql(
        UPDATE_ACCOUNT,
        {"input": {"id": gid("Account", dormant.id), "parentId": gid("Account", closed.id)}},
        token=admin.token,
    )

    # then
    assert error_pairs(active_move["updateAccount"]) == [
        ("ACCOUNT_INACTIVE", ["input", "parentId"])
    ]
    assert inactive_move["updateAccount"]["userErrors"] == []
    assert inactive_move["updateAccount"]["account"]["parent"] == {"name": "Closed Co"}


async def test_update_unknown_account_is_not_found(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    user = await make_user()

    # when
    missing = await gql(
        UPDATE_ACCOUNT, {"input": {"id": gid("Account", 999_999), "name": "X"}}, token=admin.token
    )
    wrong_type = await gql(
        UPDATE_ACCOUNT, {"input": {"id": gid("User", user.id), "name": "X"}}, token=admin.token
    )

    # then
    assert missing["updateAccount"] == wrong_type["updateAccount"]
    assert error_pairs(missing["updateAccount"]) == [("NOT_FOUND", ["input", "id"])]


SEVERAL_CHANGES = """
mutation Several($child: ID!, $parent: ID!) {
  before: updateAccount(input: {id: $child}) { account { parent { name } } }
  rename: updateAccount(input: {id: $parent, name: "Acme Holding"}) { account { name } }
  after: updateAccount(input: {id: $child}) { account { parent { name } } }
}
"""


async def test_later_mutations_of_one_request_see_earlier_changes(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    east = await make_account("Acme East", parent=acme)

    # when
    data = await gql(
        SEVERAL_CHANGES,
        {"child": gid("Account", east.id), "parent": gid("Account", acme.id)},
        token=admin.token,
    )

    # then
    assert data["before"]["account"]["parent"] == {"name": "Acme"}
    assert data["after"]["account"]["parent"] == {"name": "Acme Holding"}
