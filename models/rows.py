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
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from tortoise.fields.data import DatetimeField
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.timezone import get_default_timezone, get_use_tz

M = TypeVar("M", bound=Model)


async def fetch(query: QuerySet[M]) -> list[M]:
    """`await query`, for the queries this module covers."""
    if (
        query._prefetch_map
        or query._prefetch_queries
        or query._annotations
        or query._select_related
        or query._fields_for_select
        or query._single
        or query._select_for_update
    ):
        return await query
    db = query._choose_db()
    query._db = db
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    _, rows = await db.execute_query(sql, values)
    build = _builder(query.model)
    return [build(row) for row in rows]


@functools.cache
def _builder(model: type[M]) -> Callable[[Mapping[str, Any]], M]:
    """What `Model._init_from_db(**row)` does for a full row, in one pass."""
    meta = model._meta
    custom_pk = meta.db_pk_column not in meta.generated_db_fields
    native = [(key, name) for key, name, _ in meta.db_native_fields]
    default = [(key, name, field.field_type) for key, name, field in meta.db_default_fields]
    converted = [(key, name, _converter(field)) for key, name, field in meta.db_complex_fields]
    setattr_ = object.__setattr__  # as Tortoise: past Model.__setattr__'s bookkeeping
    new = model.__new__

    def build(row: Mapping[str, Any]) -> M:
        try:
            return fill(row)
        except KeyError:  # not a full row after all: Tortoise's own (partial) path
            return model._init_from_db(**dict(row))

    def fill(row: Mapping[str, Any]) -> M:
        instance = new(model)
        setattr_(instance, "_partial", False)
        setattr_(instance, "_saved_in_db", True)
        setattr_(instance, "_custom_generated_pk", custom_pk)
        setattr_(instance, "_await_when_save", {})
        for key, name in native:
            setattr_(instance, name, row[key])
        for key, name, field_type in default:
            value = row[key]
            setattr_(instance, name, None if value is None else field_type(value))
        for key, name, convert in converted:
            setattr_(instance, name, convert(row[key]))
        return instance

    return build


def _converter(field: Any) -> Callable[[Any], Any]:
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
