"""notificationAdded resumes: what was missed, then live events, each once, in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models import live_log
from models.clock import now
from models.permissions import Role
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import Person, make_account, staff
from tests.subscriptions_resume.live import ADDED, ending, events
from tests.ws import socket

NOTIFICATION = "notificationAdded"


async def _accounts(count: int, prefix: str) -> list[int]:
    return [(await make_account(f"{prefix} {n:03}")).id for n in range(count)]


async def _hand_over(gql: GraphQLClient, admin: Person, accounts: list[int], to: Person) -> None:
    """One ACCOUNT_ASSIGNED notification for `to` per account, one mutation each, in order."""
    for account_id in accounts:
        await set_manager(gql, admin, account_id, to)


def _titles(received: list[tuple[dict[str, str], str]]) -> list[str]:
    return [data["title"] for data, _ in received]


async def test_a_subscriber_disconnected_during_100_events_gets_each_once_in_order(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya follows her notifications while 100 accounts are handed to her
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(100, "Fabrikam")
    expected = [f"You now manage Fabrikam {n:03}" for n in range(100)]
    firing: asyncio.Task[None] | None = None
    try:
        async with socket(server.ws_url, maya.token) as ws:
            await ws.subscribe("n", ADDED)
            await asyncio.sleep(0.2)  # the subscription is registered with the broker
            firing = asyncio.create_task(_hand_over(gql, admin, accounts, maya))
            # when her connection drops after the first 30 events
            before = await events(ws, NOTIFICATION, 30)
        # (the other 70 happen while she is away, or as she comes back)
        await asyncio.sleep(0.2)
        async with socket(server.ws_url, maya.token) as ws:
            await ws.subscribe("n", ADDED, {"after": before[-1][1]})
            after = await events(ws, NOTIFICATION, 70)
            await firing
            # then she has all 100 exactly once, in order, and nothing more comes
            assert await ws.nothing_within(0.5)
    finally:
        if firing is not None:
            await firing
    assert _titles(before + after) == expected
    cursors = [cursor for _, cursor in before + after]
    assert len(set(cursors)) == 100


async def test_events_made_while_the_replay_runs_are_neither_lost_nor_repeated(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya received one event, then left; 60 more were made while she was away
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(121, "Contoso")
    expected = [f"You now manage Contoso {n:03}" for n in range(121)]
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await set_manager(gql, admin, accounts[0], maya)
        [first] = await events(ws, NOTIFICATION, 1)
    await _hand_over(gql, admin, accounts[1:61], maya)
    # when she resumes while 60 more are being made
    firing = asyncio.create_task(_hand_over(gql, admin, accounts[61:], maya))
    try:
        async with socket(server.ws_url, maya.token) as ws:
            await ws.subscribe("n", ADDED, {"after": first[1]})
            rest = await events(ws, NOTIFICATION, 120)
            await firing
            assert await ws.nothing_within(0.5)
    finally:
        await firing
    # then every one arrived once, in the order they were made
    assert _titles([first, *rest]) == expected


async def test_without_after_each_event_still_carries_its_cursor(
    server: Server, gql: GraphQLClient
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(2, "Tailspin")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", "subscription { notificationAdded { title } }")
        await asyncio.sleep(0.2)
        # when
        await _hand_over(gql, admin, accounts, maya)
        received = await events(ws, NOTIFICATION, 2)
    # then the events are the live ones, and their cursors differ
    assert _titles(received) == ["You now manage Tailspin 000", "You now manage Tailspin 001"]
    assert received[0][1] != received[1][1]


async def test_a_cursor_replays_only_the_viewers_own_events(
    server: Server, gql: GraphQLClient
) -> None:
    # given Mo holds a cursor; then accounts go to Maya and to Mo in turn
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(5, "Northwind")
    async with socket(server.ws_url, mo.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await set_manager(gql, admin, accounts[0], mo)
        [(_, mos_cursor)] = await events(ws, NOTIFICATION, 1)
    for account_id, person in zip(accounts[1:], [maya, mo, maya, mo], strict=True):
        await set_manager(gql, admin, account_id, person)
    # when Maya resumes from Mo's cursor (a cursor is a position, not a permission)
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED, {"after": mos_cursor})
        received = await events(ws, NOTIFICATION, 2)
        # then she gets her own two, never Mo's
        assert await ws.nothing_within(0.5)
    assert _titles(received) == ["You now manage Northwind 001", "You now manage Northwind 003"]


async def test_a_cursor_older_than_the_retention_window_ends_with_cursor_expired(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya's cursor names an event older than the retention window
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(2, "Litware")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await set_manager(gql, admin, accounts[0], maya)
        [(_, cursor)] = await events(ws, NOTIFICATION, 1)
    retention = timedelta(hours=server.settings.live_event_retention_hours)
    await live_log.LiveEvent.all().update(created_at=now() - retention - timedelta(minutes=1))
    await set_manager(gql, admin, accounts[1], maya)
    # when she resumes from it
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED, {"after": cursor})
        error = await ending(ws)
        # then the subscription ends with a code telling her to refetch
        assert await ws.receive() == {"id": "n", "type": "complete"}
    assert error["extensions"]["code"] == "CURSOR_EXPIRED"
    assert "Fetch the current state again" in error["message"]


async def test_a_cursor_whose_events_were_purged_ends_with_cursor_expired(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya's cursor, and housekeeping purging the events past the window
    from api.housekeeping import purge_live_events

    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(3, "Proseware")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await _hand_over(gql, admin, accounts[:2], maya)
        (_, old), (_, newer) = await events(ws, NOTIFICATION, 2)
    await set_manager(gql, admin, accounts[2], maya)
    retention = timedelta(hours=server.settings.live_event_retention_hours)
    [oldest, *_] = await live_log.LiveEvent.all().order_by("id")
    await live_log.LiveEvent.filter(id=oldest.id).update(
        created_at=now() - retention - timedelta(minutes=1)
    )
    # when housekeeping runs
    assert await purge_live_events(server.settings) == 1
    # then the purged position cannot be resumed from, the next one can
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED, {"after": old})
        assert (await ending(ws))["extensions"]["code"] == "CURSOR_EXPIRED"
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED, {"after": newer})
        received = await events(ws, NOTIFICATION, 1)
    assert _titles(received) == ["You now manage Proseware 002"]


async def test_a_malformed_cursor_is_bad_user_input_naming_after(server: Server) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    async with socket(server.ws_url, maya.token) as ws:
        for n, cursor in enumerate(
            ["nonsense", "WyJzb3J0IiwiaWQiLFsidiIsMV0sMV0", "", "WyJsaXZlIiwwXQ"]
        ):
            # when she subscribes with something that is no event cursor (a list cursor,
            # an empty one, position 0)
            await ws.subscribe(str(n), ADDED, {"after": cursor})
            error = await ending(ws)
            # then
            assert error["extensions"]["code"] == "BAD_USER_INPUT", cursor
            assert "`after`" in error["message"]
            assert await ws.receive() == {"id": str(n), "type": "complete"}


async def test_a_socket_whose_session_ended_gets_no_replay(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya holds a cursor with events after it, on a socket still open
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = await _accounts(3, "Adatum")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await set_manager(gql, admin, accounts[0], maya)
        [(_, cursor)] = await events(ws, NOTIFICATION, 1)
        await ws.send({"id": "n", "type": "complete"})
        await _hand_over(gql, admin, accounts[1:], maya)
        # when she signs out elsewhere, then resumes on this socket
        await gql("mutation { logout { ok } }", token=maya.token)
        await ws.subscribe("again", ADDED, {"after": cursor})
        # then it ends with UNAUTHENTICATED before replaying anything
        error = await ending(ws)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
