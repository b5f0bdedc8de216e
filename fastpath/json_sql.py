"""SQL that writes a GraphQL object as JSON, from a plan (the JSON lane's items).

Each field of the plan becomes one argument pair of `json_build_object`: a column
written as the answer writes its leaf (`fastpath.json_leaves`), a leaf the domain
derived from the row or a batched object it wrote in SQL (`derived`, `Written`), a
nullable related row as a scalar subquery by its key, `__typename` as a constant.
Anything else is not covered (None): the caller pages the usual way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

from fastpath.declare import Listed, Written
from fastpath.json_leaves import fail_sql, leaf_sql, leaf_value, literal
from fastpath.narrow import _readers
from fastpath.plans import Completer, FieldPlan, ObjectPlan
from fastpath.rows import column_reader


@dataclass(frozen=True)
class Related:
    """A related table an item reads: its loader must read the whole table."""

    loader: str
    model: type[Model]
    by: str | None = None  # the model attribute the loader looks rows up by, if not the key


def object_sql(
    plan: ObjectPlan,
    convert: Callable[[Any], Any],
    alias: str,
    path: list[str],
    computed: list[FieldPlan] | None = None,
    written: list[FieldPlan] | None = None,
    joins: list[str] | None = None,
) -> tuple[type[Model], str, list[str], list[Related]] | None:
    """json_build_object(...) of one object of `plan` made by `convert` from the row
    aliased `alias`; the columns it reads of that row; the related rows it reads.
    Given `computed`, batched fields are left out of the SQL and listed there (the
    caller completes them in Python); else they are not covered. Given `written`,
    a batched field the domain also declared in SQL (`Written`) is written by the
    database and listed there instead (the caller checks its viewer permissions).
    Given `joins`, related rows are joined to the row (`LEFT JOIN` clauses listed there,
    for the caller to put after it) rather than read by a subquery each."""
    attributes = [
        field_plan.attribute if field_plan.loaded is None else field_plan.loaded.key
        for field_plan in plan.fields
        if field_plan.typename is None
        and field_plan.derived is None
        and not (computed is not None and field_plan.batch is not None)
        and not (field_plan.batch is not None and isinstance(field_plan.batch.written, Listed))
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
    related: list[Related] = []
    cuts: list[int] = []  # where the batched fields go among the parts
    for field_plan in plan.fields:
        listed = field_plan.batch.written if field_plan.batch is not None else None
        if isinstance(listed, Listed) and not field_plan.gate:
            aggregated = _listed_sql(field_plan, listed, alias, [*path, alias])
            if aggregated is None:
                return None
            parts += [literal(field_plan.response_name), aggregated[0]]
            columns.extend(listed.columns)
            related.extend(aggregated[1])
            continue
        by_database = (
            _written_sql(field_plan, alias, [*path, alias])
            if written is not None and field_plan.batch is not None
            else None
        )
        if by_database is not None and written is not None:
            sql, reads, read_columns = by_database
            written.append(field_plan)
            parts += [literal(field_plan.response_name), sql]
            columns.extend(read_columns)
            related.extend(reads)
            continue
        if computed is not None and field_plan.batch is not None:
            if field_plan.completer is None:
                return None
            computed.append(field_plan)
            cuts.append(len(parts))
            continue
        parts.append(literal(field_plan.response_name))
        if field_plan.typename is not None:
            parts.append(literal(field_plan.typename))
            continue
        if field_plan.gate is not None or field_plan.batch is not None:
            return None
        if field_plan.derived is not None:
            computed_sql = _derived_sql(field_plan, alias)
            if computed_sql is None:
                return None
            columns.extend(field_plan.derived.columns)
            parts.append(computed_sql)
            continue
        if field_plan.loaded is not None:
            reader = by_attribute[field_plan.loaded.key]
            if reader.id_of is not None:
                return None
            value = _related_sql(field_plan, f'{alias}."{reader.column}"', [*path, alias], joins)
            if value is None:
                return None
            sql, nested = value
            columns.append(reader.column)
            related.extend(nested)
            parts.append(sql)
            continue
        assert field_plan.attribute is not None
        reader = by_attribute[field_plan.attribute]
        leaf = leaf_sql(model, reader.field, f'{alias}."{reader.column}"', field_plan, reader.id_of)
        if leaf is None:
            return None
        columns.append(reader.column)
        parts.append(leaf)
    if not cuts:
        return model, f"json_build_object({', '.join(parts)})", columns, related
    # The fields around each batched one as objects of their own, apart by a character
    # JSON text never holds raw (SEGMENTS): the caller puts the batched values between.
    bounds = [0, *cuts, len(parts)]
    objects = [
        f"json_build_object({', '.join(parts[start:end])})::text"
        for start, end in itertools.pairwise(bounds)
    ]
    return model, " || chr(1) || ".join(objects), columns, related


# Between the segments of an item with batched fields (`chr(1)` in the SQL): a control
# character, which PostgreSQL's JSON output always escapes inside strings.
SEGMENTS = "\x01"


def _related_sql(
    field_plan: FieldPlan, key_sql: str, path: list[str], joins: list[str] | None = None
) -> tuple[str, list[Related]] | None:
    completer = field_plan.completer
    loaded = field_plan.loaded
    convert = field_plan.convert
    if (
        completer is None
        or completer.non_null
        or completer.plan is None
        or loaded is None
        or convert is None
        or len(path) > 3
    ):
        return None
    # The related row as a subquery by its key, its own relations nested inside it (an
    # account's manager); each table read must be whole for this viewer (`Related`).
    # Given `joins`, joined instead: at a page of 100 PostgreSQL hashes small tables
    # once where a subquery looks each row up (the dashboard's statement 1.09 ms with
    # subqueries, 0.93 ms joined; the same at 50).
    alias = f"r{len(path)}" if joins is None else f"j{len(joins)}"
    built = object_sql(completer.plan, convert, alias, path)
    if built is None:
        return None
    model, item, _, nested = built
    lookup = _lookup_column(model, loaded.by)
    if lookup is None:
        return None
    # By a unique column other than the key, two rows would stop the statement (or,
    # joined, match none but one: the column is unique).
    table = model._meta.db_table
    related = [Related(loaded.loader, model, loaded.by), *nested]
    if joins is not None:
        joins.append(f' LEFT JOIN "{table}" {alias} ON {alias}."{lookup}" = {key_sql}')
        return f'CASE WHEN {alias}."{lookup}" IS NULL THEN NULL ELSE {item} END', related
    sql = f'(SELECT {item} FROM "{table}" {alias} WHERE {alias}."{lookup}" = {key_sql})'
    return sql, related


def _listed_sql(
    field_plan: FieldPlan, listed: Listed, alias: str, path: list[str]
) -> tuple[str, list[Related]] | None:
    """A batched list the domain also declared in SQL (`Listed`): its rows' JSON in the
    list's order, aggregated in one array ('[]' for none)."""
    completer = field_plan.completer
    item = completer.item if completer is not None else None
    if item is None or len(path) > 3:
        return None
    name = f"l{len(path)}"
    related = [Related(loader, model) for loader, model in listed.reads]
    if item.plan is not None and item.abstract is None and listed.made_by is not None:
        # The objects standard execution completes are `made_by`'s own class's.
        made = getattr(listed.made_by, "__self__", None)
        if made is None or item.plan.type.extensions.get("strawberry-definition") is None:
            return None
        if item.plan.type.extensions["strawberry-definition"].origin is not made:
            return None
        built = object_sql(item.plan, listed.made_by, name, path)
        if built is None:
            return None
        value = built[1]
        related.extend(built[3])
    elif item.leaf is not None and item.item is None and listed.written_as is not None:
        if item.non_null and listed.written_as.null:
            return None  # a null item would be an error the standard way
        found = leaf_value(item, listed.written_as, f'{name}."value_"', None)
        if found is None:
            return None
        value = found
    else:
        return None
    rows = listed.rows.replace("{row}", alias)
    order = listed.order.replace("{listed}", name)
    sql = f"(SELECT coalesce(json_agg({value} ORDER BY {order}), '[]') FROM ({rows}) {name})"
    return sql, related


def _lookup_column(model: type[Model], by: str | None) -> str | None:
    """The column a related row is found by: its key's, or the unique one of `by`."""
    if by is None:
        return str(model._meta.db_pk_column)
    definition = model._meta.fields_map.get(by)
    column = column_reader(model, by)
    if column is None or definition is None or not (definition.unique or definition.pk):
        return None
    return column[0]


def _derived_sql(field_plan: FieldPlan, alias: str) -> str | None:
    """A derived leaf (`fastpath.derived`) written from its SQL over the row."""
    derived, leaf = field_plan.derived, field_plan.completer
    if derived is None or leaf is None or leaf.leaf is None or leaf.item is not None:
        return None
    value = derived.sql.replace("{row}", alias)
    sql = leaf_value(leaf, derived.written_as, f"({value})", None)
    if sql is None or not leaf.non_null:
        return sql
    # A null where the schema promises a value is an error the standard way: stop.
    return f"coalesce({sql}, {fail_sql(value)})" if _textual(leaf) else None


def _textual(leaf: Completer) -> bool:
    """Is the leaf written as JSON text (a null of it can be caught with coalesce)?"""
    return leaf.enum is not None or leaf.leaf.name in ("String", "ID", "Decimal", "Date")


# Where a written field reads the request's clock (`{now}`): JsonPage makes it the
# statement's last parameter. A character no SQL text holds.
NOW = "\x02now\x02"


def _written_sql(
    field_plan: FieldPlan, alias: str, path: list[str]
) -> tuple[str, list[Related], list[str]] | None:
    """A batched field's object written from its `Written` SQL: the object's JSON where
    `given` finds its inputs, else null; the tables and item columns it reads."""
    batch, completer = field_plan.batch, field_plan.completer
    written = batch.written if batch is not None else None
    if (
        not isinstance(written, Written)
        or completer is None
        or completer.non_null
        or completer.plan is None
        or completer.item is not None
        or not completer.trusted  # the plan is of the class the batch makes
        or len(path) > 3
    ):
        return None
    given = f"g{len(path)}"

    def placed(sql: str) -> str:
        return sql.replace("{row}", alias).replace("{given}", given).replace("{now}", NOW)

    parts: list[str] = []
    related = [Related(loader, model) for loader, model in written.reads]
    for inner in completer.plan.fields:
        parts.append(literal(inner.response_name))
        if inner.typename is not None:
            parts.append(literal(inner.typename))
            continue
        if inner.gate is not None or inner.batch is not None:
            return None
        if inner.loaded is not None:
            key = written.values.get(inner.loaded.key)
            row = _related_sql(inner, placed(key[0]), [*path, given]) if key else None
            if row is None:
                return None
            parts.append(row[0])
            related.extend(row[1])
            continue
        found = written.values.get(inner.attribute) if inner.attribute else None
        leaf = inner.completer
        if found is None or leaf is None or leaf.leaf is None or leaf.item is not None:
            return None
        value = placed(found[0])
        textual = leaf.enum is not None or leaf.leaf.name == "String"
        if leaf.non_null and textual:  # a null would be an error the standard way
            value = f"coalesce({value}, {fail_sql(value)})"
        sql = leaf_value(leaf, found[1], value, None)
        if sql is None:
            return None
        if leaf.non_null and not textual:
            sql = f"CASE WHEN ({sql}) IS NULL THEN to_json({fail_sql(sql)}) ELSE to_json({sql}) END"
        parts.append(sql)
    sql = f"(SELECT json_build_object({', '.join(parts)}) FROM ({placed(written.given)}) {given})"
    return sql, related, list(written.columns)
