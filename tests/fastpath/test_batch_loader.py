"""`loaders.batch.BatchLoader`: batching, caching, failures and cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from fastpath.batch import BatchLoader


class Recorder:
    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.calls: list[list[int]] = []
        self.gate = gate

    async def __call__(self, keys: Sequence[int]) -> list[object]:
        self.calls.append(list(keys))
        if self.gate is not None:
            await self.gate.wait()
        return [ValueError(f"no {key}") if key < 0 else key * 10 for key in keys]


async def test_loads_of_one_tick_share_a_call_and_later_loads_hit_the_cache() -> None:
    # given a loader
    fetch = Recorder()
    loader: BatchLoader[int, object] = BatchLoader(fetch)
    # when keys are asked for side by side, singly and in bulk, repeats included
    results = await asyncio.gather(loader.load(1), loader.load_many([2, 1, 3]), loader.load(2))
    again = await loader.load_many([3, 1])
    # then one call fetched each key once, and the repeat was answered from the cache
    assert results == [10, [20, 10, 30], 20]
    assert again == [30, 10]
    assert fetch.calls == [[1, 2, 3]]


async def test_a_failed_batch_fails_every_load_of_its_keys() -> None:
    # given a loader whose fetch fails
    async def broken(keys: Sequence[int]) -> list[int]:
        raise RuntimeError("database gone")

    loader: BatchLoader[int, int] = BatchLoader(broken)
    # when two loads share the failed batch, and one comes later
    outcomes = await asyncio.gather(
        loader.load(1), loader.load_many([1, 2]), return_exceptions=True
    )
    # then each got the error, and so does the later one
    assert [str(outcome) for outcome in outcomes] == ["database gone"] * 2
    with pytest.raises(RuntimeError, match="database gone"):
        await loader.load(2)


async def test_an_error_for_one_key_fails_only_that_key() -> None:
    loader: BatchLoader[int, object] = BatchLoader(Recorder())
    with pytest.raises(ValueError, match="no -1"):
        await loader.load_many([1, -1])
    assert await loader.load(1) == 10


async def test_a_cancelled_load_does_not_cancel_the_batch_for_the_others() -> None:
    # given two loads waiting on one batch
    gate = asyncio.Event()
    loader: BatchLoader[int, object] = BatchLoader(Recorder(gate))
    leaving = asyncio.create_task(loader.load(1))
    staying = asyncio.create_task(loader.load_many([1, 2]))
    await asyncio.sleep(0.01)
    # when the first is cancelled before the rows arrive
    leaving.cancel()
    gate.set()
    # then it ends cancelled, and the other still gets its rows
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert await staying == [10, 20]
