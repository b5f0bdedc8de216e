"""Subscribers of the same event share one execution per (document, variables, scope)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from api import fanout
from fastpath import shared_events
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import QUEUE_CHANGED, submitted
from tests.ws import Socket, socket, subscribed

WITH_TYPENAME = "subscription { serviceRequestQueueChanged { __typename pendingCount } }"
MAYBE_COUNT = """subscription($count: Boolean!) {
  serviceRequestQueueChanged { __typename pendingCount @include(if: $count) }
}"""


async def _watching(
    stack: contextlib.AsyncExitStack,
    server: Server,
    token: str,
    query: str,
    variables: dict[str, Any] | None = None,
) -> Socket:
    return await subscribed(stack, server.ws_url, token, query, variables)


@pytest.mark.fast_paths
async def test_same_document_and_permissions_execute_once_per_event(
    server: Server, gql: GraphQLClient
) -> None:
    # given six dispatchers on one document, an admin (other permissions) on it,
    # a dispatcher on another document, and two dispatchers whose variables differ
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    dispatchers = [await staff(Role.DISPATCHER) for _ in range(9)]
    admin = await staff(Role.ADMIN)
    async with contextlib.AsyncExitStack() as stack:
        same = [await _watching(stack, server, d.token, QUEUE_CHANGED) for d in dispatchers[:6]]
        other_scope = await _watching(stack, server, admin.token, QUEUE_CHANGED)
        other_document = await _watching(stack, server, dispatchers[6].token, WITH_TYPENAME)
        counted = await _watching(stack, server, dispatchers[7].token, MAYBE_COUNT, {"count": True})
        uncounted = await _watching(
            stack, server, dispatchers[8].token, MAYBE_COUNT, {"count": False}
        )
        await asyncio.sleep(0.1)
        before = (shared_events.STATS.executed, fanout.STATS.forwarded)
        # when one request is submitted
        await submitted(gql, contact, site)
        answers = [
            (await ws.receive())["payload"]
            for ws in [*same, other_scope, other_document, counted, uncounted]
        ]
    # then everyone got the answer of their own document and variables, and the
    # event's one cursor
    assert len({answer.pop("extensions")["cursor"] for answer in answers}) == 1
    queue = {"data": {"serviceRequestQueueChanged": {"pendingCount": 1}}}
    typed = {"__typename": "ServiceRequestQueue", "pendingCount": 1}
    assert answers[:7] == [queue] * 7
    assert answers[7] == {"data": {"serviceRequestQueueChanged": typed}}
    assert answers[8] == {"data": {"serviceRequestQueueChanged": typed}}
    assert answers[9] == {
        "data": {"serviceRequestQueueChanged": {"__typename": typed["__typename"]}}
    }
    # and the selection ran once per (document, variables, permissions): five times, not
    # ten; the five other sockets got their group leader's frame without executing
    executed = shared_events.STATS.executed - before[0]
    forwarded = fanout.STATS.forwarded - before[1]
    assert (executed, forwarded) == (5, 5)


async def test_a_subscriber_leaving_mid_event_does_not_cost_the_others_their_message(
    server: Server, gql: GraphQLClient
) -> None:
    # given two dispatchers sharing the queue's executions
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    first, second = await staff(Role.DISPATCHER), await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        leaving = await stack.enter_async_context(socket(server.ws_url, first.token))
        await leaving.subscribe("q", QUEUE_CHANGED)
        staying = await _watching(stack, server, second.token, QUEUE_CHANGED)
        await asyncio.sleep(0.1)
        # when the first closes its socket as the event is being delivered
        submission = asyncio.create_task(submitted(gql, contact, site))
        await leaving.connection.close()
        await submission
        # then the other still hears of it, and of the next one
        assert (await staying.receive())["payload"]["data"] == {
            "serviceRequestQueueChanged": {"pendingCount": 1}
        }
        await submitted(gql, contact, site)
        assert (await staying.receive())["payload"]["data"] == {
            "serviceRequestQueueChanged": {"pendingCount": 2}
        }
