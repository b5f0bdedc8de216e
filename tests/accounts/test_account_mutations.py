"""createAccount and updateAccount."""

from __future__ import annotations

from typing import Any

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

CREATE_ACCOUNT = """
mutation Create($input: CreateAccountInput!) {
  createAccount(input: $input) {
    account {
      id name number isActive defaultSlaHours creditLimit
      parent { name }
      manager { name }
    }
    userErrors { code field message }
  }
}
"""

UPDATE_ACCOUNT = """
mutation Update($input: UpdateAccountInput!) {
  updateAccount(input: $input) {
    account { id name number defaultSlaHours creditLimit parent { name } }
    userErrors { code field message }
  }
}
"""

ACCOUNTS = """
query { accounts(first: 100) { totalCount nodes { name number creditLimit parent { name } } } }
"""

ACCOUNT = """
query Account($id: ID!) {
  node(id: $id) { ... on Account { name number defaultSlaHours creditLimit parent { name } } }
}
"""


async def _all_accounts(gql: GraphQLClient, token: str) -> list[dict[str, Any]]:
    data = await gql(ACCOUNTS, token=token)
    nodes: list[dict[str, Any]] = data["accounts"]["nodes"]
    return nodes


# --- createAccount ----------------------------------------------------------------


async def test_create_account_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # when
    body = await gql.raw(CREATE_ACCOUNT, {"input": {"name": "Acme"}})

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize(
    "role", [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER, Role.ACCOUNTING]
)
async def test_create_account_needs_manage_accounts(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    admin = await staff(Role.ADMIN)

    # when
    body = await gql.raw(CREATE_ACCOUNT, {"input": {"name": "Acme"}}, token=viewer.token)

    # then
    assert_forbidden(body)
    assert await _all_accounts(gql, admin.token) == []


async def test_portal_contact_cannot_create_accounts(gql: GraphQLClient) -> None:
    # given
    from tests.factories import portal_contact

    contact = await portal_contact(await make_account("Acme"))

    # when
    body = await gql.raw(CREATE_ACCOUNT, {"input": {"name": "Bolt"}}, token=contact.token)

    # then
    assert_forbidden(body)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_create_account(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    parent = await make_account("Acme")

    # when
    data = await gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "name": "  Acme East  ",
                "number": "E-1",
                "parentId": gid("Account", parent.id),
                "defaultSlaHours": 48,
                "creditLimit": "1500",
            }
        },
        token=viewer.token,
    )

    # then
    payload = data["createAccount"]
    assert payload["userErrors"] == []
    account = payload["account"]
    assert {k: v for k, v in account.items() if k != "id"} == {
        "name": "Acme East",
        "number": "E-1",
        "isActive": True,
        "defaultSlaHours": 48,
        "creditLimit": "1500.00",
        "parent": {"name": "Acme"},
        "manager": None,
    }
    stored = await gql(ACCOUNT, {"id": account["id"]}, token=viewer.token)
    assert stored["node"] == {
        "name": "Acme East",
        "number": "E-1",
        "defaultSlaHours": 48,
        "creditLimit": "1500.00",
        "parent": {"name": "Acme"},
    }


async def test_create_account_generates_a_number(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    first = await gql(CREATE_ACCOUNT, {"input": {"name": "Acme"}}, token=admin.token)
    second = await gql(
        CREATE_ACCOUNT, {"input": {"name": "Bolt", "number": " "}}, token=admin.token
    )

    # then
    numbers = [
        first["createAccount"]["account"]["number"],
        second["createAccount"]["account"]["number"],
    ]
    assert all(number.startswith("A-") for number in numbers)
    assert len(set(numbers)) == 2
    assert first["createAccount"]["account"]["creditLimit"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Acme"}, [("DUPLICATE", ["input", "name"])]),
        ({"name": "Bolt", "number": "N-1"}, [("DUPLICATE", ["input", "number"])]),
        ({"name": "   "}, [("REQUIRED", ["input", "name"])]),
        ({"name": "x" * 201}, [("TOO_LONG", ["input", "name"])]),
        ({"name": "Bolt", "creditLimit": "-1"}, [("INVALID", ["input", "creditLimit"])]),
        ({"name": "Bolt", "creditLimit": "10.001"}, [("INVALID", ["input", "creditLimit"])]),
        ({"name": "Bolt", "creditLimit": "NaN"}, [("INVALID", ["input", "creditLimit"])]),
        ({"name": "Bolt", "creditLimit": "Infinity"}, [("INVALID", ["input", "creditLimit"])]),
        ({"name": "Bolt", "creditLimit": "1E+12"}, [("INVALID", ["input", "creditLimit"])]),
        ({"name": "Bolt", "defaultSlaHours": 0}, [("INVALID", ["input", "defaultSlaHours"])]),
        (
            {"name": "Bolt", "parentId": gid("Account", 999_999)},
            [("NOT_FOUND", ["input", "parentId"])],
        ),
        ({"name": "Bolt", "parentId": gid("User", 1)}, [("NOT_FOUND", ["input", "parentId"])]),
        (
            {"name": "Acme", "number": "N-1", "creditLimit": "-5"},
            [
                ("DUPLICATE", ["input", "name"]),
                ("DUPLICATE", ["input", "number"]),
                ("INVALID", ["input", "creditLimit"]),
            ],
        ),
    ],
)
async def test_create_account_refuses_bad_input_and_writes_nothing(
    gql: GraphQLClient, changes: dict[str, Any], expected: list[tuple[str, list[str]]]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    existing = await make_account("Acme")
    await existing.filter(id=existing.id).update(number="N-1")

    # when
    data = await gql(CREATE_ACCOUNT, {"input": changes}, token=admin.token)

    # then
    assert data["createAccount"]["account"] is None
    assert error_pairs(data["createAccount"]) == expected
    assert [a["name"] for a in await _all_accounts(gql, admin.token)] == ["Acme"]


async def test_create_account_under_an_inactive_parent_is_refused(gql: GraphQLClient) -> None:
    # given: a new account is active, so it may not sit under an inactive one
    admin = await staff(Role.ADMIN)
    parent = await make_account("Acme", active=False)

    # when
    data = await gql(
        CREATE_ACCOUNT,
        {"input": {"name": "Acme East", "parentId": gid("Account", parent.id)}},
        token=admin.token,
    )

    # then
    assert error_pairs(data["createAccount"]) == [("ACCOUNT_INACTIVE", ["input", "parentId"])]
    assert [a["name"] for a in await _all_accounts(gql, admin.token)] == ["Acme"]


# --- updateAccount ------------------------------------------------------------------


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
