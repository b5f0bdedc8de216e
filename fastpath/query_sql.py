"""The SQL of a plain query, built once for the same query and remembered.

Tortoise builds a query's SQL anew each time it runs: filters into pypika terms
(`_make_query`), terms into text (`get_parameterized_sql`), about 150 us of CPU
for a list's page, measured, where running it takes about 60. Dashboards ask for
the same page again and again, so `sql_of` remembers the text and parameters
under a key that holds everything they are made from: the model, the database's
dialect, the columns read, and every filter, ordering, limit and offset, values
and their types included, subqueries of columns (`__in=Subquery(...)`) keyed the
same way. A query holding anything else (an expression, a join, an annotation, a
lock ...) has no key and is built as usual;
`tests/test_query_sql.py` compares remembered and built SQL.

A limit is written into the text (`LIMIT 51`), and so is an offset of 0 (a list's
first page), where Tortoise sends them as parameters, for a query filtered only by
equality, `in` and null tests (`plan_stable`). PostgreSQL plans a statement
whose LIMIT is a parameter as if it read a tenth of the table, so it plans such a
statement anew at every execution, half a millisecond for a dashboard's page. With
the number in the text, its plan made once fits every later execution, and it keeps
that plan (measured on the dashboard's statement: 1.2 ms per execution with the
parameter, 0.9 ms written in). Deeper offsets stay parameters: each would be a
statement of its own as a client pages on. A search or a cursor's range keeps its
limit a parameter, so PostgreSQL plans it for its values every time.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Hashable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from pypika_tortoise import Order
from pypika_tortoise.terms import ValueWrapper
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery

_MAX_KEPT = 1024  # cursors make new keys as clients page: the memory stays bounded
_kept: dict[Hashable, tuple[str, list[Any]]] = {}

# Values that are their own key (with their type: 1, 1.0, True and "A" vs Enum.A
# compare equal but are not the same parameter).
_PLAIN = (str, int, float, bool, Decimal, datetime, date, time, timedelta, UUID, Enum, type(None))


def sql_of(
    query: QuerySet[Any], db: BaseDBAsyncClient, columns: tuple[str, ...] | None = None
) -> tuple[str, list[Any]]:
    """The SQL and parameters of `query` on `db`, reading only `columns` if given."""
    key = _key(query, db, columns)
    kept = _kept.get(key) if key is not None else None
    if kept is not None:
        return kept[0], list(kept[1])
    sql, values = build(query, db, columns)
    if key is not None:
        if len(_kept) >= _MAX_KEPT:
            _kept.clear()
        _kept[key] = (sql, list(values))
    return sql, values


def build(
    query: QuerySet[Any], db: BaseDBAsyncClient, columns: tuple[str, ...] | None = None
) -> tuple[str, list[Any]]:
    """The SQL and parameters of `query` on `db`, built now; its limit (and an offset of
    0) written into the text where `plan_stable` says one plan serves every value."""
    query._db = db
    query._make_query()
    if columns is not None:
        query.query._selects = list(query.model._meta.basequery.select(*columns)._selects)
    if type(query._limit) is int and plan_stable(query):
        query.query._limit = ValueWrapper(query._limit, allow_parametrize=False)
        if type(query._offset) is int and query._offset == 0:
            query.query._offset = ValueWrapper(0, allow_parametrize=False)
    sql, values = query.query.get_parameterized_sql()
    return sql, list(values)


# Lookups whose selectivity PostgreSQL estimates alike for any value (`status__in`,
# `assignee_id`, `assignee_id__isnull`): a plan made once serves every value.
_STABLE_LOOKUPS = frozenset({"in", "not", "not_in", "isnull", "not_isnull"})


def plan_stable(query: QuerySet[Any]) -> bool:
    """May one plan serve `query` whatever its values? Only equality, `in` and null
    filters (subqueries of columns included). A pattern (`__icontains`) or a range
    (`__lt`, a cursor's) is estimated by a default fraction when its value is not
    known: PostgreSQL's plan kept for a search walked the whole (updated_at) index at
    1,000,000 rows (1.3 s, where the plan made for the value took 50 ms)."""
    return all(_stable(q) for q in query._q_objects)


def _stable(q: Q) -> bool:
    if type(q) is not Q:
        return False
    for name, value in q.filters.items():
        field, _, lookup = name.rpartition("__")
        if field and lookup not in _STABLE_LOOKUPS:
            return False
        if type(value) is Subquery:
            inner = value.query
            if not isinstance(inner, (QuerySet, ValuesQuery)) or not all(
                _stable(i) for i in inner._q_objects
            ):
                return False
    return all(_stable(child) for child in q.children)


def _key(
    query: QuerySet[Any], db: BaseDBAsyncClient, columns: tuple[str, ...] | None
) -> Hashable | None:
    """Everything the SQL of `query` is made from, or None for what this does not know."""
    model: type[Model] = query.model
    read, fresh = _unshaped_reader(model)
    try:
        if read(query) != fresh:
            return None
    except AttributeError:  # an attribute a fresh query has and this one lacks
        return None
    try:
        filters = tuple(_q_key(q) for q in query._q_objects)
        orderings = tuple((name, _value_key(order)) for name, order in query._orderings)
    except _Unknown:
        return None
    return (
        model,
        db.capabilities.dialect,
        columns,
        filters,
        orderings,
        _value_key(query._limit),
        _value_key(query._offset),
    )


# What `_key` reads itself; every other attribute must be as `Model.all()` made it.
_SHAPED = frozenset({"_q_objects", "_orderings", "_limit", "_offset", "_db"})
# The pypika `query` is a new object per QuerySet and says nothing the rest does not.
_NOT_STATE = frozenset({"query", "_capabilities", "__weakref__", "__dict__"})


@functools.cache
def _unshaped_reader(model: type[Model]) -> tuple[Callable[[Any], Any], tuple[Any, ...]]:
    """A reader of every attribute of `fresh_state` but those `_key` reads itself, at
    once, and their fresh values."""
    state = [(name, value) for name, value in fresh_state(model) if name not in _SHAPED]
    return operator.attrgetter(*(name for name, _ in state)), tuple(v for _, v in state)


@functools.cache
def fresh_state(model: type[Model]) -> tuple[tuple[str, Any], ...]:
    """Every attribute (QuerySet keeps them in slots) of a fresh `model.all()`."""
    fresh = model.all()
    return tuple(
        (name, getattr(fresh, name))
        for cls in type(fresh).__mro__
        for name in getattr(cls, "__slots__", ())
        if name not in _NOT_STATE and hasattr(fresh, name)
    )


class _Unknown(Exception):
    """A part of the query this module does not key."""


def _q_key(q: Q) -> Hashable:
    if type(q) is not Q:
        raise _Unknown
    return (
        q.join_type,
        q._is_negated,
        tuple((name, _value_key(value)) for name, value in q.filters.items()),
        tuple(_q_key(child) for child in q.children),
    )


def _value_key(value: Any) -> Hashable:
    if isinstance(value, _PLAIN):
        return (type(value), value)
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_value_key(item) for item in value))
    if type(value) is Subquery:
        return _subquery_key(value)
    raise _Unknown  # sets (their order), expressions, models ...


def _subquery_key(value: Subquery) -> Hashable:
    """A subquery of columns (`Model.filter(...).values("a")`, as `__in` takes it): its
    model, columns and filters, where all else is as a fresh `values()` made it."""
    inner = value.query
    if type(inner) is not ValuesQuery or vars(value) != {"alias": None, "query": inner}:
        raise _Unknown
    selected = tuple(inner._fields_for_select.items())
    if any(name != source for name, source in selected):
        raise _Unknown
    model: type[Model] = inner.model
    read, fresh = _fresh_values_reader(model, tuple(name for name, _ in selected))
    try:
        if read(inner) != fresh:
            raise _Unknown
    except AttributeError:
        raise _Unknown from None
    return (
        Subquery,
        model,
        selected,
        tuple(_q_key(q) for q in inner._q_objects),
        tuple((name, _value_key(order)) for name, order in inner._orderings),
        _value_key(inner._limit),
        _value_key(inner._offset),
    )


@functools.cache
def _fresh_values_reader(
    model: type[Model], names: tuple[str, ...]
) -> tuple[Callable[[Any], Any], tuple[Any, ...]]:
    """A reader of every attribute of a fresh `model.all().values(*names)` but those
    `_subquery_key` reads itself, at once, and their fresh values."""
    fresh = model.all().values(*names)
    state = [
        (name, getattr(fresh, name))
        for cls in type(fresh).__mro__
        for name in getattr(cls, "__slots__", ())
        if name not in _NOT_STATE and name not in _SHAPED and name != "_fields_for_select"
        if hasattr(fresh, name)
    ]
    return operator.attrgetter(*(name for name, _ in state)), tuple(v for _, v in state)


def query_order(query: QuerySet[Any]) -> tuple[tuple[str, bool], ...] | None:
    """The order `query` was given (`order_by`): its model attributes, each descending or
    not, if it ends with the key (so no two rows tie); None for any other."""
    found = tuple((name, order is Order.desc) for name, order in query._orderings)
    if not found or found[-1][0] not in ("pk", query.model._meta.pk_attr):
        return None
    if any(order not in (Order.asc, Order.desc) for _, order in query._orderings):
        return None
    pk = query.model._meta.pk_attr
    return tuple((pk if name == "pk" else name, down) for name, down in found)


def kept_count() -> int:
    """How many SQL texts are remembered (for tests)."""
    return len(_kept)


def forget() -> None:
    """Remember nothing (tests start from an empty memory)."""
    _kept.clear()
