"""A DataLoader with one future per batch, not one per key.

Strawberry's DataLoader gives every key its own future, done-callback and task
record, and `load_many` gathers those futures: a 50-row page with four
foreign keys made about 200 of each, a measured tenth of a list request's CPU.
Here a batch has one future that resolves to all its rows, `load_many` awaits
it once, and a row already loaded is returned without awaiting anything.

Batching and caching behave as Strawberry's do, so statement counts do not
change: a batch collects the keys asked for until the loop has gone round
twice (the same window as Strawberry's `call_soon` + task), rows are cached for
the loader's life (one operation), and a failed batch fails every load of its
keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from fastpath.columns import ColumnsById

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Batch(asyncio.Future[dict[Any, Any]]):
    """The keys of one batch and, once fetched, their values by key.

    Awaited by many loads at once: one of them being cancelled must not cancel it
    for the others, so `cancel` refuses (the cancelled awaiter still ends).
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[Any] = []
        self.dispatched = False

    def cancel(self, msg: Any = None) -> bool:
        return False


class BatchLoader(Generic[K, V]):
    """`load(key)` and `load_many(keys)`, one `load_fn(keys)` call per batch."""

    __slots__ = ("_batch", "_columns", "_done", "_load_fn", "_pending", "by", "rows_of")

    def __init__(
        self,
        load_fn: Callable[[Sequence[K]], Awaitable[Sequence[V]]],
        rows_of: Callable[[], Any] | None = None,
        by: str | None = None,
    ) -> None:
        self._load_fn = load_fn
        # For rows by ID: the query they are read from (see fastpath.narrow). With `by`,
        # rows by that unique model attribute instead (a job by its request's key):
        # only the JSON lane reads those (fastpath.json_sql), never by ID.
        self.rows_of = rows_of
        self.by = by
        self._columns: ColumnsById | None = None
        self._done: dict[K, V] = {}  # values fetched so far
        self._pending: dict[K, _Batch] = {}  # keys asked for, not fetched (or failed)
        self._batch: _Batch | None = None  # the batch still collecting keys

    async def load(self, key: K) -> V:
        if key in self._done:
            return self._done[key]
        batch = self._pending.get(key) or self._add(key)
        return _value((await batch)[key])

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        keys = list(keys)
        waiting: list[_Batch] = []
        for key in keys:
            if key not in self._done:
                batch = self._pending.get(key) or self._add(key)
                if batch not in waiting:
                    waiting.append(batch)
        for batch in waiting:
            await batch
        done, pending = self._done, self._pending
        return [done[key] if key in done else _value(pending[key].result()[key]) for key in keys]

    @property
    def columns(self) -> ColumnsById:
        """Some columns of the same rows (`fastpath.columns`), for rows by ID only."""
        if self._columns is None:
            if self.rows_of is None or self.by is not None:
                raise TypeError("only a loader of rows by ID reads their columns")
            self._columns = ColumnsById(self.rows_of)
        return self._columns

    def untouched(self) -> bool:
        """Nothing loaded or asked for yet."""
        return not self._done and not self._pending

    def _add(self, key: K) -> _Batch:
        batch = self._batch
        if batch is None or batch.dispatched:
            batch = self._batch = _Batch()
            loop = asyncio.get_running_loop()
            loop.call_soon(lambda: loop.create_task(self._dispatch(batch)))
        batch.keys.append(key)
        self._pending[key] = batch
        return batch

    async def _dispatch(self, batch: _Batch) -> None:
        batch.dispatched = True
        if self._batch is batch:
            self._batch = None
        keys = batch.keys
        try:
            values = list(await self._load_fn(keys))
            if len(values) != len(keys):
                raise ValueError(f"load_fn gave {len(values)} values for {len(keys)} keys")
        except Exception as error:  # every load of these keys fails with it
            batch.set_exception(error)
            return
        found = dict(zip(keys, values, strict=True))
        for key, value in found.items():
            if not isinstance(value, BaseException):
                self._done[key] = value
                del self._pending[key]
        batch.set_result(found)


def _value(value: Any) -> Any:
    if isinstance(value, BaseException):
        raise value
    return value
