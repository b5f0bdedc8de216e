"""One page of each parent's rows, and each parent's row count: one statement per batch.

`rows_by_key` reads every row of every parent and leaves the paging to Python: an
account's page of 10 requests read all of its requests (about 500 at a million).
`slices_by_key` reads only the rows at positions [offset, offset + limit) of each
parent, in the given order:

- PostgreSQL: `unnest(parents) CROSS JOIN LATERAL (... WHERE key = parent ORDER BY
  ... OFFSET LIMIT)`, so each parent's rows come from an index on (key, order) and
  the scan stops after offset + limit of them;
- SQLite (no LATERAL): `ROW_NUMBER() OVER (PARTITION BY key ORDER BY ...)` kept
  between offset and offset + limit: the same rows.

Both run the rows the query gives (visibility included) as a subquery, so the
slice is of exactly the list the query describes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath.batch import BatchLoader
from fastpath.query_sql import sql_of
from fastpath.rows import build_model

M = TypeVar("M", bound=Model)

# (parent key, offset, limit): the rows at positions [offset, offset + limit).
Slice = tuple[int, int, int]


def slices_by_key(
    query: Callable[[], QuerySet[M]], key: str, order: tuple[str, ...]
) -> BatchLoader[Slice, list[M]]:
    """`load((parent_id, offset, limit))` -> those rows of the parent's, in `order`
    (field names, `-` for descending; end with a unique one). One statement per batch
    and window: a page of any number of parents reads at most `limit` rows of each."""

    async def load(slices: Sequence[Slice]) -> list[list[M]]:
        parents: dict[tuple[int, int], set[int]] = defaultdict(set)
        for parent, offset, limit in slices:
            parents[(offset, limit)].add(parent)
        found: dict[Slice, list[M]] = defaultdict(list)
        for (offset, limit), keys in parents.items():
            for row in await _slices(query(), key, order, sorted(keys), offset, limit):
                found[(getattr(row, key), offset, limit)].append(row)
        return [found.get(wanted, []) for wanted in slices]

    return BatchLoader(load_fn=load)


def counts_by_key(query: Callable[[], QuerySet[M]], key: str) -> BatchLoader[int, int]:
    """`load(parent_id)` -> how many rows of the query the parent has (`key` not null);
    one GROUP BY a batch."""

    async def load(keys: Sequence[int]) -> list[int]:
        rows = (
            await query()
            .filter(**{f"{key}__in": sorted(set(keys))})
            # COUNT of the (never null) key: an index on it answers without the rows.
            .annotate(n_=Count(key))
            .group_by(key)
            .values(key, "n_")
        )
        counted = {row[key]: int(row["n_"]) for row in rows}
        return [counted.get(parent, 0) for parent in keys]

    return BatchLoader(load_fn=load)


async def _slices(
    query: QuerySet[M], key: str, order: tuple[str, ...], keys: list[int], offset: int, limit: int
) -> list[M]:
    model = query.model
    db = model._meta.db
    inner, values = sql_of(query, db)
    columns = model._meta.fields_db_projection
    column = _quoted(columns[key])
    terms = [
        f"{_quoted(columns[name.lstrip('-')])}{' DESC' if name.startswith('-') else ''}"
        for name in order
    ]
    ordering = ", ".join(f"v_.{term}" for term in terms)
    if db.capabilities.dialect == "postgres":
        n = len(values)
        sql = (
            f"SELECT p_.* FROM unnest(${n + 1}::int[]) AS k_(key_) CROSS JOIN LATERAL"
            f" (SELECT v_.* FROM ({inner}) v_ WHERE v_.{column} = k_.key_"
            f" ORDER BY {ordering} OFFSET ${n + 2} LIMIT ${n + 3}) p_"
            f" ORDER BY p_.{column}, {', '.join(f'p_.{term}' for term in terms)}"
        )
        params: list[Any] = [*values, keys, offset, limit]
    else:
        marks = ", ".join("?" for _ in keys)
        sql = (
            f"SELECT * FROM (SELECT v_.*, ROW_NUMBER() OVER"
            f" (PARTITION BY v_.{column} ORDER BY {ordering}) AS row_"
            f" FROM ({inner}) v_ WHERE v_.{column} IN ({marks}))"
            " WHERE row_ > ? AND row_ <= ? ORDER BY row_"
        )
        params = [*values, *keys, offset, offset + limit]
    _, rows = await db.execute_query(sql, params)
    build = build_model(model)
    return [build(row) for row in rows]


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
