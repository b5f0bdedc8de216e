"""The JSON lane: a root list's page written by PostgreSQL, one statement.

A dashboard of fifty requests with four relations costs the compiled path a page
statement, one statement per relation, a Python object per row and per related
row, and the encoding of the answer. Where the plan of a root connection (compiled
for this document by an earlier request) shows of each item only columns
`from_row` copies, global IDs of keys and nullable related rows read the same way
from whole tables (`fastpath.json_sql`), ONE statement answers the page: the
list's own query (filters, visibility, cursor, order, limit, exactly as the list
built it) becomes a subquery, and PostgreSQL writes each item's JSON, with the
whole list's count beside it when `totalCount` is shown. Python then joins the
items' texts into the connection the plan shows (`nodes`, `edges` with cursors
made by the list's own cursor function, `pageInfo`, `totalCount`, `__typename`)
and hands it to the response as it is (`orjson.Fragment`).

It runs only inside `ProjectingExecutor.execute_compiled_root`: there, anything
that goes wrong (an error from the statement, a cursor the list cannot make from
the columns read) makes the whole request run again the standard way, so no half
answer is ever used. Values the standard path would refuse (an enum member the
schema does not know) raise inside the statement rather than be written.
EXECUTION_CHECK compares its answers with standard execution's like every other
fast answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from graphql import get_nullable_type
from tortoise.models import Model

from fastpath.compiler import Compiler
from fastpath.counts import SumOf
from fastpath.json_sql import Related, object_sql
from fastpath.plans import FieldPlan, ObjectPlan
from fastpath.query_sql import sql_of
from fastpath.rows import column_reader, is_plain


@dataclass
class Prebuilt:
    """Set by `execute_compiled_root` around its root resolver: the plan it will
    complete with, and the answer the list wrote for it, if it did."""

    plan: ObjectPlan
    # The executor running the root: it completes fields the lane leaves to Python.
    executor: Any = None
    answer: Any = None


# On unless a test looks at the paths it replaces (narrow pages and relations).
ENABLED = True

PREBUILT: ContextVar[Prebuilt | None] = ContextVar("docket_fastpath_prebuilt", default=None)

# What a connection shows, field by field: (response key as JSON, what it is, detail).
Shape = list[tuple[bytes, str, Any]]


@dataclass
class JsonPage:
    """One plan's page as SQL (what it selects of the page, each item's JSON) and the
    shape of the connection around the items."""

    model: type[Model]
    columns: tuple[str, ...]  # of the page's own query
    item: str  # the json_build_object(...) of one item, the page aliased `p`
    related: list[Related]
    shape: Shape
    items: ObjectPlan  # the plan of each item
    names: list[str]  # the items' response keys, in order
    computed: list[FieldPlan]  # batched fields of the items, completed in Python
    counted: bool  # totalCount is shown
    cursors: bool  # edges or pageInfo are shown
    _sql: dict[tuple[str, str, str, bool], str] = field(default_factory=dict)

    def statement(self, page_sql: str, count_sql: str, sort: str, descending: bool) -> str:
        key = (page_sql, count_sql, sort, descending)
        found = self._sql.get(key)
        if found is None:
            found = self._write(page_sql, count_sql, sort, descending)
            if len(self._sql) > 64:
                self._sql.clear()
            self._sql[key] = found
        return found

    def _write(self, page_sql: str, count_sql: str, sort: str, descending: bool) -> str:
        direction = "DESC" if descending else "ASC"
        pk = self.model._meta.db_pk_column
        rows = (
            f"SELECT ({self.item})::text AS item_, p.* FROM ({page_sql}) p"
            f' ORDER BY p."{sort}" {direction}, p."{pk}" {direction}'
        )
        if not count_sql:
            return rows
        # The count beside the page; one row with no item when the page is empty.
        offset = page_sql.count("$") and max(int(n) for n in re.findall(r"\$(\d+)", page_sql))
        count = re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + offset}", count_sql)
        return f"SELECT c.count_, r.* FROM ({count}) c LEFT JOIN LATERAL ({rows}) r ON true"


def json_page(
    info: Any,
    convert: Callable[[Any], Any],
    query: Any,
    sort: str,
) -> JsonPage | None:
    """The JSON lane's plan for this list of `query` (sorted by the model attribute
    `sort`) in the running `execute_compiled_root`, or None when the lane cannot
    answer it (the caller pages the usual way)."""
    slot = PREBUILT.get()
    if not ENABLED or slot is None or slot.answer is not None:
        return None
    if query._choose_db().capabilities.dialect != "postgres":
        return None
    raw = getattr(info, "_raw_info", info)
    plan = Compiler.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
    if plan is None or plan is not slot.plan:
        return None
    key = ("json", convert)
    if key not in plan.pages:
        plan.pages[key] = _compile_page(plan, convert)  # type: ignore[assignment]
    page = plan.pages[key]
    if not isinstance(page, JsonPage) or column_reader(page.model, sort) is None:
        return None
    loaders = raw.context.loaders
    for related in page.related:
        loader = getattr(loaders, related.loader, None)
        rows_of = getattr(loader, "rows_of", None)
        if loader is None or rows_of is None or not loader.untouched():
            return None
        rows = rows_of()
        if rows.model is not related.model or not is_plain(rows):
            return None  # a narrowed view of those rows: the loader's own query decides
    return page


async def answer_page(
    page: JsonPage,
    whole: Any,
    window: Any,
    *,
    sort: str,
    descending: bool,
    size: int,
    has_previous: bool,
    columns: tuple[str, ...],
    cursor: Callable[[Any], str],
    make: Callable[[Any], Any],
    count: Callable[[], Awaitable[int]] | None = None,
) -> None:
    """Answer the running root with the first `size` rows of `window` (ordered, limited
    to size + 1), counting `whole` in the same statement if shown (or by `count`, where
    the list has a cheaper exact count). `columns` are what `cursor(record)` and the
    items `make(record)` makes for batched fields read."""
    slot = PREBUILT.get()
    assert slot is not None
    db = window._choose_db()
    if db.capabilities.dialect != "postgres" or window.model is not page.model:
        raise LookupError("not a PostgreSQL page of this plan")
    sort_column = column_reader(page.model, sort)
    assert sort_column is not None
    selected = tuple(dict.fromkeys([*page.columns, *columns, sort_column[0]]))
    page_sql, values = sql_of(window, db, selected)
    count_sql, count_values = sql_of(whole, db, (page.model._meta.db_pk_column,))
    if isinstance(count, SumOf):  # the list's kept count, summed in the same statement
        summed, count_values = sql_of(count.query, db, (count.column,))
        count_sql = f'SELECT coalesce(sum(s."{count.column}"), 0) AS count_ FROM ({summed}) s'
        count = None
    elif page.counted:
        count_sql = f"SELECT count(*) AS count_ FROM ({count_sql}) q"
    counted = page.counted and count is None
    if counted:
        values = [*values, *count_values]
    sql = page.statement(page_sql, count_sql if counted else "", sort_column[0], descending)
    _, rows = await db.execute_query(sql, values)
    total = int(rows[0]["count_"]) if counted and rows else 0
    if page.counted and count is not None:
        total = await count()
    records = [row for row in rows if row["item_"] is not None]
    more = len(records) > size
    records = records[:size]
    if page.computed:
        items = await _with_computed(page, slot, records, make)
    else:
        items = [row["item_"].encode() for row in records]
    marks = [orjson.dumps(cursor(row)) for row in records] if page.cursors else []
    slot.answer = orjson.Fragment(
        _connection(page.shape, items, marks, more=more, before=has_previous, total=total)
    )


async def _with_computed(
    page: JsonPage, slot: Prebuilt, records: list[Any], make: Callable[[Any], Any]
) -> list[bytes]:
    """The items' JSON with their batched fields: each called once for the page on
    objects made from the records, completed by the running executor, and put in
    their places among the fields the database wrote."""
    executor = slot.executor
    if executor is None:
        raise LookupError("no executor to complete batched fields")
    sources = [make(record) for record in records]
    resolved = [
        await executor._call_batched(page.items, field_plan, sources)
        for field_plan in page.computed
    ]
    completed = await executor._complete_all(page.computed, resolved)
    by_name = {
        field_plan.response_name: values
        for field_plan, values in zip(page.computed, completed, strict=True)
    }
    items = []
    for position, record in enumerate(records):
        written = orjson.loads(record["item_"])
        items.append(
            orjson.dumps(
                {
                    name: by_name[name][position] if name in by_name else written[name]
                    for name in page.names
                }
            )
        )
    return items


def _connection(
    shape: Shape, items: list[bytes], marks: list[bytes], *, more: bool, before: bool, total: int
) -> bytes:
    parts = []
    for name, kind, detail in shape:
        if kind == "typename":
            value = detail
        elif kind == "nodes":
            value = b"[" + b",".join(items) + b"]"
        elif kind == "edges":
            value = (
                b"["
                + b",".join(_edge(detail, i, m) for i, m in zip(items, marks, strict=True))
                + b"]"
            )
        elif kind == "page_info":
            facts: dict[str, bytes] = {
                "has_next_page": b"true" if more else b"false",
                "has_previous_page": b"true" if before else b"false",
                "start_cursor": marks[0] if marks else b"null",
                "end_cursor": marks[-1] if marks else b"null",
            }
            value = _object(detail, facts)
        else:  # total_count
            value = str(total).encode()
        parts.append(name + b":" + value)
    return b"{" + b",".join(parts) + b"}"


def _edge(shape: Shape, item: bytes, mark: bytes) -> bytes:
    return _object(shape, {"node": item, "cursor": mark})


def _object(shape: Shape, values: dict[str, bytes]) -> bytes:
    """A JSON object of `shape`: each field's value from `values`, a typename as given."""
    parts = [name + b":" + cast(bytes, values.get(kind, detail)) for name, kind, detail in shape]
    return b"{" + b",".join(parts) + b"}"


def _compile_page(plan: ObjectPlan, convert: Callable[[Any], Any]) -> JsonPage | None:
    """The page of `plan` (a connection of objects made by `convert`) as SQL, or None."""
    shape: Shape = []
    items: list[ObjectPlan] = []
    for field_plan in plan.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
            continue
        kind = _python_name(field_plan)
        completer = field_plan.completer
        if completer is None:
            return None
        if kind == "nodes" and completer.item is not None and completer.item.plan is not None:
            items.append(completer.item.plan)
            shape.append((name, "nodes", None))
        elif kind == "edges" and completer.item is not None and completer.item.plan is not None:
            edge = _edge_shape(completer.item.plan, items)
            if edge is None:
                return None
            shape.append((name, "edges", edge))
        elif kind == "page_info" and completer.plan is not None:
            info = _page_info_shape(completer.plan)
            if info is None:
                return None
            shape.append((name, "page_info", info))
        elif kind == "total_count" and completer.leaf is not None and completer.leaf.name == "Int":
            shape.append((name, "total_count", None))
        else:
            return None
    target = getattr(convert, "__self__", None)
    if not items or any(_origin(item) is not target for item in items):
        return None
    # Every selection of the items (nodes and edges' node) writes the same JSON only if
    # they are one plan; two different selections are not covered.
    if any(item is not items[0] for item in items):
        return None
    computed: list[FieldPlan] = []
    built = object_sql(items[0], convert, "p", [], computed)
    if built is None:
        return None
    model, item, columns, related = built
    pk = column_reader(model, model._meta.pk_attr)
    if pk is None:
        return None
    kinds = {kind for _, kind, _ in shape}
    return JsonPage(
        model,
        tuple(dict.fromkeys([pk[0], *columns])),
        item,
        related,
        shape,
        items[0],
        [field_plan.response_name for field_plan in items[0].fields],
        computed,
        counted="total_count" in kinds,
        cursors=bool(kinds & {"edges", "page_info"}),
    )


def _edge_shape(edge: ObjectPlan, items: list[ObjectPlan]) -> Shape | None:
    shape: Shape = []
    for field_plan in edge.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
            continue
        kind = _python_name(field_plan)
        completer = field_plan.completer
        if kind == "node" and completer is not None and completer.plan is not None:
            items.append(completer.plan)
            shape.append((name, "node", None))
        elif kind == "cursor" and field_plan.batch is None and field_plan.gate is None:
            shape.append((name, "cursor", None))
        else:
            return None
    return shape


_PAGE_INFO = frozenset({"has_next_page", "has_previous_page", "start_cursor", "end_cursor"})


def _page_info_shape(page_info: ObjectPlan) -> Shape | None:
    shape: Shape = []
    for field_plan in page_info.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
        elif field_plan.attribute in _PAGE_INFO:
            shape.append((name, field_plan.attribute, None))
        else:
            return None
    return shape


def _python_name(field_plan: FieldPlan) -> str | None:
    if field_plan.attribute is not None:
        return field_plan.attribute
    definition = (
        field_plan.field_def.extensions.get("strawberry-definition")
        if (field_plan.field_def is not None)
        else None
    )
    return getattr(definition, "python_name", None)


def _origin(plan: ObjectPlan) -> Any:
    definition = plan.type.extensions.get("strawberry-definition")
    return getattr(definition, "origin", None)
