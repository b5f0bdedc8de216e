"""`schema.interleave.interleave`: side by side in the current task, batches kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fastpath.batch import BatchLoader
from fastpath.interleave import interleave
from tests.fastpath.test_batch_loader import Recorder


async def test_results_come_in_order_and_every_step_runs_in_the_callers_task() -> None:
    caller = asyncio.current_task()
    tasks_seen: list[asyncio.Task[object] | None] = []

    async def immediate(value: int) -> int:
        tasks_seen.append(asyncio.current_task())
        return value

    async def later(value: int) -> int:
        await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # a bare yield, as well as a timer's future
        tasks_seen.append(asyncio.current_task())
        return value

    # when finished and waiting coroutines are interleaved
    results = await interleave([later(1), immediate(2), later(3), immediate(4)])
    # then each result is in its place, and no task was made for any of them
    assert results == [1, 2, 3, 4]
    assert tasks_seen == [caller] * 4


async def test_loads_at_each_await_share_one_batch() -> None:
    # given a loader, and coroutines that each load twice in a row
    fetch = Recorder()
    loader: BatchLoader[int, object] = BatchLoader(fetch)

    async def two_loads(key: int) -> tuple[object, object]:
        first = await loader.load(key)
        second = await loader.load(key + 100)
        return first, second

    # when five of them are interleaved
    results = await interleave([two_loads(key) for key in range(5)])
    # then each round of loads was one call for all five keys
    assert results == [(key * 10, (key + 100) * 10) for key in range(5)]
    assert fetch.calls == [[0, 1, 2, 3, 4], [100, 101, 102, 103, 104]]


async def test_the_first_failure_is_raised_after_every_other_has_finished() -> None:
    finished: list[int] = []

    async def fails(message: str) -> None:
        await asyncio.sleep(0)
        raise ValueError(message)

    async def succeeds(value: int) -> int:
        await asyncio.sleep(0.01)
        finished.append(value)
        return value

    # when two fail among ones that finish later
    with pytest.raises(ValueError, match="first"):
        await interleave([succeeds(1), fails("first"), fails("second"), succeeds(2)])
    # then the others still ran to their end
    assert finished == [1, 2]


async def test_a_cancelled_caller_ends_its_steps_and_leaves_their_futures_alone() -> None:
    # given steps waiting on a future that somebody else owns
    shared: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    cleaned: list[str] = []

    async def waits(name: str) -> int:
        try:
            return await shared
        finally:
            cleaned.append(name)

    caller = asyncio.ensure_future(interleave([waits("a"), waits("b")]))
    await asyncio.sleep(0.01)
    # when the caller is cancelled
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    # then each step ended (its finally ran), and the shared future is still pending
    assert sorted(cleaned) == ["a", "b"]
    assert not shared.done()


class _CountedFuture(asyncio.Future[None]):
    """A future that counts the done callbacks added to it."""

    def __init__(self) -> None:
        super().__init__()
        self.added = 0

    def add_done_callback(self, fn: Any, *, context: Any = None) -> None:
        self.added += 1
        super().add_done_callback(fn, context=context)


async def test_many_waiting_on_one_future_need_one_wake_up() -> None:
    # given fifty coroutines that all wait on one future (as job drafts on one batch)
    gate = _CountedFuture()

    async def waiter(value: int) -> int:
        await gate
        return value

    async def open_gate() -> None:
        await asyncio.sleep(0.01)
        gate.set_result(None)

    opener = asyncio.create_task(open_gate())
    # when they are interleaved
    results = await interleave([waiter(n) for n in range(50)])
    await opener
    # then all finish, woken through one callback on the future, not fifty
    assert results == list(range(50))
    assert gate.added == 1
