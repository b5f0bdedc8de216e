"""requestPasswordReset and setPasswordWithToken: a link by mail (through the outbox),
single use, one hour; the same answer whether or not the address has an account; a
throttle per address and per client; earlier sessions end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.settings import Settings
from models.access import AccessGrant
from models.permissions import Role
from tests.auth.links import (
    NEW_PASSWORD,
    last_token,
    mails_to,
    move_clock,
    request_reset,
    set_password,
    token_in,
)
from tests.auth.operations import ME, login
from tests.client import GraphQLClient, assert_unauthenticated, error_paths
from tests.factories import PASSWORD, make_account, make_contact, make_user, staff, token_for
from tests.smtp import SmtpServer, mail_worker

OK = {"ok": True, "userErrors": []}


async def test_a_staff_user_resets_their_password_and_their_sessions_end(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given Dana is signed in somewhere, and forgot her password
    dana = await staff(Role.DISPATCHER, name="Dana Dispatch")

    # when she asks for a reset and follows the link in the mail
    assert await request_reset(gql, f"  {dana.user.email.upper()} ") == OK
    [mail] = await mails_to(dana.user.email)
    assert mail.subject == "Choose a new Docket password"
    assert mail.template == "password_reset"
    assert "one hour" in mail.text_body
    token = token_in(mail.text_body, settings.app_url)
    payload = await set_password(gql, token)

    # then the new password signs her in, the old one does not, the old session ended
    assert payload == {"ok": True, "email": dana.user.email, "userErrors": []}
    assert (await login(gql, dana.user.email, NEW_PASSWORD))["userErrors"] == []
    assert (await login(gql, dana.user.email, PASSWORD))["token"] is None
    assert_unauthenticated(await gql.raw(ME, token=dana.token))
    # only the HMAC of the token is kept
    [grant] = await AccessGrant.all()
    assert token not in grant.token_hash
    assert grant.used_at is not None


async def test_a_portal_contact_resets_their_password(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given
    contact = await make_contact(await make_account(), portal=True, name="Carla Contact")
    assert contact.portal_email is not None
    session = await token_for(contact)

    # when
    assert await request_reset(gql, contact.portal_email) == OK
    token = await last_token(contact.portal_email, settings.app_url)
    payload = await set_password(gql, token)

    # then
    assert payload == {"ok": True, "email": contact.portal_email, "userErrors": []}
    signed_in = await login(gql, contact.portal_email, NEW_PASSWORD)
    assert signed_in["viewer"]["__typename"] == "PortalContact"
    assert_unauthenticated(await gql.raw(ME, token=session))


async def test_the_reset_mail_arrives_over_smtp_with_a_working_link(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    dana = await staff(Role.TECHNICIAN, name="Dana Tech")
    await request_reset(gql, dana.user.email)

    # when the mail worker delivers it
    assert await mail_worker(settings, smtp).run_once() == 1

    # then the token read from the delivered text sets the password
    [message] = smtp.messages
    assert message["To"] == dana.user.email
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    token = token_in(text.get_content(), settings.app_url)
    assert token in html.get_content()
    assert (await set_password(gql, token))["ok"] is True
    assert (await login(gql, dana.user.email, NEW_PASSWORD))["userErrors"] == []


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(gql: GraphQLClient) -> None:
    # given an inactive user and a contact without portal access, besides no one at all
    inactive = await make_user(Role.DISPATCHER, active=False)
    no_portal = await make_contact(await make_account())
    assert no_portal.email is not None

    # when
    answers = [
        await request_reset(gql, address)
        for address in ("nobody@example.com", inactive.email, no_portal.email, "not an address")
    ]

    # then every answer is the one a real account gets, and no mail is queued
    assert answers == [OK] * 4
    assert await mails_to("nobody@example.com") == []
    assert await mails_to(inactive.email) == []
    assert await mails_to(no_portal.email) == []
    assert await AccessGrant.all().count() == 0


async def test_a_link_works_once(gql: GraphQLClient, settings: Settings) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    await request_reset(gql, dana.user.email)
    token = await last_token(dana.user.email, settings.app_url)
    assert (await set_password(gql, token))["ok"] is True

    # when the link is used again
    again = await set_password(gql, token, "yet another secret phrase")

    # then
    assert again["ok"] is False
    assert error_paths(again) == [("INVALID_TOKEN", "input.token")]
    assert (await login(gql, dana.user.email, NEW_PASSWORD))["userErrors"] == []


async def test_an_unknown_token_is_refused_alike(gql: GraphQLClient) -> None:
    # when
    answers = [await set_password(gql, token) for token in ("made-up", "", "x" * 5000)]

    # then
    assert [error_paths(a) for a in answers] == [[("INVALID_TOKEN", "input.token")]] * 3


async def test_a_link_expires_after_one_hour(
    gql: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two links, asked for an hour ago
    early = await staff(Role.DISPATCHER)
    late = await staff(Role.DISPATCHER)
    await request_reset(gql, early.user.email)
    await request_reset(gql, late.user.email)
    early_token = await last_token(early.user.email, settings.app_url)
    late_token = await last_token(late.user.email, settings.app_url)

    # when one is used just in time and the other just too late
    move_clock(monkeypatch, timedelta(minutes=59))
    in_time = await set_password(gql, early_token)
    move_clock(monkeypatch, timedelta(minutes=2))
    too_late = await set_password(gql, late_token)

    # then
    assert in_time["ok"] is True
    assert error_paths(too_late) == [("INVALID_TOKEN", "input.token")]
    assert (await login(gql, late.user.email, PASSWORD))["userErrors"] == []


async def test_a_new_reset_ends_the_earlier_link(gql: GraphQLClient, settings: Settings) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    await request_reset(gql, dana.user.email)
    first = await last_token(dana.user.email, settings.app_url)

    # when
    await request_reset(gql, dana.user.email)
    second = await last_token(dana.user.email, settings.app_url)

    # then
    assert error_paths(await set_password(gql, first)) == [("INVALID_TOKEN", "input.token")]
    assert (await set_password(gql, second))["ok"] is True


async def test_a_weak_password_is_refused_and_the_link_still_works(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    await request_reset(gql, dana.user.email)
    token = await last_token(dana.user.email, settings.app_url)

    # when
    weak = await set_password(gql, token, "short")
    strong = await set_password(gql, token)

    # then
    assert error_paths(weak) == [("WEAK_PASSWORD", "input.password")]
    assert strong["ok"] is True


async def test_a_link_of_a_user_deactivated_since_is_refused(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    await request_reset(gql, dana.user.email)
    token = await last_token(dana.user.email, settings.app_url)
    dana.user.is_active = False
    await dana.user.save()

    # when
    payload = await set_password(gql, token)

    # then
    assert error_paths(payload) == [("INVALID_TOKEN", "input.token")]


async def test_resets_are_throttled_per_address_alike_for_known_and_unknown(
    gql: GraphQLClient,
) -> None:
    # given
    dana = await staff(Role.DISPATCHER)

    # when each address asks four times
    known = [await request_reset(gql, dana.user.email) for _ in range(4)]
    unknown = [await request_reset(gql, "nobody@example.com") for _ in range(4)]

    # then the fourth is refused for both, with the same answer; three mails went out
    assert known[:3] == unknown[:3] == [OK] * 3
    assert known[3] == unknown[3]
    assert known[3]["ok"] is False
    assert error_paths(known[3]) == [("TOO_MANY_ATTEMPTS", "input.email")]
    assert len(await mails_to(dana.user.email)) == 3


async def test_resets_are_throttled_per_client(gql: GraphQLClient) -> None:
    # when one client asks for eleven different addresses
    answers = [await request_reset(gql, f"someone{n}@example.com") for n in range(11)]

    # then the eleventh is refused
    assert answers[:10] == [OK] * 10
    assert error_paths(answers[10]) == [("TOO_MANY_ATTEMPTS", "input.email")]
