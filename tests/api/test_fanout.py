"""Direct delivery: a group's leader executes, its followers write the same bytes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest

from api import broker, fanout
from api.broker import MemoryBroker
from fastpath import shared_events
from models import service_requests as sr
from models.errors import SubscriberTooSlow
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import QUEUE_CHANGED, submitted
from tests.users.operations import set_roles
from tests.ws import Socket, ending_codes, subscribed


async def _watching(
    stack: contextlib.AsyncExitStack, server: Server, token: str, operation_id: str = "q"
) -> Socket:
    ws = await subscribed(stack, server.ws_url, token, QUEUE_CHANGED, operation_id=operation_id)
    await asyncio.sleep(0.05)  # joined in this order: the first one leads
    return ws


async def _dispatchers(
    stack: contextlib.AsyncExitStack, server: Server, *operation_ids: str
) -> list[Socket]:
    """A dispatcher watching the queue per operation id, joined in this order."""
    return [
        await _watching(stack, server, (await staff(Role.DISPATCHER)).token, operation_id)
        for operation_id in operation_ids
    ]


async def _portal() -> tuple[Any, Any]:
    account = await make_account()
    return await make_site(account), await portal_contact(account)


def _stall_socket(monkeypatch: pytest.MonkeyPatch, operation_id: str) -> asyncio.Event:
    """Frames of `operation_id` wait for the returned gate: a client that stopped reading."""
    gate = asyncio.Event()
    real_send = fanout.Sink.send_next

    async def stalled(self: fanout.Sink, payload: str) -> None:
        if self.operation_id == operation_id:
            await gate.wait()
        await real_send(self, payload)

    monkeypatch.setattr(fanout.Sink, "send_next", stalled)
    return gate


def _count(message: dict[str, Any]) -> int:
    assert message["type"] == "next", message
    count: int = message["payload"]["data"]["serviceRequestQueueChanged"]["pendingCount"]
    return count


@pytest.mark.fast_paths
async def test_followers_write_the_leaders_frame_under_their_own_operation_id(
    server: Server, gql: GraphQLClient
) -> None:
    # given three dispatchers on one document, under operation ids of their own
    site, contact = await _portal()
    dispatchers = [await staff(Role.DISPATCHER) for _ in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await _watching(stack, server, person.token, operation_id)
            for person, operation_id in zip(dispatchers, ["lead", "b", 'c"quoted'], strict=True)
        ]
        executed, forwarded = shared_events.STATS.executed, fanout.STATS.forwarded
        # when a request is submitted
        await submitted(gql, contact, site)
        frames = [await asyncio.wait_for(ws.connection.recv(), 2.0) for ws in sockets]
    # then each got the same bytes Strawberry sends, under its own id, as text, with
    # the event's cursor
    cursor = json.loads(frames[0])["payload"]["extensions"]["cursor"]
    payload = (
        '{"data":{"serviceRequestQueueChanged":{"pendingCount":1}},'
        '"extensions":{"cursor":' + json.dumps(cursor) + "}}"
    )
    assert frames == [
        '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":' + payload + "}"
        for operation_id in ["lead", "b", 'c"quoted']
    ]
    # and one of them executed: the other two only wrote its encoded answer
    assert shared_events.STATS.executed - executed == 1
    assert fanout.STATS.forwarded - forwarded == 2


async def test_the_next_subscriber_leads_when_the_leader_completes(
    server: Server, gql: GraphQLClient
) -> None:
    # given a leader and two followers
    site, contact = await _portal()
    leader, *others = [await staff(Role.DISPATCHER) for _ in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        first = await _watching(stack, server, leader.token)
        rest = [await _watching(stack, server, person.token) for person in others]
        assert fanout.group_size(sr.QUEUE_CHANNEL) == 1
        # when the leader completes its subscription, and then a request comes in
        await first.send({"id": "q", "type": "complete"})
        await asyncio.sleep(0.05)
        await submitted(gql, contact, site)
        # then both others still hear of it, and the one who left does not
        assert [_count(await ws.receive()) for ws in rest] == [1, 1]
        assert await first.nothing_within(0.2)
        # and of the next one too
        await submitted(gql, contact, site)
        assert [_count(await ws.receive()) for ws in rest] == [2, 2]
    # and once everyone has left, the group is gone
    await asyncio.sleep(0.1)
    assert fanout.group_size(sr.QUEUE_CHANNEL) == 0


async def test_a_leader_leaving_while_it_executes_hands_the_event_on(
    server: Server, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a leader and a follower, and a queue count that waits for a gate
    site, contact = await _portal()
    leader, follower = await staff(Role.DISPATCHER), await staff(Role.DISPATCHER)
    gate, counting = asyncio.Event(), asyncio.Event()
    real_count = sr.pending_count

    async def gated_count() -> int:
        counting.set()
        await gate.wait()
        return await real_count()

    monkeypatch.setattr(sr, "pending_count", gated_count)
    async with contextlib.AsyncExitStack() as stack:
        leaving = await _watching(stack, server, leader.token)
        staying = await _watching(stack, server, follower.token)
        # when a request comes in and the leader's socket closes while it counts
        await submitted(gql, contact, site)
        await asyncio.wait_for(counting.wait(), 2.0)
        await leaving.connection.close()
        await asyncio.sleep(0.1)
        gate.set()
        # then the follower, now leading, answers that event itself
        assert _count(await staying.receive()) == 1


async def test_a_leaders_own_session_error_is_not_forwarded(
    server: Server, gql: GraphQLClient
) -> None:
    # given a leader and a follower
    site, contact = await _portal()
    leader, follower = await staff(Role.DISPATCHER), await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        first = await _watching(stack, server, leader.token)
        second = await _watching(stack, server, follower.token)
        # when the leader logs out
        await gql("mutation { logout { ok } }", token=leader.token)
        ended = await first.receive()
        # then its subscription ends with UNAUTHENTICATED, and the follower hears nothing
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert await second.nothing_within(0.3)
        # and it still hears of the next request, which it now answers itself
        await submitted(gql, contact, site)
        assert _count(await second.receive()) == 1


@pytest.mark.fast_paths
async def test_a_subscriber_whose_permissions_change_moves_to_the_group_of_its_new_scope(
    server: Server, gql: GraphQLClient
) -> None:
    # given two dispatchers in one group
    site, contact = await _portal()
    admin = await staff(Role.ADMIN)
    first, second = await staff(Role.DISPATCHER), await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await _watching(stack, server, person.token) for person in (first, second)]
        assert fanout.group_size(sr.QUEUE_CHANNEL) == 1
        # when the second becomes an admin (its socket re-reads its session)
        await set_roles(gql, admin, second, Role.ADMIN)
        await asyncio.sleep(0.2)
        # then it answers events in a group of its own, executed for its own scope
        assert fanout.group_size(sr.QUEUE_CHANNEL) == 2
        executed = shared_events.STATS.executed
        await submitted(gql, contact, site)
        assert [_count(await ws.receive()) for ws in sockets] == [1, 1]
        assert shared_events.STATS.executed - executed == 2


async def test_a_follower_too_far_behind_is_dropped_and_the_others_go_on(
    server: Server, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given subscriber queues of two messages, a leader, a follower, and a follower
    # whose socket takes nothing until a gate opens
    monkeypatch.setattr(broker, "QUEUE_SIZE", 2)
    site, contact = await _portal()
    gate = _stall_socket(monkeypatch, "slow")
    async with contextlib.AsyncExitStack() as stack:
        leader, keeping, slow = await _dispatchers(stack, server, "lead", "keeping", "slow")
        # when four requests come in while the stalled follower is writing the first
        for expected in range(1, 5):
            await submitted(gql, contact, site)
            assert _count(await leader.receive()) == expected
            assert _count(await keeping.receive()) == expected
        gate.set()
        # then the stalled one gets what it was writing, and then the end of its
        # subscription, not the messages that did not fit
        assert _count(await slow.receive()) == 1
        assert ending_codes(await slow.receive()) == ["SUBSCRIBER_TOO_SLOW"]
        assert await slow.receive() == {"id": "slow", "type": "complete"}
        # and the others go on hearing every request
        await submitted(gql, contact, site)
        assert _count(await leader.receive()) == 5
        assert _count(await keeping.receive()) == 5
        assert await slow.nothing_within(0.2)


async def test_a_leader_stuck_on_its_socket_is_dropped_and_the_next_one_leads(
    server: Server, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a leader whose socket takes nothing until a gate opens, and a follower;
    # a leader is dropped when it is stuck writing with two messages waiting
    monkeypatch.setattr(fanout, "STALLED_LEADER", 2)
    site, contact = await _portal()
    gate = _stall_socket(monkeypatch, "lead")
    async with contextlib.AsyncExitStack() as stack:
        leader, follower = await _dispatchers(stack, server, "lead", "follow")
        # when five requests come in while the leader is stuck on the first
        for _ in range(5):
            await submitted(gql, contact, site)
        # then the follower hears of every one: the first from the leader, the rest
        # as the new leader, from the messages the stuck one had not read on
        counts = [_count(await follower.receive()) for _ in range(5)]
        assert counts[0] == 1 and counts[-1] == 5 and counts == sorted(counts)
        assert await follower.nothing_within(0.2)
        assert fanout.group_size(sr.QUEUE_CHANNEL) == 1
        # and the stuck leader, once its socket moves, gets its frame and then the end
        gate.set()
        assert _count(await leader.receive()) == 1
        assert ending_codes(await leader.receive()) == ["SUBSCRIBER_TOO_SLOW"]


async def test_a_group_further_behind_than_its_queues_hold_is_dropped() -> None:
    # given a group of two on a channel, whose leader has not read its queue
    hub = MemoryBroker()
    async with hub.subscribe("me:1") as first, hub.subscribe("me:2") as second:
        fanout.join(hub, "queue", "key", None, fanout.Sink(None, "a"), first)
        fanout.join(hub, "queue", "key", None, fanout.Sink(None, "b"), second)
        # when more channel messages arrive at once than a queue holds
        for number in range(broker.QUEUE_SIZE + 1):
            hub._deliver("queue", {"number": number})
        # then every member is that far behind: each is dropped, none holds more
        # than a queue, and the group is gone
        for queue in (first, second):
            assert queue.overflowed and queue.queue.qsize() <= broker.QUEUE_SIZE
            with pytest.raises(SubscriberTooSlow):
                await anext(queue)
        assert fanout.group_size("queue") == 0
