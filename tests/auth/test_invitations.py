"""inviteUser and inviteContact: a mail with a link to choose a password (seven days,
single use), sent by who may manage the person; the password is never typed by an admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api.settings import Settings
from models.access import AccessGrant
from models.permissions import Role
from tests.auth.links import (
    INVITE_CONTACT,
    INVITE_USER,
    NEW_PASSWORD,
    last_token,
    mails_to,
    move_clock,
    set_password,
    token_in,
)
from tests.auth.operations import login
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_paths,
)
from tests.factories import (
    Person,
    make_account,
    make_contact,
    make_user,
    portal_contact,
    staff,
)
from tests.ids import gid
from tests.smtp import SmtpServer, mail_worker

CREATE_USER = """
mutation Create($input: CreateUserInput!) {
  createUser(input: $input) { user { id email } userErrors { code field } }
}
"""
GRANT_PORTAL = """
mutation Grant($input: UpdateContactInput!) {
  updateContact(input: $input) { contact { id portalAccess } userErrors { code field } }
}
"""
NOT_ADMINS = [r for r in Role if r is not Role.ADMIN]
MAY_NOT_CHANGE_CONTACTS = [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING]


async def _invite_user(gql: GraphQLClient, by: Person, user_id: int) -> dict[str, Any]:
    body = await gql.raw(INVITE_USER, {"input": {"userId": gid("User", user_id)}}, by.token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["inviteUser"]
    return payload


async def _invite_contact(gql: GraphQLClient, by: Person, contact_id: int) -> dict[str, Any]:
    variables = {"input": {"contactId": gid("Contact", contact_id)}}
    body = await gql.raw(INVITE_CONTACT, variables, by.token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["inviteContact"]
    return payload


# --- staff ------------------------------------------------------------------------------


async def test_an_admin_creates_a_user_without_a_password_and_invites_them(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given an admin adds Tess, typing no password
    admin = await staff(Role.ADMIN, name="Ada Admin")
    created = await gql(
        CREATE_USER,
        {"input": {"name": "Tess Tech", "email": "tess@example.com", "roles": ["TECHNICIAN"]}},
        token=admin.token,
    )
    assert created["createUser"]["userErrors"] == []
    tess_id = created["createUser"]["user"]["id"]
    assert (await login(gql, "tess@example.com", ""))["token"] is None

    # when the admin invites her and she follows the link
    payload = await gql(INVITE_USER, {"input": {"userId": tess_id}}, token=admin.token)
    [mail] = await mails_to("tess@example.com")
    token = token_in(mail.text_body, settings.app_url)
    chosen = await set_password(gql, token)

    # then she signs in with the password she chose
    assert payload["inviteUser"] == {
        "user": {"id": tess_id, "name": "Tess Tech"},
        "userErrors": [],
    }
    assert mail.subject == "You are invited to Docket"
    assert "Ada Admin invited you" in mail.text_body
    assert "7 days" in mail.text_body
    assert chosen == {"ok": True, "email": "tess@example.com", "userErrors": []}
    signed_in = await login(gql, "tess@example.com", NEW_PASSWORD)
    assert signed_in["viewer"]["id"] == tess_id


async def test_the_invitation_arrives_over_smtp(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tess = await make_user(Role.TECHNICIAN, email="tess@example.com")
    await _invite_user(gql, admin, tess.id)

    # when
    assert await mail_worker(settings, smtp).run_once() == 1

    # then
    [message] = smtp.messages
    assert message["To"] == "tess@example.com"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert (await set_password(gql, token_in(text.get_content(), settings.app_url)))["ok"]


async def test_an_invitation_works_once(gql: GraphQLClient, settings: Settings) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tess = await make_user(Role.TECHNICIAN)
    await _invite_user(gql, admin, tess.id)
    token = await last_token(tess.email, settings.app_url)
    assert (await set_password(gql, token))["ok"] is True

    # when
    again = await set_password(gql, token, "somebody else's phrase")

    # then
    assert error_paths(again) == [("INVALID_TOKEN", "input.token")]
    assert (await login(gql, tess.email, NEW_PASSWORD))["userErrors"] == []


async def test_an_invitation_lasts_seven_days(
    gql: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two invitations sent now
    admin = await staff(Role.ADMIN)
    prompt = await make_user(Role.TECHNICIAN)
    slow = await make_user(Role.TECHNICIAN)
    await _invite_user(gql, admin, prompt.id)
    await _invite_user(gql, admin, slow.id)
    prompt_token = await last_token(prompt.email, settings.app_url)
    slow_token = await last_token(slow.email, settings.app_url)

    # when one is used on the sixth day, the other on the eighth
    move_clock(monkeypatch, timedelta(days=6))
    in_time = await set_password(gql, prompt_token)
    move_clock(monkeypatch, timedelta(days=2))
    too_late = await set_password(gql, slow_token)

    # then
    assert in_time["ok"] is True
    assert error_paths(too_late) == [("INVALID_TOKEN", "input.token")]


async def test_a_new_invitation_ends_the_earlier_one(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tess = await make_user(Role.TECHNICIAN)
    await _invite_user(gql, admin, tess.id)
    first = await last_token(tess.email, settings.app_url)

    # when
    await _invite_user(gql, admin, tess.id)

    # then
    assert error_paths(await set_password(gql, first)) == [("INVALID_TOKEN", "input.token")]
    assert (await set_password(gql, await last_token(tess.email, settings.app_url)))["ok"]
    assert await AccessGrant.filter(used_at__isnull=False).count() == 1


async def test_inactive_and_unknown_users_are_not_invited(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    inactive = await make_user(Role.TECHNICIAN, active=False)

    # when
    refused = await _invite_user(gql, admin, inactive.id)
    unknown = await _invite_user(gql, admin, 999_999)

    # then
    assert error_paths(refused) == [("USER_INACTIVE", "input.userId")]
    assert error_paths(unknown) == [("NOT_FOUND", "input.userId")]
    assert await mails_to(inactive.email) == []


@pytest.mark.parametrize("role", NOT_ADMINS)
async def test_only_admins_invite_staff(gql: GraphQLClient, role: Role) -> None:
    # given
    someone = await staff(role)
    tess = await make_user(Role.TECHNICIAN)

    # when
    body = await gql.raw(INVITE_USER, {"input": {"userId": gid("User", tess.id)}}, someone.token)

    # then
    assert_forbidden(body)
    assert await mails_to(tess.email) == []


async def test_portal_contacts_and_anonymous_callers_invite_no_one(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    tess = await make_user(Role.TECHNICIAN)
    variables = {"input": {"userId": gid("User", tess.id)}}
    contact_variables = {"input": {"contactId": gid("Contact", contact.id)}}

    # when / then
    assert_forbidden(await gql.raw(INVITE_USER, variables, contact.token))
    assert_forbidden(await gql.raw(INVITE_CONTACT, contact_variables, contact.token))
    assert_unauthenticated(await gql.raw(INVITE_USER, variables))
    assert_unauthenticated(await gql.raw(INVITE_CONTACT, contact_variables))


# --- portal contacts --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_staff_who_manage_accounts_give_portal_access_and_invite(
    gql: GraphQLClient, settings: Settings, role: Role
) -> None:
    # given a contact given portal access without a password
    someone = await staff(role)
    account = await make_account("Acme")
    contact = await make_contact(account, name="Carla Contact")
    granted = await gql(
        GRANT_PORTAL,
        {"input": {"id": gid("Contact", contact.id), "portalAccess": True}},
        token=someone.token,
    )
    assert granted["updateContact"]["userErrors"] == []
    assert contact.email is not None

    # when she is invited and follows the link
    payload = await _invite_contact(gql, someone, contact.id)
    token = await last_token(contact.email, settings.app_url)
    chosen = await set_password(gql, token)

    # then she signs in to the portal
    assert payload == {
        "contact": {"id": gid("Contact", contact.id), "name": "Carla Contact"},
        "userErrors": [],
    }
    assert chosen == {"ok": True, "email": contact.email, "userErrors": []}
    signed_in = await login(gql, contact.email, NEW_PASSWORD)
    assert signed_in["viewer"]["__typename"] == "PortalContact"


async def test_an_account_manager_invites_the_contacts_of_own_accounts_only(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Acme, not Bolt
    maya = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account("Acme", manager=maya.user)
    bolt = await make_account("Bolt")
    own = await make_contact(acme, portal=True)
    other = await make_contact(bolt, portal=True)

    # when
    invited = await _invite_contact(gql, maya, own.id)
    refused = await _invite_contact(gql, maya, other.id)

    # then Bolt's contact answers as one that does not exist
    assert invited["userErrors"] == []
    assert error_paths(refused) == [("NOT_FOUND", "input.contactId")]
    assert await mails_to(str(other.portal_email)) == []


@pytest.mark.parametrize("role", MAY_NOT_CHANGE_CONTACTS)
async def test_staff_who_may_not_change_contacts_invite_none(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    someone = await staff(role)
    contact = await make_contact(await make_account(), portal=True)

    # when
    body = await gql.raw(
        INVITE_CONTACT, {"input": {"contactId": gid("Contact", contact.id)}}, someone.token
    )

    # then
    assert_forbidden(body)
    assert await mails_to(str(contact.portal_email)) == []


async def test_a_contact_needs_portal_access_and_an_active_account(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    offline = await make_contact(await make_account())
    closed = await make_contact(await make_account(active=False), portal=True)

    # when
    no_access = await _invite_contact(gql, admin, offline.id)
    inactive = await _invite_contact(gql, admin, closed.id)

    # then
    assert error_paths(no_access) == [("NO_PORTAL_ACCESS", "input.contactId")]
    assert error_paths(inactive) == [("ACCOUNT_INACTIVE", "input.contactId")]
    assert await AccessGrant.all().count() == 0


async def test_a_contact_whose_portal_access_ended_cannot_use_the_link(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given an invited contact whose access is then taken away
    admin = await staff(Role.ADMIN)
    contact = await make_contact(await make_account(), portal=True)
    await _invite_contact(gql, admin, contact.id)
    token = await last_token(str(contact.portal_email), settings.app_url)
    revoked = await gql(
        GRANT_PORTAL,
        {"input": {"id": gid("Contact", contact.id), "portalAccess": False}},
        token=admin.token,
    )
    assert revoked["updateContact"]["userErrors"] == []

    # when
    payload = await set_password(gql, token)

    # then
    assert error_paths(payload) == [("INVALID_TOKEN", "input.token")]
