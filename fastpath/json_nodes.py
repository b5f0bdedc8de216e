"""The JSON lane for objects by key: a root list of an interface (`nodes(ids:)`) in one
statement.

A client refetching two dozen objects of a dozen types by global ID costs the
compiled path a statement per type (each type's own loader), a Python object per
row and the encoding of the answer. Where the plan of each runtime type shows only
what `fastpath.json_sql` writes (columns, global IDs, nullable related rows read from
whole tables), ONE statement answers the whole list: each position is a scalar
subquery writing that object's JSON from the rows its type's load would read (the
whole table where the viewer sees all of it, else that load's own visibility query
as a subquery), null where there is no such row, in the order asked.

Like the page lane (`fastpath.json_lane`) it runs only inside
`ProjectingExecutor.execute_compiled_root`, where any failure runs the request again
the standard way, and EXECUTION_CHECK compares its answers with standard execution's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLObjectType
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import json_lane
from fastpath.abstract import runtime_type
from fastpath.json_lane import PREBUILT, reads_whole_tables
from fastpath.json_shape import origin
from fastpath.json_sql import Related, object_sql
from fastpath.plans import Abstract, Completer, Fallback
from fastpath.proven import fetch_one_proven
from fastpath.query_sql import sql_of
from fastpath.rows import column_reader, is_plain
from fastpath.together import shifted


@dataclass(frozen=True)
class NodeSource:
    """One object asked for by key: its GraphQL type's name, its key, the `from_row`
    its type converts rows with, and the query its type's load reads for this viewer
    (visibility applied), or its model where that is every row."""

    type_name: str
    key: int
    convert: Callable[[Any], Any]
    rows: QuerySet[Any] | type[Model]


@dataclass(frozen=True)
class _Piece:
    """One runtime type's object as SQL over the row aliased `p`."""

    model: type[Model]
    item: str
    columns: tuple[str, ...]
    related: tuple[Related, ...]


def wants_nodes(info: Any) -> bool:
    """Is this resolver the running compiled root's list of an interface or union, which
    the lane may answer (the caller then builds the sources)?"""
    return _abstract(info) is not None


def _abstract(info: Any) -> Abstract | None:
    slot = PREBUILT.get()
    if not json_lane.ENABLED or slot is None or slot.answer is not None:
        return None
    plan = slot.plan
    if not isinstance(plan, Completer) or plan.item is None or plan.item.non_null:
        return None  # only nullable items: a missing object is null, never an error
    abstract = plan.item.abstract
    raw = getattr(info, "_raw_info", info)
    if abstract is None or raw.path.prev is not None:
        return None
    if abstract.field_def is not raw.parent_type.fields.get(raw.field_name):
        return None  # another field than the root list being answered
    return abstract


async def answer_nodes(info: Any, sources: Sequence[NodeSource | None]) -> bool:
    """Answer the running root with the objects of `sources` (None: a type nobody
    registered, answered null) as one statement, if the lane covers them all; False
    (nothing done) if it does not."""
    abstract = _abstract(info)
    slot = PREBUILT.get()
    if abstract is None or slot is None or not sources:
        return False
    raw = getattr(info, "_raw_info", info)
    executor = slot.executor
    loaders = raw.context.loaders
    pieces: dict[str, tuple[_Piece, str]] = {}  # by type: the piece, its rows' SQL
    values: list[Any] = []
    db = None
    for source in sources:
        if source is None or source.type_name in pieces:
            continue
        runtime = _resolved_type(executor, abstract, raw, source)
        piece = _piece(executor, abstract, source, runtime) if runtime is not None else None
        model = source.rows if isinstance(source.rows, type) else source.rows.model
        if piece is None or model is not piece.model:
            return False
        if not reads_whole_tables(loaders, piece.related):
            return False
        db = db or model._choose_db()
        if db.capabilities.dialect != "postgres":
            return False
        if isinstance(source.rows, type) or is_plain(source.rows):
            rows_sql = f'"{piece.model._meta.db_table}"'
        else:
            pk = str(piece.model._meta.db_pk_column)
            sql, found = sql_of(source.rows, db, tuple(dict.fromkeys([pk, *piece.columns])))
            rows_sql = f"({shifted(sql, len(values))})"
            values.extend(found)
        pieces[source.type_name] = (piece, rows_sql)
    if db is None:
        return False
    positions = []
    for source in sources:
        if source is None:
            positions.append("NULL::json")
            continue
        piece, rows_sql = pieces[source.type_name]
        values.append(source.key)
        pk = piece.model._meta.db_pk_column
        positions.append(f'(SELECT {piece.item} FROM {rows_sql} p WHERE p."{pk}" = ${len(values)})')
    sql = f"SELECT array_to_json(ARRAY[{', '.join(positions)}]::json[])::text AS items_"
    rows = await fetch_one_proven(db, sql, values)
    slot.answer = orjson.Fragment(rows[0]["items_"])
    return True


def _piece(
    executor: Any, abstract: Abstract, source: NodeSource, runtime: GraphQLObjectType
) -> _Piece | None:
    """The SQL of `source`'s type under this selection, worked out once per type."""
    key = (source.type_name, source.convert)
    if key in abstract.lane:
        found: _Piece | None = abstract.lane[key]
        return found
    abstract.lane[key] = found = _compile(executor, abstract, source, runtime)
    return found


def _compile(
    executor: Any, abstract: Abstract, source: NodeSource, runtime: GraphQLObjectType
) -> _Piece | None:
    try:
        plan = executor._abstract_plan(abstract, runtime)
    except Fallback:
        return None
    # The objects standard execution completes are the convert's own class's, whose
    # type resolves to this one.
    if origin(plan) is not getattr(source.convert, "__self__", None):
        return None
    built = object_sql(plan, source.convert, "p", [])
    if built is None:
        return None
    model, item, columns, related = built
    if column_reader(model, model._meta.pk_attr) is None:
        return None
    return _Piece(model, item, tuple(columns), tuple(related))


def _resolved_type(
    executor: Any, abstract: Abstract, info: Any, source: NodeSource
) -> GraphQLObjectType | None:
    """The type standard execution would complete an object `source.convert` makes as,
    if it is the one the ID names (else None). Asked, as it asks, of the type resolver
    (and the type's `is_type_of`), for an instance of that class made without its
    fields: the type resolvers this covers (Strawberry's) look at the object's class,
    not its values; one that fails on a bare instance, or names another type, leaves
    the list to the usual way."""
    made_as = getattr(source.convert, "__self__", None)
    if not isinstance(made_as, type):
        return None
    probe: Any = object.__new__(made_as)
    try:
        found = runtime_type(abstract, probe, info, executor.schema, executor.type_resolver)
        is_type_of = found.is_type_of
        if found.name != source.type_name:
            return None
        return found if is_type_of is None or is_type_of(probe, info) is True else None
    except Exception:
        return None
