"""Notification preferences: each staff user chooses, per kind, in the app and by e-mail;
every notification follows them (no row: the kind's default)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.notifications import DEFAULT_CHANNELS, Notification, NotificationKind
from models.outbox import OutboxEmail
from models.permissions import Role
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_type
from tests.accounts.operations import set_manager
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_codes,
    error_paths,
)
from tests.conftest import Server, StatementCounter
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import submitted
from tests.ws import socket

PREFERENCES = "{ notificationPreferences { kind inApp email } }"
UPDATE = """
mutation Update($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    notificationPreferences { kind inApp email }
    userErrors { code field message }
  }
}
"""
ADDED = "subscription { notificationAdded { kind title } }"


async def _update(gql: GraphQLClient, person: Person, *choices: dict[str, Any]) -> dict[str, Any]:
    data = await gql(UPDATE, {"input": {"preferences": list(choices)}}, token=person.token)
    payload: dict[str, Any] = data["updateNotificationPreferences"]
    return payload


async def _choose(
    gql: GraphQLClient, person: Person, kind: str, *, in_app: bool, email: bool
) -> None:
    payload = await _update(gql, person, {"kind": kind, "inApp": in_app, "email": email})
    assert payload["userErrors"] == [], payload


def _by_kind(preferences: list[dict[str, Any]]) -> dict[str, tuple[bool, bool]]:
    return {p["kind"]: (p["inApp"], p["email"]) for p in preferences}


async def _raise_on(gql: GraphQLClient, account_id: int) -> None:
    """A dispatcher raises a request on the account."""
    dispatcher = await staff(Role.DISPATCHER)
    request_type = await make_type()
    payload = await create_request(
        gql,
        dispatcher.token,
        accountId=gid("Account", account_id),
        typeId=gid("AccountRequestType", request_type.id),
    )
    assert payload["userErrors"] == [], payload


async def _mail_count(person: Person) -> int:
    return await OutboxEmail.filter(to_address=person.user.email).count()


async def _inbox_count(person: Person) -> int:
    return await Notification.filter(user_id=person.id).count()


# --- reading and choosing ----------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_every_staff_role_reads_every_kind_with_its_default(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    person = await staff(role)

    # when
    data = await gql(PREFERENCES, token=person.token)

    # then every kind is listed, in the app by default, by e-mail per the kind
    listed = data["notificationPreferences"]
    assert [p["kind"] for p in listed] == [kind.value for kind in NotificationKind]
    assert _by_kind(listed) == {
        kind.value: (True, DEFAULT_CHANNELS[kind].email) for kind in NotificationKind
    }
    assert _by_kind(listed)["ACCOUNT_REQUEST_RAISED"] == (True, True)
    assert _by_kind(listed)["ACCOUNT_ASSIGNED"] == (True, True)
    assert _by_kind(listed)["SERVICE_REQUEST_SUBMITTED"] == (True, False)
    assert _by_kind(listed)["ACCOUNT_REQUEST_ASSIGNED"] == (True, False)


async def test_a_user_changes_their_own_preferences_only(gql: GraphQLClient) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)

    # when Maya turns two kinds around
    payload = await _update(
        gql,
        maya,
        {"kind": "ACCOUNT_REQUEST_RAISED", "inApp": True, "email": False},
        {"kind": "SERVICE_REQUEST_SUBMITTED", "inApp": False, "email": True},
    )

    # then the answer and a later read say so; the other kinds and Mo keep the defaults
    assert payload["userErrors"] == []
    chosen = _by_kind(payload["notificationPreferences"])
    assert chosen["ACCOUNT_REQUEST_RAISED"] == (True, False)
    assert chosen["SERVICE_REQUEST_SUBMITTED"] == (False, True)
    assert chosen["ACCOUNT_ASSIGNED"] == (True, True)
    assert _by_kind((await gql(PREFERENCES, token=maya.token))["notificationPreferences"]) == chosen
    theirs = _by_kind((await gql(PREFERENCES, token=mo.token))["notificationPreferences"])
    assert theirs["ACCOUNT_REQUEST_RAISED"] == (True, True)
    assert theirs["SERVICE_REQUEST_SUBMITTED"] == (True, False)


async def test_choosing_the_default_again_restores_it(gql: GraphQLClient) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    await _choose(gql, maya, "ACCOUNT_ASSIGNED", in_app=False, email=False)

    # when
    await _choose(gql, maya, "ACCOUNT_ASSIGNED", in_app=True, email=True)

    # then
    listed = (await gql(PREFERENCES, token=maya.token))["notificationPreferences"]
    assert _by_kind(listed)["ACCOUNT_ASSIGNED"] == (True, True)


async def test_a_kind_named_twice_is_refused_and_nothing_changes(gql: GraphQLClient) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)

    # when
    payload = await _update(
        gql,
        maya,
        {"kind": "ACCOUNT_ASSIGNED", "inApp": False, "email": False},
        {"kind": "ACCOUNT_ASSIGNED", "inApp": True, "email": False},
    )

    # then
    assert error_paths(payload) == [("DUPLICATE", "input.preferences.1.kind")]
    assert payload["notificationPreferences"] is None
    listed = (await gql(PREFERENCES, token=maya.token))["notificationPreferences"]
    assert _by_kind(listed)["ACCOUNT_ASSIGNED"] == (True, True)


async def test_more_than_100_choices_are_refused(gql: GraphQLClient) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    choice = {"kind": "ACCOUNT_ASSIGNED", "inApp": True, "email": False}

    # when
    body = await gql.raw(UPDATE, {"input": {"preferences": [choice] * 101}}, maya.token)

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_anonymous_callers_are_refused(gql: GraphQLClient) -> None:
    # when
    read = await gql.raw(PREFERENCES)
    update = await gql.raw(UPDATE, {"input": {"preferences": []}})

    # then
    assert_unauthenticated(read)
    assert_unauthenticated(update)


async def test_portal_contacts_have_no_preferences_to_read_or_change(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    choice = {"kind": "SERVICE_REQUEST_APPROVED", "inApp": False, "email": False}

    # when
    read = await gql.raw(PREFERENCES, token=contact.token)
    update = await gql.raw(UPDATE, {"input": {"preferences": [choice]}}, token=contact.token)

    # then
    assert_forbidden(read)
    assert_forbidden(update)


# --- every notification follows them ------------------------------------------------------


async def test_email_off_keeps_the_notice_in_the_app_and_sends_no_mail(
    gql: GraphQLClient,
) -> None:
    # given Maya manages the account and wants new requests in the app only
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    await _choose(gql, maya, "ACCOUNT_REQUEST_RAISED", in_app=True, email=False)

    # when
    await _raise_on(gql, account.id)

    # then
    assert await _inbox_count(maya) == 1
    assert await _mail_count(maya) == 0


async def test_in_app_off_writes_no_notice_and_publishes_nothing_but_mails(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya wants new requests by e-mail only, and follows her notifications
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    await _choose(gql, maya, "ACCOUNT_REQUEST_RAISED", in_app=False, email=True)
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)
        # when
        await _raise_on(gql, account.id)
        # then
        assert await ws.nothing_within(0.5)
    assert await _inbox_count(maya) == 0
    assert await _mail_count(maya) == 1


async def test_both_off_tells_nothing(gql: GraphQLClient) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    await _choose(gql, maya, "ACCOUNT_REQUEST_RAISED", in_app=False, email=False)

    # when
    await _raise_on(gql, account.id)

    # then
    assert await _inbox_count(maya) == 0
    assert await _mail_count(maya) == 0


async def test_email_on_mails_a_kind_that_has_no_mail_of_its_own(gql: GraphQLClient) -> None:
    # given a dispatcher who wants portal submissions by e-mail too, and one who does not
    keen = await staff(Role.DISPATCHER, name="Kim Keen")
    quiet = await staff(Role.DISPATCHER)
    await _choose(gql, keen, "SERVICE_REQUEST_SUBMITTED", in_app=True, email=True)
    account = await make_account("Northwind")

    # when a customer submits
    await submitted(gql, await portal_contact(account), await make_site(account))

    # then
    [mail] = await OutboxEmail.filter(to_address=keen.user.email)
    assert mail.template == "notification"
    assert "Northwind" in mail.subject
    assert mail.text_body.startswith("Hello Kim Keen,")
    assert await _mail_count(quiet) == 0
    assert await _inbox_count(keen) == await _inbox_count(quiet) == 1


async def test_preferences_apply_to_the_notices_that_existed_before_them(
    gql: GraphQLClient,
) -> None:
    # given Maya wants no mail when she is given an account
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    await _choose(gql, maya, "ACCOUNT_ASSIGNED", in_app=True, email=False)

    # when
    await set_manager(gql, admin, (await make_account()).id, maya)

    # then
    assert await _inbox_count(maya) == 1
    assert await _mail_count(maya) == 0


async def test_preferences_are_read_once_per_notification_whatever_the_recipients(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given eight reviewers, some with a choice of their own
    reviewers = [await staff(Role.DISPATCHER) for _ in range(8)]
    for reviewer in reviewers[:3]:
        await _choose(gql, reviewer, "SERVICE_REQUEST_SUBMITTED", in_app=True, email=True)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    count_statements.statements.clear()

    # when a customer submits
    await submitted(gql, contact, site)

    # then the preferences of all eight were read in one statement
    reads = [s for s in count_statements.statements if "notification_preferences" in s]
    assert len(reads) == 1, reads
    assert await OutboxEmail.filter(template="notification").count() == 3
