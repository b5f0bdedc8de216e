"""createContact, including portal access."""

from __future__ import annotations

from typing import Any

import pytest

from models.permissions import Role
from tests.accounts.operations import STRONG
from tests.accounts.operations import can_sign_in as _can_sign_in
from tests.accounts.operations import contacts_of as _contacts
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_pairs,
    node_names,
)
from tests.factories import (
    make_account,
    make_user,
    portal_contact,
    staff,
)
from tests.ids import gid

CREATE_CONTACT = """
mutation CreateContact($input: CreateContactInput!) {
  createContact(input: $input) {
    contact { id name email phone title portalAccess account { name } }
    userErrors { code field message }
  }
}
"""


def _new_contact(account_id: int, **changes: Any) -> dict[str, Any]:
    return {"input": {"accountId": gid("Account", account_id), "name": "Carol", **changes}}


def _portal(account_id: int, email: str = "carol@acme.example", **changes: Any) -> dict[str, Any]:
    return _new_contact(account_id, email=email, portalAccess=True, password=STRONG, **changes)


async def test_create_contact_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")

    # when
    body = await gql.raw(CREATE_CONTACT, _new_contact(acme.id))

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_create_contact_wrong_role_is_forbidden(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme")

    # when
    body = await gql.raw(CREATE_CONTACT, _new_contact(acme.id), token=viewer.token)

    # then
    assert_forbidden(body)
    assert (await _contacts(gql, viewer.token, acme.id))["totalCount"] == 0


async def test_portal_contact_cannot_add_contacts(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    contact = await portal_contact(acme)

    # when
    body = await gql.raw(CREATE_CONTACT, _new_contact(acme.id), token=contact.token)

    # then
    assert_forbidden(body)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_create_contact(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme")

    # when
    data = await gql(
        CREATE_CONTACT,
        _new_contact(
            acme.id,
            name=" Carol Jones ",
            email=" Carol@Acme.Example ",
            phone="555-0100",
            title="Facilities",
        ),
        token=viewer.token,
    )

    # then
    payload = data["createContact"]
    assert payload["userErrors"] == []
    assert {k: v for k, v in payload["contact"].items() if k != "id"} == {
        "name": "Carol Jones",
        "email": "carol@acme.example",
        "phone": "555-0100",
        "title": "Facilities",
        "portalAccess": False,
        "account": {"name": "Acme"},
    }
    assert node_names(await _contacts(gql, viewer.token, acme.id)) == ["Carol Jones"]


async def test_create_contact_with_portal_access_can_sign_in(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    data = await gql(CREATE_CONTACT, _portal(acme.id), token=admin.token)

    # then
    assert data["createContact"]["userErrors"] == []
    assert data["createContact"]["contact"]["portalAccess"] is True
    assert await _can_sign_in(gql, "carol@acme.example", STRONG)


async def test_account_manager_adds_a_contact_to_an_own_account(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account("Acme", manager=manager.row)  # type: ignore[arg-type]

    # when
    data = await gql(CREATE_CONTACT, _new_contact(acme.id), token=manager.token)

    # then
    assert data["createContact"]["userErrors"] == []
    assert node_names(await _contacts(gql, manager.token, acme.id)) == ["Carol"]


async def test_account_manager_gets_not_found_for_another_account(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    admin = await staff(Role.ADMIN)
    bolt = await make_account("Bolt", manager=await make_user(Role.ACCOUNT_MANAGER))

    # when
    theirs = await gql(CREATE_CONTACT, _new_contact(bolt.id), token=manager.token)
    missing = await gql(CREATE_CONTACT, _new_contact(999_999), token=manager.token)

    # then
    assert theirs == missing
    assert error_pairs(theirs["createContact"]) == [("NOT_FOUND", ["input", "accountId"])]
    assert (await _contacts(gql, admin.token, bolt.id))["totalCount"] == 0


async def test_visible_but_not_editable_account_is_forbidden(gql: GraphQLClient) -> None:
    # given
    viewer = await staff(Role.TECHNICIAN, Role.ACCOUNT_MANAGER)
    bolt = await make_account("Bolt")

    # when
    data = await gql(CREATE_CONTACT, _new_contact(bolt.id), token=viewer.token)

    # then
    assert error_pairs(data["createContact"]) == [("FORBIDDEN", ["input", "accountId"])]
    assert (await _contacts(gql, viewer.token, bolt.id))["totalCount"] == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, [("REQUIRED", ["input", "name"])]),
        ({"email": "not an address"}, [("INVALID", ["input", "email"])]),
        ({"portalAccess": True, "password": STRONG}, [("REQUIRED", ["input", "email"])]),
        (
            {"portalAccess": True, "email": "carol@acme.example", "password": "short"},
            [("WEAK_PASSWORD", ["input", "password"])],
        ),
        (
            {"portalAccess": True, "email": "carol@acme.example", "password": "password123"},
            [("WEAK_PASSWORD", ["input", "password"])],
        ),
        (
            {"portalAccess": True, "email": "carol@acme.example", "password": "carol-is-great"},
            [("WEAK_PASSWORD", ["input", "password"])],
        ),
    ],
)
async def test_create_contact_refuses_bad_input_and_writes_nothing(
    gql: GraphQLClient, changes: dict[str, Any], expected: list[tuple[str, list[str]]]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    data = await gql(CREATE_CONTACT, _new_contact(acme.id, **changes), token=admin.token)

    # then
    assert data["createContact"]["contact"] is None
    assert error_pairs(data["createContact"]) == expected
    assert (await _contacts(gql, admin.token, acme.id))["totalCount"] == 0


async def test_portal_email_is_unique_across_contacts(gql: GraphQLClient) -> None:
    # given: Bolt's contact already signs in with this address
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    bolt = await make_account("Bolt")
    await gql(CREATE_CONTACT, _portal(bolt.id, "shared@example.com"), token=admin.token)

    # when
    data = await gql(CREATE_CONTACT, _portal(acme.id, "Shared@Example.com"), token=admin.token)

    # then
    assert error_pairs(data["createContact"]) == [("DUPLICATE", ["input", "email"])]
    assert (await _contacts(gql, admin.token, acme.id))["totalCount"] == 0


async def test_portal_email_may_not_be_a_staff_sign_in(gql: GraphQLClient) -> None:
    # given: one staff user signs in with this e-mail, another with it as login name
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    await make_user(email="sam@example.com")
    other = await make_user(email="robert@example.com")
    await other.filter(id=other.id).update(login="bob@example.com")

    # when
    by_email = await gql(CREATE_CONTACT, _portal(acme.id, "sam@example.com"), token=admin.token)
    by_login = await gql(CREATE_CONTACT, _portal(acme.id, "bob@example.com"), token=admin.token)

    # then
    assert error_pairs(by_email["createContact"]) == [("DUPLICATE", ["input", "email"])]
    assert error_pairs(by_login["createContact"]) == [("DUPLICATE", ["input", "email"])]
    assert (await _contacts(gql, admin.token, acme.id))["totalCount"] == 0


async def test_contacts_without_portal_access_may_share_an_email(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    await gql(CREATE_CONTACT, _new_contact(acme.id, email="office@acme.example"), token=admin.token)

    # when
    data = await gql(
        CREATE_CONTACT,
        _new_contact(acme.id, name="Dave", email="office@acme.example"),
        token=admin.token,
    )

    # then
    assert data["createContact"]["userErrors"] == []
    assert (await _contacts(gql, admin.token, acme.id))["totalCount"] == 2
