"""Two loader shapes every domain uses: rows by ID, and rows grouped by a foreign key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


def rows_by_id(query: Callable[[], QuerySet[M]]) -> DataLoader[int, M | None]:
    """`load(id)` -> the row or None; one `id IN (...)` query per batch."""

    async def load(ids: Sequence[int]) -> list[M | None]:
        rows = await query().filter(id__in=list(set(ids)))
        found = {row.pk: row for row in rows}
        return [found.get(key) for key in ids]

    return DataLoader(load_fn=load)


def rows_by_key(query: Callable[[], QuerySet[M]], key: str) -> DataLoader[int, list[M]]:
    """`load(parent_id)` -> its rows in the query's order; one query per batch."""

    async def load(keys: Sequence[int]) -> list[list[M]]:
        rows = await query().filter(**{f"{key}__in": list(set(keys))})
        grouped: dict[int, list[M]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, key)].append(row)
        return [grouped.get(parent, []) for parent in keys]

    return DataLoader(load_fn=load)
