"""createContact and updateContact, including portal access."""

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
from tests.factories import (
    PASSWORD,
    make_account,
    make_contact,
    make_user,
    portal_contact,
    staff,
    token_for,
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

UPDATE_CONTACT = """
mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) {
    contact { id name email phone title portalAccess }
    userErrors { code field message }
  }
}
"""

CONTACTS_OF = """
query ContactsOf($id: ID!) {
  node(id: $id) {
    ... on Account { contacts { totalCount nodes { name email portalAccess } } }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code } }
}
"""

ME = "query { me { __typename } }"

STRONG = "plum orchard sunrise"


async def _contacts(gql: GraphQLClient, token: str, account_id: int) -> dict[str, Any]:
    data = await gql(CONTACTS_OF, {"id": gid("Account", account_id)}, token=token)
    contacts: dict[str, Any] = data["node"]["contacts"]
    return contacts


def _new_contact(account_id: int, **changes: Any) -> dict[str, Any]:
    return {"input": {"accountId": gid("Account", account_id), "name": "Carol", **changes}}


def _portal(account_id: int, email: str = "carol@acme.example", **changes: Any) -> dict[str, Any]:
    return _new_contact(account_id, email=email, portalAccess=True, password=STRONG, **changes)


async def _can_sign_in(gql: GraphQLClient, email: str, password: str) -> bool:
    data = await gql(LOGIN, {"input": {"email": email, "password": password}})
    return data["login"]["token"] is not None


# --- createContact ---------------------------------------------------------------------


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


# --- updateContact ------------------------------------------------------------------------


async def test_update_contact_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    contact = await make_contact(await make_account("Acme"))

    # when
    body = await gql.raw(UPDATE_CONTACT, {"input": {"id": gid("Contact", contact.id), "name": "X"}})

    # then
    assert_unauthenticated(body)


async def test_update_contact_wrong_role_is_forbidden(gql: GraphQLClient) -> None:
    # given
    tech = await staff(Role.TECHNICIAN)
    acme = await make_account("Acme")
    contact = await make_contact(acme, name="Carol")

    # when
    body = await gql.raw(
        UPDATE_CONTACT, {"input": {"id": gid("Contact", contact.id), "name": "X"}}, token=tech.token
    )

    # then
    assert_forbidden(body)
    assert node_names(await _contacts(gql, tech.token, acme.id)) == ["Carol"]


async def test_portal_contact_cannot_update_contacts(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    contact = await portal_contact(acme)

    # when
    body = await gql.raw(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "name": "X"}},
        token=contact.token,
    )

    # then
    assert_forbidden(body)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.ACCOUNT_MANAGER])
async def test_update_contact(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme", manager=viewer.row)  # type: ignore[arg-type]
    contact = await make_contact(acme, name="Carol")
    await contact.filter(id=contact.id).update(phone="555-0100", title="Boss")

    # when: an empty phone clears it; left-out fields stay
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "name": "Carol Jones", "phone": ""}},
        token=viewer.token,
    )

    # then
    assert data["updateContact"] == {
        "contact": {
            "id": gid("Contact", contact.id),
            "name": "Carol Jones",
            "email": contact.email,
            "phone": None,
            "title": "Boss",
            "portalAccess": False,
        },
        "userErrors": [],
    }
    assert node_names(await _contacts(gql, viewer.token, acme.id)) == ["Carol Jones"]


async def test_update_contact_of_another_account_reads_like_a_missing_contact(
    gql: GraphQLClient,
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    admin = await staff(Role.ADMIN)
    bolt = await make_account("Bolt")
    contact = await make_contact(bolt, name="Dave")

    # when
    theirs = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "name": "X"}},
        token=manager.token,
    )
    missing = await gql(
        UPDATE_CONTACT, {"input": {"id": gid("Contact", 999_999), "name": "X"}}, token=manager.token
    )

    # then
    assert theirs == missing
    assert error_pairs(theirs["updateContact"]) == [("NOT_FOUND", ["input", "id"])]
    assert node_names(await _contacts(gql, admin.token, bolt.id)) == ["Dave"]


async def test_update_contact_visible_but_not_editable_is_forbidden(gql: GraphQLClient) -> None:
    # given
    viewer = await staff(Role.TECHNICIAN, Role.ACCOUNT_MANAGER)
    contact = await make_contact(await make_account("Bolt"), name="Dave")

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "name": "X"}},
        token=viewer.token,
    )

    # then
    assert error_pairs(data["updateContact"]) == [("FORBIDDEN", ["input", "id"])]


async def test_granting_portal_access_takes_a_strong_password_or_none(gql: GraphQLClient) -> None:
    """Without one, the contact chooses it from an invitation (inviteContact)."""
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    contact = await make_contact(acme, name="Carol")
    other = await make_contact(acme, name="Chris")

    # when
    without = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", other.id), "portalAccess": True}},
        token=admin.token,
    )
    weak = await gql(
        UPDATE_CONTACT,
        {
            "input": {
                "id": gid("Contact", contact.id),
                "portalAccess": True,
                "password": "abcabcabca",
            }
        },
        token=admin.token,
    )
    granted = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "portalAccess": True, "password": STRONG}},
        token=admin.token,
    )

    # then
    assert without["updateContact"]["userErrors"] == []
    assert without["updateContact"]["contact"]["portalAccess"] is True
    assert not await _can_sign_in(gql, str(other.email), "")
    assert error_pairs(weak["updateContact"]) == [("WEAK_PASSWORD", ["input", "password"])]
    assert granted["updateContact"]["contact"]["portalAccess"] is True
    assert await _can_sign_in(gql, str(contact.email), STRONG)


async def test_portal_contact_cannot_lose_its_email(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    contact = await portal_contact(acme)

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "email": ""}},
        token=admin.token,
    )

    # then
    assert error_pairs(data["updateContact"]) == [("REQUIRED", ["input", "email"])]
    assert await _can_sign_in(gql, str(contact.row.email), PASSWORD)  # type: ignore[union-attr]


async def test_taking_an_address_another_portal_contact_uses_is_refused(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    first = await portal_contact(acme)
    second = await portal_contact(acme)

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", second.id), "email": first.row.email}},  # type: ignore[union-attr]
        token=admin.token,
    )

    # then
    assert error_pairs(data["updateContact"]) == [("DUPLICATE", ["input", "email"])]
    assert await _can_sign_in(gql, str(second.row.email), PASSWORD)  # type: ignore[union-attr]


async def test_revoking_portal_access_ends_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    contact = await portal_contact(acme)
    assert (await gql(ME, token=contact.token))["me"]["__typename"] == "PortalContact"

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "portalAccess": False}},
        token=admin.token,
    )

    # then
    assert data["updateContact"]["contact"]["portalAccess"] is False
    assert_unauthenticated(await gql.raw(ME, token=contact.token))
    assert not await _can_sign_in(gql, str(contact.row.email), PASSWORD)  # type: ignore[union-attr]


async def test_a_new_password_ends_other_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    contact = await portal_contact(acme)
    second_session = await token_for(contact.row)

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "password": STRONG}},
        token=admin.token,
    )

    # then
    assert data["updateContact"]["userErrors"] == []
    assert_unauthenticated(await gql.raw(ME, token=contact.token))
    assert_unauthenticated(await gql.raw(ME, token=second_session))
    assert await _can_sign_in(gql, str(contact.row.email), STRONG)


async def test_a_refused_update_ends_no_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    contact = await portal_contact(acme)

    # when: the new password is fine, the blank name is not
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "password": STRONG, "name": " "}},
        token=admin.token,
    )

    # then
    assert error_pairs(data["updateContact"]) == [("REQUIRED", ["input", "name"])]
    assert (await gql(ME, token=contact.token))["me"]["__typename"] == "PortalContact"
    assert await _can_sign_in(gql, str(contact.row.email), PASSWORD)  # type: ignore[union-attr]
