"""The JSON lane for a root that is one object or a plain list of objects, one statement.

`companySettings` (one row) and `accountRequestTypes` (a list, no pages) cost the
compiled path their query, one statement per level of relations and a Python object
per row. Where the plan of the root's object (or of each item) shows only what
`fastpath.json_sql` writes (columns, global IDs, nullable related rows and declared
lists read from whole tables), ONE statement answers it: the root's own query
(visibility, filters, order) as a subquery, each row's JSON written by the database,
a list aggregated in the query's own order.

Like the page lane (`fastpath.json_lane`) it runs only inside
`ProjectingExecutor.execute_compiled_root`, where any failure (two rows for one
object, a value the standard way would refuse) runs the request again the standard
way, and EXECUTION_CHECK compares its answers with standard execution's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import get_nullable_type
from tortoise.queryset import QuerySet

from fastpath import json_lane
from fastpath.compiler import Compiler
from fastpath.json_lane import PREBUILT, reads_whole_tables
from fastpath.json_shape import origin
from fastpath.json_sql import Related, object_sql
from fastpath.plans import Completer, ObjectPlan
from fastpath.proven import fetch_one_proven
from fastpath.query_sql import query_order, sql_of
from fastpath.rows import column_reader

# What a resolver returns when the lane answered its root (the executor answers with
# what the lane wrote, never with this).
ANSWERED: Any = object()


@dataclass(frozen=True)
class _Rows:
    """The root's rows as SQL: each row's JSON over the row aliased `p`."""

    model: Any
    item: str
    columns: tuple[str, ...]
    related: tuple[Related, ...]


async def answer_rows(info: Any, convert: Callable[[Any], Any], query: QuerySet[Any]) -> bool:
    """Answer the running root with the rows of `query` made by `convert` (`from_row`):
    the one object where the root is an object (none: not answered), else the list in
    the query's order (`order_by` down to its key). False, with nothing done, where
    the lane does not cover it; the caller then answers the usual way."""
    slot = PREBUILT.get()
    if not json_lane.ENABLED or slot is None or slot.answer is not None:
        return False
    raw = getattr(info, "_raw_info", info)
    if raw.path.prev is not None:
        return False  # a nested field, not the root being answered
    plan = slot.plan
    if Compiler.cached_root(get_nullable_type(raw.return_type), raw.field_nodes) is not plan:
        return False
    listed = isinstance(plan, Completer)
    items = _items(plan)
    db = query._choose_db()
    if items is None or db.capabilities.dialect != "postgres":
        return False
    key = ("json_rows", convert)
    if key not in items.pages:
        items.pages[key] = _compile(items, convert)  # type: ignore[assignment]
    rows = items.pages[key]
    if not isinstance(rows, _Rows) or query.model is not rows.model:
        return False
    if not reads_whole_tables(raw.context.loaders, rows.related):
        return False
    if listed:
        order = query_order(query)
        columns = [column_reader(query.model, name) for name, _ in order or ()]
        if not order or any(column is None for column in columns):
            return False
        by = ", ".join(
            f'p."{column[0]}" {"DESC" if down else "ASC"}'
            for column, (_, down) in zip(columns, order, strict=True)
            if column is not None
        )
        read = tuple(column[0] for column in columns if column is not None)
    else:
        read = ()
    page_sql, values = sql_of(query, db, tuple(dict.fromkeys([*rows.columns, *read])))
    if listed:
        sql = (
            f"SELECT coalesce(json_agg(({rows.item}) ORDER BY {by}), '[]')::text AS items_"
            f" FROM ({page_sql}) p"
        )
    else:
        # More than one row stops the statement (the usual way then answers).
        sql = f"SELECT (SELECT ({rows.item})::text FROM ({page_sql}) p) AS items_"
    found = await fetch_one_proven(db, sql, values)
    written = found[0]["items_"] if found else None
    if written is None:
        return False  # no such row: the usual way answers as it always does
    slot.answer = orjson.Fragment(written)
    return True


def _items(plan: ObjectPlan | Completer) -> ObjectPlan | None:
    """The plan of the root's object, or of each item of its list of objects."""
    if isinstance(plan, ObjectPlan):
        return plan
    item = plan.item
    if item is None or item.plan is None or item.abstract is not None or item.item is not None:
        return None
    return item.plan


def _compile(plan: ObjectPlan, convert: Callable[[Any], Any]) -> _Rows | None:
    if origin(plan) is not getattr(convert, "__self__", None):
        return None
    built = object_sql(plan, convert, "p", [])
    if built is None:
        return None
    model, item, columns, related = built
    return _Rows(model, item, tuple(columns), tuple(related))
