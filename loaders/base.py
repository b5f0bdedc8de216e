"""Two loader shapes every domain uses: rows by ID, and rows grouped by a foreign key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TypeAlias, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath.batch import BatchLoader
from fastpath.rows import fetch, is_plain
from fastpath.statements import by_ids
from models.viewer import Viewer

M = TypeVar("M", bound=Model)

# A loader of rows by ID whose query is the whole table for some viewers: its model, and
# the test its visibility function makes before it answers `Model.all()` (`Loaders.whole_table`).
WholeTable: TypeAlias = tuple[type[Model], Callable[[Viewer], bool]]


def everyone(viewer: Viewer) -> bool:
    """For a loader whose query is the whole table whoever asks."""
    return True


def rows_by_id(query: Callable[[], QuerySet[M]]) -> BatchLoader[int, M | None]:
    """`load(id)` -> the row or None; one `id IN (...)` query per batch."""

    async def load(ids: Sequence[int]) -> list[M | None]:
        wanted, rows_of = list(set(ids)), query()
        if is_plain(rows_of):  # every row of the table: its SQL is written once
            rows = await by_ids(rows_of.model).rows(wanted)
        else:
            rows = await fetch(rows_of.filter(id__in=wanted))
        found = {row.pk: row for row in rows}
        return [found.get(key) for key in ids]

    return BatchLoader(load_fn=load, rows_of=query)


def rows_by_unique(query: Callable[[], QuerySet[M]], key: str) -> BatchLoader[int, M | None]:
    """`load(value)` -> the row whose unique attribute `key` has that value, or None;
    one `key IN (...)` query per batch."""

    async def load(values: Sequence[int]) -> list[M | None]:
        rows = await fetch(query().filter(**{f"{key}__in": list(set(values))}))
        found = {getattr(row, key): row for row in rows}
        return [found.get(value) for value in values]

    return BatchLoader(load_fn=load, rows_of=query, by=key)


def rows_by_key(query: Callable[[], QuerySet[M]], key: str) -> BatchLoader[int, list[M]]:
    """`load(parent_id)` -> its rows in the query's order; one query per batch."""

    async def load(keys: Sequence[int]) -> list[list[M]]:
        rows = await fetch(query().filter(**{f"{key}__in": list(set(keys))}))
        grouped: dict[int, list[M]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, key)].append(row)
        return [grouped.get(parent, []) for parent in keys]

    return BatchLoader(load_fn=load)
