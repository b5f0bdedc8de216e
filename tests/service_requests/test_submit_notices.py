"""Who hears of a submitted service request: notices to reviewers and the live queue."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.exceptions import ConnectionClosed

from models import notifications
from models.accounts import Account
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server, StatementCounter
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import (
    QUEUE_CHANGED,
    submit,
    submitted,
)
from tests.ws import socket

INBOX = """
{
  notifications(first: 20) {
    nodes { kind title body subject { id ... on ServiceRequest { description } } }
  }
}
"""


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
        # then (with the event's cursor, to resume from)
        assert message == {
            "id": "q",
            "type": "next",
            "payload": {
                "data": {"serviceRequestQueueChanged": {"pendingCount": 1}},
                "extensions": {"cursor": message["payload"]["extensions"]["cursor"]},
            },
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
    # (the pending count is read from the kept tally: one read of it per change)
    counts = [s for s in count_statements.statements if '"service_request_tallies"' in s]
    assert len(counts) == 1, counts
