"""updateContact, including granting and revoking portal access."""

from __future__ import annotations

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
    PASSWORD,
    make_account,
    make_contact,
    portal_contact,
    staff,
    token_for,
)
from tests.ids import gid

UPDATE_CONTACT = """
mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) {
    contact { id name email phone title portalAccess }
    userErrors { code field message }
  }
}
"""


ME = "query { me { __typename } }"


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
