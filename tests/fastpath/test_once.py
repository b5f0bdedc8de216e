"""`loaders.once.Once`: one read per operation, shared, failures and cancellation."""

from __future__ import annotations

import asyncio

import pytest

from fastpath.once import Once


class Reader:
    def __init__(self, values: list[object]) -> None:
        self.values = values
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> object:
        self.reads += 1
        await self.gate.wait()
        value = self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value


async def test_callers_side_by_side_and_after_share_one_read() -> None:
    # given a value that takes a while to read
    read = Reader([24, 99])
    read.gate.clear()
    once = Once(read)
    # when three callers ask at once, the read ends, and one more asks
    asked = asyncio.gather(once.get(), once.get(), once.get())
    await asyncio.sleep(0)
    read.gate.set()
    side_by_side = await asked
    after = await once.get()
    # then one read answered them all
    assert side_by_side == [24, 24, 24] and after == 24 and read.reads == 1


async def test_a_none_value_is_read_once_too() -> None:
    read = Reader([None, 7])
    once = Once(read)
    assert [await once.get(), await once.get()] == [None, None] and read.reads == 1


async def test_a_failed_read_fails_its_waiters_and_the_next_caller_reads_again() -> None:
    # given a read that fails the first time
    read = Reader([LookupError("gone"), 5])
    read.gate.clear()
    once = Once(read)
    # when two callers wait for it
    asked = asyncio.gather(once.get(), once.get(), return_exceptions=True)
    await asyncio.sleep(0)
    read.gate.set()
    outcomes = await asked
    # then both fail with its error, and a later caller reads anew
    assert [str(outcome) for outcome in outcomes] == ["gone", "gone"]
    assert await once.get() == 5 and read.reads == 2


async def _read_under_way(
    value: object,
) -> tuple[Reader, Once[object], asyncio.Future[object], asyncio.Future[object]]:
    """A read of `value` under way for a first caller, with a second caller waiting."""
    read = Reader([value])
    read.gate.clear()
    once = Once(read)
    first = asyncio.ensure_future(once.get())
    await asyncio.sleep(0)
    waiter = asyncio.ensure_future(once.get())
    await asyncio.sleep(0)
    return read, once, first, waiter


async def test_a_waiter_that_leaves_cancels_no_read() -> None:
    # given a read under way with a second caller waiting for it
    read, _, first, waiter = await _read_under_way(3)
    # when the waiter is cancelled
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    read.gate.set()
    # then the first caller still gets the value
    assert await first == 3 and read.reads == 1


async def test_a_cancelled_read_cancels_its_waiters_and_is_read_again() -> None:
    # given a read under way with a second caller waiting for it
    read, once, first, waiter = await _read_under_way(8)
    # when the reading caller is cancelled
    first.cancel()
    outcomes = await asyncio.gather(first, waiter, return_exceptions=True)
    # then the waiter is cancelled too, and the next caller reads
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
    read.gate.set()
    assert await once.get() == 8 and read.reads == 2
