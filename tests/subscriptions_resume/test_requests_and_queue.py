"""accountRequestUpdated and serviceRequestQueueChanged resume, for those who may see them."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from api import broker
from models.permissions import Role
from tests.account_requests.operations import updated
from tests.account_requests.rows import make_request, request_gid
from tests.api.test_fanout import _stall_socket
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import submitted
from tests.subscriptions_resume.live import FOLLOW, QUEUE, ending, events
from tests.users.operations import set_roles
from tests.ws import socket, subscribed

UPDATED = "accountRequestUpdated"
QUEUED = "serviceRequestQueueChanged"


async def test_a_follower_resumes_a_request_with_each_missed_change_once(
    server: Server, gql: GraphQLClient
) -> None:
    # given Dana follows a request and has seen its first change
    dana = await staff(Role.DISPATCHER)
    row = await make_request(await make_account())
    follow = {"id": request_gid(row)}
    async with socket(server.ws_url, dana.token) as ws:
        await ws.subscribe("r", FOLLOW, follow)
        await asyncio.sleep(0.2)
        await updated(gql, dana, request_gid(row), note="note 00")
        [(first, cursor)] = await events(ws, UPDATED, 1)
    # when 20 more changes happen while she is away, and 10 as she comes back
    for n in range(1, 21):
        await updated(gql, dana, request_gid(row), note=f"note {n:02}")

    async def ten_more() -> None:
        for n in range(21, 31):
            await updated(gql, dana, request_gid(row), note=f"note {n:02}")

    async with socket(server.ws_url, dana.token) as ws:
        firing = asyncio.create_task(ten_more())
        try:
            await ws.subscribe("r", FOLLOW, {**follow, "after": cursor})
            missed = await events(ws, UPDATED, 30)
        finally:
            await firing
        # then she receives one event per change, none twice, and then nothing more
        assert await ws.nothing_within(0.5)
    assert first["note"] == "note 00"
    cursors = [cursor, *(c for _, c in missed)]
    assert len(set(cursors)) == 31
    # each event shows the request as it is when delivered: the last shows the last note
    assert missed[-1][0] == {"number": row.id, "note": "note 30"}


async def test_a_request_moved_out_of_sight_is_not_replayed(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya follows a request of her account and holds a cursor
    dana = await staff(Role.DISPATCHER)
    maya = await staff(Role.ACCOUNT_MANAGER)
    row = await make_request(await make_account(manager=maya.user))
    follow = {"id": request_gid(row)}
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("r", FOLLOW, follow)
        await asyncio.sleep(0.2)
        await updated(gql, dana, request_gid(row), note="hers")
        [(_, cursor)] = await events(ws, UPDATED, 1)
    # when, while she is away, it changes, moves to an account she does not manage,
    # and changes again
    await updated(gql, dana, request_gid(row), note="still hers")
    elsewhere = gid("Account", (await make_account()).id)
    await updated(gql, dana, request_gid(row), accountId=elsewhere)
    await updated(gql, dana, request_gid(row), note="secret")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("r", FOLLOW, {**follow, "after": cursor})
        refused = await ending(ws)
    # then resuming answers as for any request she cannot see: nothing is replayed
    assert refused == {
        "message": "No account request with this ID.",
        "extensions": {"code": "BAD_USER_INPUT"},
    }


async def test_a_portal_contact_replays_only_while_it_may_see_the_request(
    server: Server, gql: GraphQLClient
) -> None:
    # given the account's portal contact follows a shared request and holds a cursor
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await portal_contact(account)
    row = await make_request(account)
    follow = {"id": request_gid(row)}
    async with socket(server.ws_url, contact.token) as ws:
        await ws.subscribe("r", FOLLOW, follow)
        await asyncio.sleep(0.2)
        await updated(gql, dana, request_gid(row), note="shared")
        [(_, cursor)] = await events(ws, UPDATED, 1)
        # when staff mark it internal while the contact still follows, then change it
        await updated(gql, dana, request_gid(row), internal=True)
        await updated(gql, dana, request_gid(row), note="staff only")
        # then nothing reaches the contact live
        assert await ws.nothing_within(0.5)
    # and on resuming from before those changes, nothing is replayed either
    async with socket(server.ws_url, contact.token) as ws:
        await ws.subscribe("r", FOLLOW, {**follow, "after": cursor})
        refused = await ending(ws)
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_queue_resumes_with_each_missed_change_once(
    server: Server, gql: GraphQLClient
) -> None:
    # given a dispatcher watching the queue (with two others, who share its executions)
    # has seen the first submission
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    dispatchers = [await staff(Role.DISPATCHER) for _ in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        others = [await subscribed(stack, server.ws_url, d.token, QUEUE) for d in dispatchers[1:]]
        async with socket(server.ws_url, dispatchers[0].token) as ws:
            await ws.subscribe("q", QUEUE)
            await asyncio.sleep(0.2)
            await submitted(gql, contact, site)
            [(first, cursor)] = await events(ws, QUEUED, 1)
        # when 10 more are submitted while it is away, and 5 as it comes back
        for _ in range(10):
            await submitted(gql, contact, site)

        async def five_more() -> None:
            for _ in range(5):
                await submitted(gql, contact, site)

        async with socket(server.ws_url, dispatchers[0].token) as ws:
            firing = asyncio.create_task(five_more())
            try:
                await ws.subscribe("q", QUEUE, {"after": cursor})
                missed = await events(ws, QUEUED, 15)
            finally:
                await firing
            # then it receives one event per submission it missed, none twice
            assert await ws.nothing_within(0.5)
        # and the dispatchers who stayed received every one live, with the same cursors
        stayed = [await events(other, QUEUED, 16) for other in others]
    assert first == {"pendingCount": 1}
    cursors = [c for _, c in missed]
    assert len({cursor, *cursors}) == 16
    assert missed[-1][0] == {"pendingCount": 16}
    for received in stayed:
        assert [c for _, c in received] == [cursor, *cursors]
        assert [data["pendingCount"] for data, _ in received] == list(range(1, 17))


async def test_resuming_the_queue_is_for_reviewers_only(server: Server, gql: GraphQLClient) -> None:
    # given a dispatcher's cursor of the queue
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    technician = await staff(Role.TECHNICIAN)
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE)
        await asyncio.sleep(0.2)
        await submitted(gql, contact, site)
        [(_, cursor)] = await events(ws, QUEUED, 1)
        await ws.send({"id": "q", "type": "complete"})
        await submitted(gql, contact, site)
        # when a technician, a portal contact, and the dispatcher after losing the
        # role, resume from it
        refusals = []
        for person in (technician, contact):
            async with socket(server.ws_url, person.token) as other:
                await other.subscribe("q", QUEUE, {"after": cursor})
                refusals.append((await ending(other))["extensions"]["code"])
        await set_roles(gql, admin, dispatcher, Role.TECHNICIAN)
        await ws.subscribe("again", QUEUE, {"after": cursor})
        refusals.append((await ending(ws))["extensions"]["code"])
    # then each is refused, before anything is replayed
    assert refusals == ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]


async def test_a_subscriber_dropped_as_too_slow_resumes_from_its_last_cursor(
    server: Server, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given queues of two messages, and three dispatchers sharing the queue's frames,
    # one of whose sockets takes nothing until a gate opens
    monkeypatch.setattr(broker, "QUEUE_SIZE", 2)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    gate = _stall_socket(monkeypatch, "slow")
    slow_one = await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        watching = []
        for operation_id, person in (
            ("lead", await staff(Role.DISPATCHER)),
            ("keeping", await staff(Role.DISPATCHER)),
            ("slow", slow_one),
        ):
            watching.append(
                await subscribed(
                    stack, server.ws_url, person.token, QUEUE, operation_id=operation_id
                )
            )
            await asyncio.sleep(0.05)  # joined in this order: the first one leads
        leader, _, slow = watching
        # when four requests come in while the stalled one is writing the first
        for _ in range(4):
            await submitted(gql, contact, site)
        heard = await events(leader, QUEUED, 4)
        gate.set()
        # then it gets what it was writing, then SUBSCRIBER_TOO_SLOW
        [(_, cursor)] = await events(slow, QUEUED, 1)
        assert (await ending(slow))["extensions"]["code"] == "SUBSCRIBER_TOO_SLOW"
    # and resuming from that cursor brings the three it missed, once, with the
    # cursors the others received
    async with socket(server.ws_url, slow_one.token) as ws:
        await ws.subscribe("again", QUEUE, {"after": cursor})
        missed = await events(ws, QUEUED, 3)
        assert await ws.nothing_within(0.5)
    assert cursor == heard[0][1]
    assert [c for _, c in missed] == [c for _, c in heard[1:]]
