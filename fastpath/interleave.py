"""Await many awaitables side by side inside the current task, without a task each.

`asyncio.gather` wraps every coroutine in a Task: a context copy, a scheduled
first step, and a loop callback per wake-up. Compiled projections await one
coroutine per object for some fields (fifty `jobDraft`s in a review queue), so
that was most of what those fields cost. `interleave` steps each awaitable
itself: all of them once (so their loader calls land in the same batches, as
with tasks), then, whenever one of the futures they wait on is done, those
waiting on it. They run in the current task and its context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Generator, Sequence
from typing import Any


async def interleave(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    """Each awaitable's result, in order; after all have finished, the first failure
    is raised. Nothing is cancelled when one fails."""
    steps: list[Generator[Any, None, Any]] = [awaitable.__await__() for awaitable in awaitables]
    results: list[Any] = [None] * len(steps)
    failure: BaseException | None = None
    # What each unfinished step waits on: a future, or None for "after a loop pass".
    waiting: dict[int, Any] = {}
    ready = list(range(len(steps)))
    try:
        while True:
            for position in ready:
                try:
                    yielded = steps[position].send(None)
                except StopIteration as stop:
                    results[position] = stop.value
                    continue
                except BaseException as error:  # raised once the rest have finished
                    failure = failure or error
                    continue
                if yielded is not None:
                    yielded._asyncio_future_blocking = False  # as a Task does
                waiting[position] = yielded
            if not waiting:
                break
            await _first_done(list(waiting.values()))
            ready = [p for p, future in waiting.items() if future is None or future.done()]
            for position in ready:
                del waiting[position]
    except BaseException:
        # The caller was cancelled while they waited: end each the way its task would.
        for position in waiting:
            _close(steps[position])
        raise
    if failure is not None:
        raise failure
    return results


async def _first_done(awaited: list[Any]) -> None:
    """Until one of these futures is done (one loop pass if any step yielded bare)."""
    if any(future is None for future in awaited):
        await asyncio.sleep(0)
        return
    woken = asyncio.get_running_loop().create_future()

    def wake(_: Any) -> None:
        if not woken.done():
            woken.set_result(None)

    # Once per future: fifty job drafts wait on one loader batch, and each callback
    # is a loop call when it is done (and a linear removal after).
    distinct = list(dict.fromkeys(awaited))
    for future in distinct:
        future.add_done_callback(wake)
    try:
        await woken
    finally:
        for future in distinct:
            future.remove_done_callback(wake)


def _close(step: Generator[Any, None, Any]) -> None:
    try:
        step.throw(asyncio.CancelledError())
    except BaseException:  # it ended, as it should
        pass
    else:
        step.close()
