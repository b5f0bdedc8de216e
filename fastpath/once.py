"""One value read at most once per operation, however many fields ask for it.

A `BatchLoader` of one key did the same job, but collecting keys costs a
scheduled callback, a task and two turns of the loop before the read starts and
another wake-up after it: about 25 us of a review queue request (bench/), for a
value that has no keys to collect. `Once.get()` reads in the first caller's own
flow; callers that ask while it reads wait for that read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class Once(Generic[V]):
    """`await once.get()`: `read()`'s value, read by the first caller only. A failed
    read fails the callers waiting for it, and the next caller reads again."""

    __slots__ = ("_known", "_read", "_reading", "_value")

    def __init__(self, read: Callable[[], Awaitable[V]]) -> None:
        self._read = read
        self._reading: asyncio.Future[V] | None = None
        self._value: V | None = None
        self._known = False

    async def get(self) -> V:
        if self._known:
            return self._value  # type: ignore[return-value]
        if self._reading is not None:
            return await asyncio.shield(self._reading)  # a waiter leaving cancels no read
        reading = self._reading = asyncio.get_running_loop().create_future()
        try:
            value = await self._read()
        except BaseException as error:
            self._reading = None
            if isinstance(error, asyncio.CancelledError):
                reading.cancel()
            else:
                reading.set_exception(error)
                reading.exception()  # retrieved: no warning when nobody else waited
            raise
        self._value, self._known, self._reading = value, True, None
        reading.set_result(value)
        return value
