"""createAccount: who may, what it makes, what it refuses."""

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
)
from tests.factories import make_account, staff
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
