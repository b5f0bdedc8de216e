"""The live event log is written in the change's own transaction, and published after it."""

from __future__ import annotations

import asyncio

import pytest

from api.broker import current_broker
from models import live_log, notifications
from models.errors import DomainError, ErrorCode
from models.permissions import Role
from schema.errors import run_in_transaction
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, staff

MESSAGE = notifications.Message(
    kind=notifications.NotificationKind.ACCOUNT_ASSIGNED, title="t", body="b"
)


async def test_a_committed_change_logs_exactly_the_events_it_publishes(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya's channel, heard on the running server's broker
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account("Fabrikam")
    async with current_broker().subscribe(f"user:{maya.id}") as heard:
        # when a mutation notifies her
        await set_manager(gql, admin, account.id, maya)
        event = await asyncio.wait_for(anext(heard), 2.0)
    # then the published event names its log row, which holds the same event
    [row] = await live_log.LiveEvent.filter(channel=f"user:{maya.id}")
    assert event == {**row.payload, "log_id": row.id}
    assert row.payload["type"] == "notification"


async def test_session_signals_are_published_but_not_logged(
    server: Server, gql: GraphQLClient
) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    async with current_broker().subscribe(f"user:{maya.id}") as heard:
        # when she signs out
        await gql("mutation { logout { ok } }", token=maya.token)
        event = await asyncio.wait_for(anext(heard), 2.0)
    # then the signal went out live, and nothing was kept to replay
    assert event == {"type": "session"}
    assert await live_log.LiveEvent.all().count() == 0


@pytest.mark.parametrize("failure", ["refused", "crashed"])
async def test_a_change_that_fails_leaves_no_log_row_and_publishes_nothing(
    server: Server, failure: str
) -> None:
    # given an operation that notifies, then fails
    maya = await staff(Role.ACCOUNT_MANAGER)

    async def notify_then_fail() -> None:
        await notifications.notify([notifications.Recipient(user=maya.row)], MESSAGE)  # type: ignore[arg-type]
        if failure == "refused":
            raise DomainError(ErrorCode.INVALID, "refused after notifying")
        raise RuntimeError("crashed after notifying")

    async with current_broker().subscribe(f"user:{maya.id}") as heard:
        # when it runs as a mutation does
        if failure == "refused":
            result, errors = await run_in_transaction(notify_then_fail)
            assert result is None and errors[0].code == ErrorCode.INVALID
        else:
            with pytest.raises(RuntimeError):
                await run_in_transaction(notify_then_fail)
        # then nothing was published, and the log has no row of it
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(heard), 0.3)
    assert await live_log.LiveEvent.all().count() == 0
    assert await notifications.Notification.filter(user_id=maya.id).count() == 0


async def test_log_ids_follow_the_order_of_the_events_of_one_change(server: Server) -> None:
    # given one change notifying three people
    people = [await staff(Role.ACCOUNT_MANAGER) for _ in range(3)]

    async def notify_all() -> list[notifications.Notification]:
        recipients = [notifications.Recipient(user=person.row) for person in people]  # type: ignore[arg-type]
        return await notifications.notify(recipients, MESSAGE)

    # when it commits
    created, errors = await run_in_transaction(notify_all)
    # then the log holds its events in the order the change made them
    assert errors == [] and created is not None
    rows = await live_log.LiveEvent.all().order_by("id")
    assert [row.payload["id"] for row in rows] == [note.id for note in created]
    assert [row.channel for row in rows] == [f"user:{person.id}" for person in people]


async def test_a_writer_draws_its_ids_only_once_the_writer_before_it_has_committed(
    server: Server,
) -> None:
    # given a change that has written its events and has not committed yet
    from tortoise.transactions import in_transaction

    from models.events import Event

    order: list[str] = []
    written = asyncio.Event()

    async def slow_to_commit() -> int:
        async with in_transaction() as connection:
            [first] = await live_log.record(connection, [Event("a", {"type": "t"})])
            written.set()
            await asyncio.sleep(0.5)
            order.append("first commits")
        return int(first.payload["log_id"])

    async def next_writer() -> int:
        await written.wait()
        async with in_transaction() as connection:
            [second] = await live_log.record(connection, [Event("b", {"type": "t"})])
            order.append("second has its id")
        return int(second.payload["log_id"])

    # when another change writes its events meanwhile
    first_id, second_id = await asyncio.gather(slow_to_commit(), next_writer())
    # then it got its id only after the first committed, and a larger one: a reader
    # that has seen an id never later finds a smaller one committed
    assert order == ["first commits", "second has its id"]
    assert first_id < second_id
