"""submitServiceRequest: portal contacts only, own sites only, input rules, the on/off
switch, and who hears about each new request (inbox and queue subscription)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from websockets.exceptions import ConnectionClosed

from models import notifications
from models import service_requests as sr
from models.accounts import Account
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_paths
from tests.conftest import Server, StatementCounter
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import (
    QUEUE_CHANGED,
    SERVICE_REQUESTS,
    SUBMIT,
    set_enabled,
    submit,
    submit_input,
    submitted,
)
from tests.ws import socket

SETTINGS = "{ companySettings { serviceRequestsEnabled } }"
INBOX = """
{
  notifications(first: 20) {
    nodes { kind title body subject { id ... on ServiceRequest { description } } }
  }
}
"""
SET_ACCOUNT_ACTIVE = """
mutation Active($input: SetAccountActiveInput!) {
  setAccountActive(input: $input) { userErrors { code } }
}
"""


# --- who may submit ------------------------------------------------------------------------


async def test_a_portal_contact_submits_for_a_site_of_its_account(gql: GraphQLClient) -> None:
    # given
    account = await make_account("Northwind")
    site = await make_site(account, "Warehouse")
    contact = await portal_contact(account)
    today = now().date()
    # when
    payload = await submit(
        gql,
        contact,
        site,
        serviceType="INSPECTION",
        description="  Yearly fire door inspection  ",
        urgency="URGENT",
        preferredDate=today.isoformat(),
    )
    # then
    assert payload["userErrors"] == []
    request = payload["serviceRequest"]
    assert request["status"] == "PENDING"
    assert request["serviceType"] == "INSPECTION"
    assert request["urgency"] == "URGENT"
    assert request["description"] == "Yearly fire door inspection"
    assert request["preferredDate"] == today.isoformat()
    assert request["account"] == {"name": "Northwind"}
    assert request["site"] == {"name": "Warehouse"}
    row = await sr.ServiceRequest.get(id=request["number"])
    assert row.contact_id == contact.id
    assert row.account_id == account.id


async def test_urgency_defaults_to_normal_and_the_preferred_date_is_optional(
    gql: GraphQLClient,
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    variables = {"input": {k: v for k, v in submit_input(site).items() if k != "urgency"}}
    # when
    data = await gql(SUBMIT, variables, token=contact.token)
    # then
    payload = data["submitServiceRequest"]
    assert payload["userErrors"] == []
    assert payload["serviceRequest"]["urgency"] == "NORMAL"
    assert payload["serviceRequest"]["preferredDate"] is None


async def test_anonymous_cannot_submit(gql: GraphQLClient) -> None:
    # given
    site = await make_site(await make_account())
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)})
    # then
    assert_unauthenticated(body)
    assert await sr.ServiceRequest.all().count() == 0


@pytest.mark.parametrize("role", list(Role))
async def test_staff_cannot_submit(gql: GraphQLClient, role: Role) -> None:
    # given
    site = await make_site(await make_account())
    person = await staff(role)
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)}, token=person.token)
    # then
    assert_forbidden(body)
    assert await sr.ServiceRequest.all().count() == 0


async def test_another_accounts_site_reads_exactly_like_a_made_up_one(gql: GraphQLClient) -> None:
    # given
    mine = await make_account()
    await make_site(mine)
    theirs = await make_site(await make_account())
    contact = await portal_contact(mine)
    # when
    foreign = await submit(gql, contact, theirs)
    made_up = await gql(
        SUBMIT,
        {"input": submit_input(theirs, siteId=gid("Site", theirs.id + 1000))},
        token=contact.token,
    )
    wrong_type = await gql(
        SUBMIT,
        {"input": submit_input(theirs, siteId=gid("Account", mine.id))},
        token=contact.token,
    )
    # then
    assert foreign["serviceRequest"] is None
    assert foreign["userErrors"] == made_up["submitServiceRequest"]["userErrors"]
    assert foreign["userErrors"] == wrong_type["submitServiceRequest"]["userErrors"]
    assert error_paths(foreign) == [("NOT_FOUND", "input.siteId")]
    assert await sr.ServiceRequest.all().count() == 0


async def test_a_contact_of_an_inactive_account_cannot_submit(gql: GraphQLClient) -> None:
    # given a signed-in contact whose account an admin then deactivates
    admin = await staff(Role.ADMIN)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    await submitted(gql, contact, site)
    data = await gql(
        SET_ACCOUNT_ACTIVE,
        {"input": {"id": gid("Account", account.id), "active": False}},
        token=admin.token,
    )
    assert data["setAccountActive"]["userErrors"] == []
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)}, token=contact.token)
    # then the session is over
    assert_unauthenticated(body)
    assert await sr.ServiceRequest.all().count() == 1


# --- input rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("", [("REQUIRED", "input.description")]),
        ("   \n\t ", [("REQUIRED", "input.description")]),
        ("x" * 5_001, [("TOO_LONG", "input.description")]),
        ("x" * 5_000, []),
        ("  " + "x" * 5_000 + "  ", []),  # trimmed before it is measured
    ],
    ids=["empty", "blank", "5001", "5000", "5000-padded"],
)
async def test_description_is_required_and_at_most_5000_characters(
    gql: GraphQLClient, description: str, expected: list[tuple[str, str]]
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    payload = await submit(gql, contact, site, description=description)
    # then
    assert error_paths(payload) == expected
    assert (payload["serviceRequest"] is None) == bool(expected)
    assert await sr.ServiceRequest.all().count() == (0 if expected else 1)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-1, [("INVALID", "input.preferredDate")]),
        (-365, [("INVALID", "input.preferredDate")]),
        (0, []),
        (1, []),
        (90, []),
    ],
    ids=["yesterday", "last-year", "today", "tomorrow", "in-90-days"],
)
async def test_the_preferred_date_cannot_be_in_the_past(
    gql: GraphQLClient, days: int, expected: list[tuple[str, str]]
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    preferred = now().date() + timedelta(days=days)
    # when
    payload = await submit(gql, contact, site, preferredDate=preferred.isoformat())
    # then
    assert error_paths(payload) == expected
    if not expected:
        assert payload["serviceRequest"]["preferredDate"] == preferred.isoformat()


async def test_an_unknown_service_type_is_a_validation_error(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    body = await gql.raw(
        SUBMIT, {"input": submit_input(site, serviceType="PAINTING")}, token=contact.token
    )
    # then
    assert body.get("errors")
    assert await sr.ServiceRequest.all().count() == 0


# --- the company switch ---------------------------------------------------------------------


async def test_a_portal_contact_reads_whether_service_requests_are_enabled(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    contact = await portal_contact(await make_account())
    # when / then
    assert await gql(SETTINGS, token=contact.token) == {
        "companySettings": {"serviceRequestsEnabled": True}
    }
    await set_enabled(gql, admin, False)
    assert await gql(SETTINGS, token=contact.token) == {
        "companySettings": {"serviceRequestsEnabled": False}
    }
    assert_unauthenticated(await gql.raw(SETTINGS))


async def test_while_disabled_submitting_is_refused_and_existing_requests_stay_visible(
    gql: GraphQLClient,
) -> None:
    # given a request submitted while enabled, then an admin turns them off
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    existing = await submitted(gql, contact, site)
    await set_enabled(gql, admin, False)
    # when
    refused = await submit(gql, contact, site, description="Another one")
    # then
    assert refused["serviceRequest"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["SERVICE_REQUESTS_DISABLED"]
    assert await sr.ServiceRequest.all().count() == 1
    for viewer in (contact, dispatcher, admin):
        listed = await gql(SERVICE_REQUESTS, {"first": 10}, token=viewer.token)
        assert [n["id"] for n in listed["serviceRequests"]["nodes"]] == [existing]
    # when turned back on
    await set_enabled(gql, admin, True)
    # then
    await submitted(gql, contact, site, description="Another one")
    assert await sr.ServiceRequest.all().count() == 2


async def test_while_disabled_even_an_invalid_submission_says_disabled(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    await set_enabled(gql, admin, False)
    # when
    payload = await submit(gql, contact, site, description="")
    # then the portal shows the one message that matters
    assert [e["code"] for e in payload["userErrors"]] == ["SERVICE_REQUESTS_DISABLED"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_switch_service_requests_off(gql: GraphQLClient, role: Role) -> None:
    # given
    person = await staff(role)
    contact = await portal_contact(await make_account())
    mutation = """
    mutation { updateCompanySettings(input: {serviceRequestsEnabled: false}) {
      userErrors { code } } }
    """
    # when / then
    assert_forbidden(await gql.raw(mutation, token=person.token))
    assert_forbidden(await gql.raw(mutation, token=contact.token))
    assert_unauthenticated(await gql.raw(mutation))
    assert await gql(SETTINGS, token=person.token) == {
        "companySettings": {"serviceRequestsEnabled": True}
    }


# --- who hears about it ------------------------------------------------------------------


async def test_dispatchers_and_admins_are_notified_of_each_new_request(
    gql: GraphQLClient,
) -> None:
    # given one person of every role, and a dispatcher who has left
    people = {role: await staff(role) for role in Role}
    both = await staff(Role.TECHNICIAN, Role.DISPATCHER)
    gone = await staff(Role.DISPATCHER)
    gone.row.is_active = False
    await gone.row.save()
    account = await make_account("Northwind")
    site = await make_site(account, "Warehouse")
    contact = await portal_contact(account)
    # when the contact submits twice
    first = await submitted(gql, contact, site, description="Dock door stuck")
    second = await submitted(gql, contact, site, description="Lights out", urgency="URGENT")
    # then each reviewer has two notifications, about those requests
    for person in (people[Role.ADMIN], people[Role.DISPATCHER], both):
        inbox = (await gql(INBOX, token=person.token))["notifications"]["nodes"]
        assert [n["kind"] for n in inbox] == ["SERVICE_REQUEST_SUBMITTED"] * 2
        assert [n["subject"]["id"] for n in inbox] == [first, second]
        assert "Northwind" in inbox[1]["title"] and "urgent" in inbox[1]["title"]
        assert "Warehouse" in inbox[1]["body"]
    # and nobody else has any
    for role in (Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER, Role.ACCOUNTING):
        inbox = (await gql(INBOX, token=people[role].token))["notifications"]["nodes"]
        assert inbox == [], role
    assert (await gql(INBOX, token=contact.token))["notifications"]["nodes"] == []
    assert not await notifications.Notification.filter(user_id=gone.id).exists()


async def test_a_refused_submission_notifies_nobody(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    payload = await submit(gql, contact, site, description="")
    # then
    assert payload["userErrors"]
    assert (await gql(INBOX, token=dispatcher.token))["notifications"]["nodes"] == []


async def test_a_dispatcher_subscribed_to_the_queue_hears_of_a_submission_within_a_second(
    server: Server, gql: GraphQLClient
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.1)  # the subscription is registered with the broker
        # when
        await submitted(gql, contact, site)
        message = await ws.receive()
        # then
        assert message == {
            "id": "q",
            "type": "next",
            "payload": {"data": {"serviceRequestQueueChanged": {"pendingCount": 1}}},
        }
        # and a second submission counts two
        await submitted(gql, contact, site)
        message = await ws.receive()
        assert message["payload"]["data"]["serviceRequestQueueChanged"] == {"pendingCount": 2}


async def test_a_refused_submission_publishes_nothing(server: Server, gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    async with socket(server.ws_url, admin.token) as ws:
        await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.1)
        # when
        await submit(gql, contact, site, description="")
        # then
        assert await ws.nothing_within(0.5)


@pytest.mark.parametrize("who", ["technician", "account manager", "portal contact"])
async def test_only_reviewers_may_subscribe_to_the_queue(
    server: Server, gql: GraphQLClient, who: str
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    submitter = await portal_contact(account)
    tokens = {
        "technician": (await staff(Role.TECHNICIAN)).token,
        "account manager": (await staff(Role.ACCOUNT_MANAGER)).token,
        "portal contact": (await portal_contact(account)).token,
    }
    async with socket(server.ws_url, tokens[who]) as ws:
        # when
        await ws.subscribe("q", QUEUE_CHANGED)
        refused = await ws.receive()
        # then the subscription is refused with an error, and nothing follows
        assert refused["id"] == "q"
        assert refused["type"] in ("error", "next")
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        await submitted(gql, submitter, site)
        assert await ws.nothing_within(0.5)


async def test_an_anonymous_socket_is_closed_before_it_can_subscribe(server: Server) -> None:
    # when / then
    with pytest.raises(ConnectionClosed) as closed:
        async with socket(server.ws_url, None) as ws:
            await ws.subscribe("q", QUEUE_CHANGED)
            await ws.receive()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_the_submitted_request_is_in_the_queue(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account: Account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    await submitted(gql, contact, site)
    # then
    data = await gql("{ serviceRequestQueue { pendingCount } }", token=dispatcher.token)
    assert data == {"serviceRequestQueue": {"pendingCount": 1}}


async def test_many_reviewers_share_one_count_per_change(
    server: Server, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given eight reviewers watching the queue
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    reviewers = [await staff(Role.DISPATCHER) for _ in range(8)]
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(socket(server.ws_url, person.token))
            for person in reviewers
        ]
        for ws in sockets:
            await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.1)
        # when one request is submitted
        count_statements.statements.clear()
        await submitted(gql, contact, site)
        messages = [await ws.receive() for ws in sockets]
    # then every reviewer sees the new count, computed once for all of them
    assert {
        m["payload"]["data"]["serviceRequestQueueChanged"]["pendingCount"] for m in messages
    } == {1}
    counts = [
        s
        for s in count_statements.statements
        if s.lstrip().upper().startswith("SELECT COUNT(*)") and '"service_requests"' in s
    ]
    assert len(counts) == 1, counts
