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
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import get_nullable_type
from tortoise.models import Model

from fastpath import replay
from fastpath.compiler import Compiler
from fastpath.counts import SumOf
from fastpath.declare import Written
from fastpath.json_shape import Shape, connection_shape, origin
from fastpath.json_sql import NOW, SEGMENTS, Related, object_sql
from fastpath.page_statement import PageStatement, lends_by_statement
from fastpath.plans import Completer, FieldPlan, ObjectPlan
from fastpath.proven import with_proof
from fastpath.query_sql import sql_of
from fastpath.rows import column_reader, is_plain
from fastpath.together import shifted


@dataclass
class Prebuilt:
    """Set by `execute_compiled_root` around its root resolver: the plan it will
    complete with, and the answer the list wrote for it, if it did."""

    plan: ObjectPlan | Completer  # a root list's completer (`fastpath.json_nodes`)
    # The executor running the root: it completes fields the lane leaves to Python.
    executor: Any = None
    answer: Any = None


# On unless a test looks at the paths it replaces (narrow pages and relations).
ENABLED = True

PREBUILT: ContextVar[Prebuilt | None] = ContextVar("docket_fastpath_prebuilt", default=None)


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
    computed: list[FieldPlan]  # batched fields of the items, completed in Python
    written: list[FieldPlan]  # batched fields of the items the database writes
    counted: bool  # totalCount is shown
    cursors: bool  # edges or pageInfo are shown
    # The same item with its related rows joined to the page (`joins`), for pages whose
    # plan PostgreSQL keeps (see `_write`).
    joined: str = ""
    joins: str = ""
    _sql: dict[tuple[str, str, Order, str], str] = field(default_factory=dict)

    @property
    def aggregate(self) -> bool:
        """Only the items' JSON is needed (no cursor, no batched field): the database
        aggregates them into one array, one value to read."""
        return not self.cursors and not self.computed

    def statement(self, page_sql: str, count_sql: str, order: Order, proof: str = "") -> str:
        """The page's statement; `order`: the page's columns and directions."""
        key = (page_sql, count_sql, order, proof)
        found = self._sql.get(key)
        if found is None:
            found = self._write(page_sql, count_sql, order, proof)
            if len(self._sql) > 64:
                self._sql.clear()
            self._sql[key] = found
        return found

    def _write(self, page_sql: str, count_sql: str, order: Order, proof: str) -> str:
        by = ", ".join(f'p."{column}" {"DESC" if down else "ASC"}' for column, down in order)
        # Related rows joined where the page's limit is in its text, so PostgreSQL keeps
        # one plan (`query_sql.plan_stable`): it hashes small tables once (a dashboard
        # of 100: 1.09 ms by subqueries, 0.93 joined). A page planned at every execution
        # (a search, a cursor's range) keeps its subqueries: five tables joined took
        # 0.35 ms to plan where the subqueries took 0.16, and ran no faster at 50.
        item, joins = (self.joined, self.joins) if _KEPT_PLAN.search(page_sql) else (self.item, "")
        if self.aggregate:
            rows = (
                f"SELECT coalesce(json_agg(({item}) ORDER BY {by}), '[]')::text"
                f" AS items_ FROM ({page_sql}) p{joins}"
            )
        else:
            # Each item, and what its cursor reads (a batched field: the whole page row).
            read = "p.*" if self.computed else ", ".join(f'p."{column}"' for column, _ in order)
            rows = (
                f"SELECT ({item})::text AS item_, {read} FROM ({page_sql}) p{joins} ORDER BY {by}"
            )
        if count_sql:
            # The count beside the page; one row with no item when the page is empty.
            count = shifted(count_sql, _last_parameter(page_sql))
            rows = f"SELECT c.count_, r.* FROM ({count}) c LEFT JOIN LATERAL ({rows}) r ON true"
        # The clock written fields read: the next parameter (see `clock`).
        rows = rows.replace(NOW, f"${_last_parameter(rows) + 1}::timestamptz")
        return with_proof(rows, proof, _last_parameter(rows)) if proof else rows

    @property
    def clock(self) -> Callable[[], Any] | None:
        """What gives the time the written fields read, if they read one."""
        for field_plan in self.written:
            written = field_plan.batch.written if field_plan.batch is not None else None
            if isinstance(written, Written):
                return written.clock
        return None


# The end of a page's SQL whose limit (and offset) `query_sql` wrote into its text.
_KEPT_PLAN = re.compile(r" LIMIT \d+( OFFSET \d+)?$")

# A page's order: columns, each descending or not.
Order = tuple[tuple[str, bool], ...]


def _names(sort: str | Sequence[str]) -> Sequence[str]:
    return (sort,) if isinstance(sort, str) else sort


def _column(model: type[Model], attribute: str) -> str:
    found = column_reader(model, attribute)
    if found is None:
        raise LookupError(f"{attribute} is not a column of {model.__name__}")
    return found[0]


def _last_parameter(sql: str) -> int:
    return max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)


def json_page(
    info: Any,
    convert: Callable[[Any], Any],
    query: Any,
    sort: str | Sequence[str],
) -> JsonPage | None:
    """The JSON lane's plan for this list of `query` (sorted by the model attribute
    `sort`, or by several) in the running `execute_compiled_root`, or None when the
    lane cannot answer it (the caller pages the usual way)."""
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
    if not isinstance(page, JsonPage):
        return None
    if any(column_reader(page.model, name) is None for name in _names(sort)):
        return None
    return page if reads_whole_tables(raw.context.loaders, page.related) else None


def reads_whole_tables(loaders: Any, related: Iterable[Related]) -> bool:
    """Does every loader of `related` read its whole table for this viewer?"""
    whole_table = getattr(loaders, "whole_table", None)
    for table in related:
        if whole_table is not None and table.by is None:
            # The loaders answer it themselves, cheaply (see `reads_whole_table`).
            if whole_table(table.loader) is not table.model:
                return False
        elif not reads_whole_table(loaders, table.loader, table.model, table.by):
            return False  # a narrowed view of those rows: the loader's own query decides
    return True


def reads_whole_table(loaders: Any, name: str, model: type[Model], by: str | None = None) -> bool:
    """Does loader `name` read every row of `model`'s table for this operation's viewer,
    with nothing loaded yet? Only then may the lane read those rows inside its own
    statement. Asked of the loader's query itself (`rows_of`), which the domain's
    visibility rules build anew: request loaders may instead answer it with a method
    `whole_table(name)` (that model, or None), as cheaply as they can, but never
    differently from this."""
    loader = getattr(loaders, name, None)
    rows_of = getattr(loader, "rows_of", None)
    if loader is None or rows_of is None or not loader.untouched():
        return False
    if getattr(loader, "by", None) != by:
        return False  # the loader looks its rows up by another column
    rows = rows_of()
    return rows.model is model and is_plain(rows)


async def answer_page(
    page: JsonPage,
    whole: Any,
    window: Any,
    *,
    order: Sequence[tuple[str, bool]],
    size: int,
    has_previous: bool,
    columns: tuple[str, ...],
    cursor: Callable[[int, Any], str],
    make: Callable[[Any], Any],
    count: Callable[[], Awaitable[int]] | None = None,
) -> None:
    """Answer the running root with the first `size` rows of `window` (in `order`: model
    attributes, each descending or not, the last one unique; one more row is read where
    `hasNextPage` may be shown), counting `whole` in the same statement if shown (or by
    `count`, where the list has a cheaper exact count). `columns` are what
    `cursor(position, record)` and the items `make(record)` makes for batched fields
    read."""
    slot = PREBUILT.get()
    assert slot is not None
    db = window._choose_db()
    if db.capabilities.dialect != "postgres" or window.model is not page.model:
        raise LookupError("not a PostgreSQL page of this plan")
    by: Order = tuple((_column(page.model, name), down) for name, down in order)
    selected = tuple(dict.fromkeys([*page.columns, *columns, *(name for name, _ in by)]))
    window = window.limit(size if page.aggregate else size + 1)
    page_sql, values = sql_of(window, db, selected)
    # The count in the same statement: the list's kept one (a tally), else COUNT(*) of
    # the whole list; a count of another kind is awaited after it.
    count_sql = ""
    if page.counted and isinstance(count, SumOf):
        summed, count_values = sql_of(count.query, db, (count.column,))
        count_sql = f'SELECT coalesce(sum(s."{count.column}"), 0) AS count_ FROM ({summed}) s'
    elif page.counted and count is None:
        listed_sql, count_values = sql_of(whole, db, (page.model._meta.db_pk_column,))
        count_sql = f"SELECT count(*) AS count_ FROM ({listed_sql}) q"
    if count_sql:
        values = [*values, *count_values]
    for field_plan in page.written:
        if field_plan.gate:  # the viewer's permissions, as the executor checks them
            if slot.executor is None:
                raise LookupError("no executor to check the permissions of written fields")
            slot.executor._gated_info(page.items, field_plan)
    statement = PageStatement(page, db, page_sql, count_sql, by, values, size, has_previous, cursor)
    rows = await statement.rows()
    awaited = page.counted and not count_sql and count is not None
    total = await count() if awaited and count is not None else None
    items = None
    if page.computed:
        items = await _with_computed(page, slot, statement.records(rows), make)
    slot.answer = statement.finish(rows, items, total)
    if not page.computed and not awaited and lends_by_statement(db):
        replay.offer(statement, slot.answer)  # made of its rows alone: it may run again


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
    names = [orjson.dumps(field_plan.response_name) + b":" for field_plan in page.computed]
    items = []
    for position, record in enumerate(records):
        segments = record["item_"].split(SEGMENTS)
        parts = []
        for at, segment in enumerate(segments):
            inner = segment[1:-1].strip()  # the fields of `{...}`, none for `{}`
            if inner:
                parts.append(inner.encode())
            if at < len(names):
                parts.append(names[at] + orjson.dumps(completed[at][position]))
        items.append(b"{" + b",".join(parts) + b"}")
    return items


def _compile_page(plan: ObjectPlan, convert: Callable[[Any], Any]) -> JsonPage | None:
    """The page of `plan` (a connection of objects made by `convert`) as SQL, or None."""
    found = connection_shape(plan)
    if found is None:
        return None
    shape, items = found
    target = getattr(convert, "__self__", None)
    if not items or any(origin(item) is not target for item in items):
        return None
    # Every selection of the items (nodes and edges' node) writes the same JSON only if
    # they are one plan; two different selections are not covered.
    if any(item is not items[0] for item in items):
        return None
    computed: list[FieldPlan] = []
    written: list[FieldPlan] = []
    built = object_sql(items[0], convert, "p", [], computed, written)
    joins: list[str] = []  # the same, related rows joined (the lists it fills are the same)
    joined = object_sql(items[0], convert, "p", [], [], [], joins)
    if built is None or joined is None:
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
        computed,
        written,
        counted="total_count" in kinds,
        cursors=bool(kinds & {"edges", "page_info"}),
        joined=joined[1],
        joins="".join(joins),
    )
