"""The JSON lane: a root list's page answered by PostgreSQL as JSON text.

A dashboard of fifty requests with four relations costs the compiled path a page
statement, one statement per relation, a Python object per row and per related
row, and the encoding of the answer. Where the plan of a root connection (compiled
for this document by an earlier request) shows only `nodes` of the page (and
`__typename`), and every field under them is a column `from_row` copies, the
global ID of a key, or a nullable related row read the same way from a whole
table, ONE statement answers it: the page's own query (filters, visibility,
cursor, order, limit, exactly as the list built it) becomes a subquery, and
PostgreSQL writes each item's JSON (relations as scalar subqueries by key, leaves
as the GraphQL answer writes them) and aggregates them in the page's order. The
text goes into the response as it is (`orjson.Fragment`).

It runs only inside `ProjectingExecutor.execute_compiled_root` (the direct lane's
one-root-field queries): there, anything that goes wrong (an error from the
statement, a value it cannot write) makes the whole request run again the
standard way, so no half answer is ever used. Values the standard path would
refuse (an enum member the schema does not know) raise inside the statement
rather than be written. EXECUTION_CHECK compares its answers with standard
execution's like every other fast answer.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import get_nullable_type
from tortoise.fields.data import (
    BooleanField,
    CharEnumFieldInstance,
    CharField,
    DateField,
    DatetimeField,
    IntField,
    SmallIntField,
    TextField,
)
from tortoise.models import Model

from fastpath.compiler import Compiler
from fastpath.narrow import GLOBAL_ID, _readers, _utc_default
from fastpath.plans import Completer, FieldPlan, ObjectPlan
from fastpath.query_sql import sql_of
from fastpath.rows import column_reader, is_plain


@dataclass
class Prebuilt:
    """Set by `execute_compiled_root` around its root resolver: the plan it will
    complete with, and the answer the list built for it, if it did."""

    plan: ObjectPlan
    answer: dict[str, Any] | None = None


# On unless a test looks at the paths it replaces (narrow pages and relations).
ENABLED = True

PREBUILT: ContextVar[Prebuilt | None] = ContextVar("docket_fastpath_prebuilt", default=None)


@dataclass(frozen=True)
class _Related:
    loader: str  # the request's loader of these rows (must read the whole table)
    model: type[Model]


@dataclass
class JsonPage:
    """One plan's page as SQL: what it selects of the page and the item's JSON."""

    model: type[Model]
    columns: tuple[str, ...]  # of the page's own query
    item: str  # the json_build_object(...) of one item, the page aliased `p`
    related: list[_Related]
    connection: list[tuple[str, str | None]]  # response names; a typename or the nodes
    _sql: dict[tuple[str, str, bool], str] = field(default_factory=dict)

    def statement(self, page_sql: str, sort: str, descending: bool) -> str:
        key = (page_sql, sort, descending)
        found = self._sql.get(key)
        if found is None:
            direction = "DESC" if descending else "ASC"
            pk = self.model._meta.db_pk_column
            found = (
                f'SELECT coalesce(json_agg({self.item} ORDER BY p."{sort}" {direction},'
                f" p.\"{pk}\" {direction}), '[]'::json)::text FROM ({page_sql}) p"
            )
            if len(self._sql) > 64:
                self._sql.clear()
            self._sql[key] = found
        return found


def json_page(
    info: Any, convert: Callable[[Any], Any], query: Any, sort: str, descending: bool
) -> Callable[[], Any] | None:
    """`await json_page(...)()` -> True when the page of `query` (ordered by the model
    attribute `sort`, limited to the page) was answered as JSON for the running
    `execute_compiled_root`; None when this lane cannot answer it (the caller pages
    the usual way)."""
    slot = PREBUILT.get()
    if not ENABLED or slot is None or slot.answer is not None:
        return None
    raw = getattr(info, "_raw_info", info)
    plan = Compiler.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
    if plan is None or plan is not slot.plan:
        return None
    db = query._choose_db()
    if db.capabilities.dialect != "postgres":
        return None
    page = _page_of(plan, convert)
    if page is None or query.model is not page.model:
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
    sort_column = column_reader(page.model, sort)
    if sort_column is None:
        return None

    async def run() -> bool:
        columns = tuple(dict.fromkeys([*page.columns, sort_column[0]]))
        page_sql, values = sql_of(query, db, columns)
        sql = page.statement(page_sql, sort_column[0], descending)
        _, rows = await db.execute_query(sql, values)
        text = rows[0][0]
        fragment = orjson.Fragment(text.encode())
        slot.answer = {
            name: (typename if typename is not None else fragment)
            for name, typename in page.connection
        }
        return True

    return run


def _page_of(plan: ObjectPlan, convert: Callable[[Any], Any]) -> JsonPage | None:
    key = ("json", convert)
    if key not in plan.pages:
        plan.pages[key] = _compile_page(plan, convert)  # type: ignore[assignment]
    found = plan.pages[key]
    return found if isinstance(found, JsonPage) else None


def _compile_page(plan: ObjectPlan, convert: Callable[[Any], Any]) -> JsonPage | None:
    connection: list[tuple[str, str | None]] = []
    items: ObjectPlan | None = None
    for field_plan in plan.fields:
        if field_plan.typename is not None:
            connection.append((field_plan.response_name, field_plan.typename))
            continue
        completer = field_plan.completer
        if (
            field_plan.attribute != "nodes"
            or completer is None
            or completer.item is None
            or completer.item.plan is None
            or items is not None
        ):
            return None
        items = completer.item.plan
        connection.append((field_plan.response_name, None))
    if items is None:
        return None
    target = getattr(convert, "__self__", None)
    definition = items.type.extensions.get("strawberry-definition")
    if definition is None or definition.origin is not target:
        return None
    built = _object_sql(items, convert, "p", [])
    if built is None:
        return None
    model, item, columns, related = built
    pk = column_reader(model, model._meta.pk_attr)
    if pk is None:
        return None
    return JsonPage(model, tuple(dict.fromkeys([pk[0], *columns])), item, related, connection)


def _object_sql(
    plan: ObjectPlan, convert: Callable[[Any], Any], alias: str, path: list[str]
) -> tuple[type[Model], str, list[str], list[_Related]] | None:
    """json_build_object(...) of one object of `plan` made by `convert` from the row
    aliased `alias`; the columns it reads of that row; the related rows it reads."""
    attributes = [
        field_plan.attribute if field_plan.loaded is None else field_plan.loaded.key
        for field_plan in plan.fields
        if field_plan.typename is None
    ]
    if any(attribute is None for attribute in attributes):
        return None
    found = _readers(convert, [a for a in attributes if a is not None])
    if found is None:
        return None
    model, _, readers = found
    by_attribute = {reader.attribute: reader for reader in readers}
    parts: list[str] = []
    columns: list[str] = []
    related: list[_Related] = []
    for field_plan in plan.fields:
        parts.append(_literal(field_plan.response_name))
        if field_plan.typename is not None:
            parts.append(_literal(field_plan.typename))
            continue
        if field_plan.gate is not None or field_plan.batch is not None:
            return None
        if field_plan.loaded is not None:
            reader = by_attribute[field_plan.loaded.key]
            if reader.id_of is not None:
                return None
            value = _related_sql(field_plan, f'{alias}."{reader.column}"', [*path, alias])
            if value is None:
                return None
            sql, nested = value
            columns.append(reader.column)
            related.extend(nested)
            parts.append(sql)
            continue
        assert field_plan.attribute is not None
        reader = by_attribute[field_plan.attribute]
        leaf = _leaf_sql(
            model, reader.field, f'{alias}."{reader.column}"', field_plan, reader.id_of
        )
        if leaf is None:
            return None
        columns.append(reader.column)
        parts.append(leaf)
    return model, f"json_build_object({', '.join(parts)})", columns, related


def _related_sql(
    field_plan: FieldPlan, key_sql: str, path: list[str]
) -> tuple[str, list[_Related]] | None:
    completer = field_plan.completer
    loaded = field_plan.loaded
    convert = field_plan.convert
    if (
        completer is None
        or completer.non_null
        or completer.plan is None
        or loaded is None
        or convert is None
        or field_plan.narrow is None
        or len(path) > 3
    ):
        return None
    alias = f"r{len(path)}"
    built = _object_sql(completer.plan, convert, alias, path)
    if built is None:
        return None
    model, item, _, nested = built
    if nested:
        return None  # one level of relations, as the plans read them narrow
    pk = model._meta.db_pk_column
    sql = f'(SELECT {item} FROM "{model._meta.db_table}" {alias} WHERE {alias}."{pk}" = {key_sql})'
    return sql, [_Related(loaded.loader, model)]


def _leaf_sql(
    model: type[Model], attribute: str, column: str, field_plan: FieldPlan, id_of: str | None
) -> str | None:
    """The SQL writing a column as the GraphQL answer writes the leaf, or None."""
    completer = field_plan.completer
    if completer is None or completer.leaf is None or completer.item is not None:
        return None
    definition = model._meta.fields_map.get(attribute)
    if definition is None:
        return None
    value = _leaf_value(completer, definition, column, id_of)
    if value is None:
        return None
    if completer.non_null and definition.null:
        return None  # a null would be an error the standard way
    return value


def _leaf_value(
    completer: Completer, definition: Any, column: str, id_of: str | None
) -> str | None:
    name = completer.leaf.name
    if id_of is not None:
        if name != "ID" or not isinstance(definition, (IntField, SmallIntField)):
            return None
        if not _global_ids_match():
            return None
        return _global_id(id_of, column)
    if completer.enum is not None:
        if not isinstance(definition, CharEnumFieldInstance) or completer.names is None:
            return None
        if definition.enum_type is not completer.enum:
            return None
        cases = " ".join(
            f"WHEN {_literal(member.value)} THEN {_literal(completer.names[member])}"
            for member in completer.enum
            if member in completer.names
        )
        # A value the enum does not know is an error the standard way: stop here too.
        return (
            f"CASE WHEN {column} IS NULL THEN NULL"
            f" ELSE CASE {column} {cases} ELSE {_fail(column)} END END"
        )
    kinds: dict[str, tuple[type, ...]] = {
        "String": (CharField, TextField),
        "Int": (IntField, SmallIntField),
        "Boolean": (BooleanField,),
    }
    if (
        name in kinds
        and isinstance(definition, kinds[name])
        and not isinstance(definition, CharEnumFieldInstance)
    ):
        return column
    if name == "DateTime" and isinstance(definition, DatetimeField) and _utc_default():
        return _iso_time(column)
    if (
        name == "Date"
        and isinstance(definition, DateField)
        and not isinstance(definition, DatetimeField)
    ):
        return f"to_char({column}, 'YYYY-MM-DD')"
    return None


def _iso_time(column: str) -> str:
    """A timestamptz as Python's isoformat() writes an aware UTC time (no fraction when
    it is zero), which is how the DateTime scalar serializes."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE"
        f" to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_part('microseconds', {column})::bigint % 1000000 = 0 THEN ''"
        f" ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || '+00:00' END"
    )


@functools.cache
def _global_id_prefix(type_name: str) -> str:
    return _literal(f"{type_name}:")


def _global_ids_match() -> bool:
    """Does the domain write global IDs as this module's SQL does (unpadded URL-safe
    base64 of `Type:key`)? Checked on a few keys; any other scheme is not covered."""
    encode = GLOBAL_ID.encode
    if encode is None:
        return False
    for key in (1, 12, 123, 1234567, 2147483647):
        written = base64.urlsafe_b64encode(f"Probe:{key}".encode()).decode().rstrip("=")
        if encode("Probe", key) != written:
            return False
    return True


def _global_id(type_name: str, column: str) -> str:
    """The global ID of a key, as `GLOBAL_ID.encode` writes it (checked when compiled)."""
    return (
        f"rtrim(translate(encode(convert_to({_global_id_prefix(type_name)} || {column},"
        " 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
    )


def _fail(column: str) -> str:
    """An expression that stops the statement (division by zero, not folded while
    planning because it reads the row), so the request runs the standard way."""
    return f"(1 / (0 * length(coalesce(({column})::text, ''))))::text"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
