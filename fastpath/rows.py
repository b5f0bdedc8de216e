"""The models of a plain query, as `await query` builds them, at a fraction of the cost.

Tortoise's executor reshapes every row before building its model (a dict, a
list of its items, a slice, another dict, keyword arguments) and sends each
datetime through its generic conversion: about 10 us a row, measured at 2 ms of
a 50-row dashboard request with its relations. `fetch` runs the query's own SQL
and builds each model from a plan made once per model class. It covers plain
queries (filters, ordering, limits); anything else (select_related, prefetch,
annotations, `.only()`, `.get()`, locking) is awaited the usual way.
`tests/test_rows.py` compares both ways for every model.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tortoise.fields.data import CharEnumFieldInstance, DatetimeField, IntEnumFieldInstance
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.timezone import get_default_timezone, get_use_tz

from fastpath.query_sql import fresh_state, sql_of

M = TypeVar("M", bound=Model)


async def fetch(query: QuerySet[M]) -> list[M]:
    """`await query`, for the queries this module covers."""
    if not _covered(query) or query._fields_for_select:
        return await query
    build = build_model(query.model)
    return [build(row) for row in await _records(query)]


async def fetch_columns(query: QuerySet[M], columns: tuple[str, ...]) -> Sequence[Any] | None:
    """The rows of `query` with only these columns, as the database hands them over;
    None for a query this module does not cover. (Tortoise's `.only()` would do, at
    50 us more per query for its aliases.)"""
    if not _covered(query) or query._fields_for_select:
        return None
    return await _records(query, columns)


def _covered(query: QuerySet[M]) -> bool:
    return not (
        query._prefetch_map
        or query._prefetch_queries
        or query._annotations
        or query._select_related
        or query._single
        or query._select_for_update
    )


async def _records(query: QuerySet[M], columns: tuple[str, ...] | None = None) -> Sequence[Any]:
    db = query._choose_db()
    sql, values = sql_of(query, db, columns)
    _, rows = await db.execute_query(sql, values)
    return rows


def is_plain(query: QuerySet[M]) -> bool:
    """Is this `Model.all()` as it was made: every row, no filter, order or option?"""
    read, fresh = _fresh_reader(query.model)
    try:
        return bool(read(query) == fresh)
    except AttributeError:  # an attribute a fresh query has and this one lacks
        return False


_MISSING = object()


@functools.cache
def _fresh_reader(model: type[Model]) -> tuple[Callable[[Any], Any], tuple[Any, ...]]:
    """A reader of every attribute of `fresh_state` at once, and their fresh values."""
    state = fresh_state(model)
    names = [name for name, _ in state]
    return operator.attrgetter(*names), tuple(value for _, value in state)


@functools.cache
def build_model(model: type[M]) -> Callable[[Mapping[str, Any]], M]:
    """What `Model._init_from_db(**row)` does for a full row, in one pass.

    The instance's attributes are written as one dict display, generated once per
    model: a setattr per column cost more than the rest of building a row.
    """
    meta = model._meta
    names: dict[str, Any] = {"new": model.__new__, "model": model}
    items = [
        '"_partial": False',
        '"_saved_in_db": True',
        f'"_custom_generated_pk": {meta.db_pk_column not in meta.generated_db_fields}',
        '"_await_when_save": {}',
    ]
    for key, name, _ in meta.db_native_fields:
        items.append(f"{name!r}: row[{key!r}]")
    for position, (key, name, field) in enumerate(meta.db_default_fields):
        names[f"type_{position}"] = field.field_type
        items.append(f"{name!r}: None if (v := row[{key!r}]) is None else type_{position}(v)")
    for position, (key, name, field) in enumerate(meta.db_complex_fields):
        names[f"convert_{position}"] = _converter(field)
        items.append(f"{name!r}: convert_{position}(row[{key!r}])")
    names["setattr_"] = object.__setattr__
    # As Tortoise's own: past Model.__setattr__'s bookkeeping.
    source = (
        "def fill(row):\n"
        "    instance = new(model)\n"
        f"    setattr_(instance, '__dict__', {{{', '.join(items)}}})\n"
        "    return instance\n"
    )
    exec(compile(source, f"<build {model.__name__}>", "exec"), names)
    fill: Callable[[Mapping[str, Any]], M] = names["fill"]

    def build(row: Mapping[str, Any]) -> M:
        try:
            return fill(row)
        except KeyError:  # not a full row after all: Tortoise's own (partial) path
            return model._init_from_db(**dict(row))

    return build


@functools.cache
def column_reader(model: type[Model], attribute: str) -> tuple[str, Callable[[Any], Any]] | None:
    """The column of a model attribute and how `build_model` turns its value into the
    attribute's, or None for an attribute that is no column of its own. Made once per
    model and attribute, as `build_model`'s conversions are (the JSON lane asks per
    request)."""
    meta = model._meta
    for key, name, _ in meta.db_native_fields:
        if name == attribute:
            return key, _same
    for key, name, field in meta.db_default_fields:
        if name == attribute:
            return key, functools.partial(_typed, field.field_type)
    for key, name, field in meta.db_complex_fields:
        if name == attribute:
            return key, _converter(field)
    return None


def _same(value: Any) -> Any:
    return value


def is_copy(convert: Callable[[Any], Any]) -> bool:
    """Is this a `column_reader` conversion that hands the value over unchanged?"""
    return convert is _same


def _typed(field_type: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else field_type(value)


def _converter(field: Any) -> Callable[[Any], Any]:
    if isinstance(field, (CharEnumFieldInstance, IntEnumFieldInstance)):
        return _enum_converter(field)
    if not isinstance(field, DatetimeField) or not get_use_tz():
        return field.to_python_value
    zone = get_default_timezone()
    slow = field.to_python_value

    def convert(value: Any) -> Any:
        # PostgreSQL hands over aware datetimes: what to_python_value makes of them,
        # without its per-value look-ups of the settings.
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(zone)
        return slow(value)

    return convert


def _enum_converter(field: Any) -> Callable[[Any], Any]:
    """The member of a stored value by one dict look-up; calling the enum class
    (what to_python_value does) costs a few times more, on every enum of every row."""
    members = {member.value: member for member in field.enum_type}
    slow = field.to_python_value

    def convert(value: Any) -> Any:
        member = members.get(value, _MISSING) if value is not None else None
        return slow(value) if member is _MISSING else member

    convert.members = members  # type: ignore[attr-defined]  # generated fills look it up inline
    return convert
