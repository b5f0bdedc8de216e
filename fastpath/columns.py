"""Some columns of rows by ID, one statement for every caller of a batch.

Where a list shows only a few columns of its related rows (`fastpath.narrow`) and
another field of the same objects needs other columns of the same rows (a job
draft, its account's SLA hours), each asking on its own meant two statements on
one table. `ColumnsById.by_id(keys, columns)` collects the keys and columns
asked for until the loop has gone round twice (as `BatchLoader` does), then
reads the union of them in one statement, scoped by the loader's query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath.rows import fetch_columns, is_plain
from fastpath.statements import Select, columns_by_ids

Record = Mapping[str, Any]
_MAX_SELECTS = 256  # column lists follow what clients select: keep a bounded few


class _Batch(asyncio.Future[dict[Any, Record]]):
    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[Any, None] = {}
        self.columns: dict[str, None] = {}
        self.dispatched = False
        # The model of the loader's query where every caller saw it is the whole
        # table (`rows.is_plain`), so the dispatch need not make it again.
        self.plain: type[Model] | None = None

    def cancel(self, msg: Any = None) -> bool:
        return False  # awaited by many callers: one of them leaving cancels nothing


class ColumnsById:
    """`by_id(ids, columns)` -> those columns of each row (with its `id`) by ID, for
    the rows the query holds; one statement per batch."""

    __slots__ = ("_batch", "_query")

    def __init__(self, query: Callable[[], QuerySet[Any]]) -> None:
        self._query = query
        self._batch: _Batch | None = None

    async def by_id(
        self, keys: Sequence[Any], columns: Sequence[str], *, plain: type[Model] | None = None
    ) -> Mapping[Any, Record]:
        """The batch's records by ID (with other callers' rows; a key the query does not
        hold is absent), to be read, not changed. `plain`: the model of the loader's
        query, where the caller has just seen it is the whole table (the narrow reads
        check that before they read)."""
        batch = self._batch
        if batch is None or batch.dispatched:
            batch = self._batch = _Batch()
            batch.plain = plain
            loop = asyncio.get_running_loop()
            loop.call_soon(lambda: loop.create_task(self._dispatch(batch)))
        elif batch.plain is not plain:
            batch.plain = None
        batch.keys.update(dict.fromkeys(keys))
        batch.columns.update(dict.fromkeys(columns))
        return await batch

    async def _dispatch(self, batch: _Batch) -> None:
        batch.dispatched = True
        try:
            columns = tuple(dict.fromkeys(["id", *batch.columns]))
            keys = list(batch.keys)
            query = self._query() if batch.plain is None else None
            if query is None or is_plain(query):  # the whole table: SQL written once
                model = batch.plain if query is None else query.model
                assert model is not None
                records = await _select(model, columns).records(keys)
            else:
                scoped = await fetch_columns(query.filter(id__in=keys), columns)
                if scoped is None:
                    raise TypeError("ColumnsById reads visibility queries: filters only")
                records = list(scoped)
        except Exception as error:
            batch.set_exception(error)
            return
        batch.set_result({record["id"]: record for record in records})


_selects: dict[tuple[type[Model], tuple[str, ...]], Select[Any]] = {}


def _select(model: type[Model], columns: tuple[str, ...]) -> Select[Any]:
    select = _selects.get((model, columns))
    if select is None:
        if len(_selects) >= _MAX_SELECTS:
            _selects.clear()
        select = _selects[(model, columns)] = columns_by_ids(model, columns)
    return select
