"""The registry of Node types: how each loads itself for `node(id:)` / `nodes(ids:)`, and
how a row becomes it where a domain below shows it (`NodeConverter`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from api.context import Info
from fastpath import NodeSource, answer_nodes, wants_nodes

Loader = Callable[[Info, list[int]], Awaitable[Sequence[Any]]]
# The query a type's `load` reads for the request's viewer, where reading it by ID is all
# `load` does (its model: every row); None for a viewer it does more for (the JSON lane
# then leaves it alone).
Rows = Callable[[Info], "QuerySet[Any] | type[Model] | None"]
N = TypeVar("N")


@dataclass(frozen=True)
class NodeKind:
    load: Loader
    convert: Callable[[Any], Any]
    rows: Rows | None = None


_KINDS: dict[str, NodeKind] = {}
_WANTED: set[str] = set()


def register_node(
    type_name: str, load: Loader, convert: Callable[[Any], Any], *, rows: Rows | None = None
) -> None:
    """Make `type_name` fetchable by global ID; `load` must apply visibility. `rows`, where
    given, names the query `load` reads by ID (`nodes(ids:)` then reads it inside one
    statement on PostgreSQL, `fastpath.json_nodes`)."""
    _KINDS[type_name] = NodeKind(load=load, convert=convert, rows=rows)


def rows_of_loader(name: str) -> Rows:
    """The rows of the request's loader `name` (rows by ID) as `register_node`'s `rows`:
    the whole table where the viewer sees all of it, else the loader's own query, while
    it has loaded nothing in this request."""

    def rows(info: Info) -> QuerySet[Any] | type[Model] | None:
        loaders = info.context.loaders
        whole = loaders.whole_table(name)
        if whole is not None:
            return whole
        loader = getattr(loaders, name)
        found: QuerySet[Any] | None = loader.rows_of() if loader.untouched() else None
        return found

    return rows


class NodeConverter(Generic[N]):
    """A row made into the Node type `type_name` by the `convert` it registered.

    A domain shows types of domains above it this way (Account.accountRequests,
    AccountRequest.photos) without importing them, so imports run one way; the
    annotation names the type (`NodeConverter[Photo]`, imported for type checking
    only). A name no type registers fails `check_registry` when the schema is built.
    """

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        _WANTED.add(type_name)

    def __call__(self, row: Any) -> N:
        made: N = _KINDS[self.type_name].convert(row)
        return made


def check_registry() -> None:
    """Raise if a type some domain converts rows into (`NodeConverter`) never registered."""
    missing = sorted(_WANTED - _KINDS.keys())
    if missing:
        raise RuntimeError(f"Node types converted to but never registered: {missing}")


async def resolve_nodes(info: Info, ids: Sequence[tuple[str, int]]) -> list[Any | None]:
    """Rows for (type, key) pairs; unknown types and invisible rows are both None."""
    if ids and wants_nodes(info):
        sources = _sources(info, ids)
        if sources is not None and await answer_nodes(info, sources):
            return []  # the running root's answer is written (fastpath.json_nodes)
    results: list[Any | None] = [None] * len(ids)
    by_kind: dict[str, list[int]] = {}
    for position, (type_name, _) in enumerate(ids):
        if type_name in _KINDS:
            by_kind.setdefault(type_name, []).append(position)
    for type_name, positions in by_kind.items():
        kind = _KINDS[type_name]
        rows = await kind.load(info, [ids[p][1] for p in positions])
        for position, row in zip(positions, rows, strict=True):
            results[position] = kind.convert(row) if row is not None else None
    return results


def _sources(info: Info, ids: Sequence[tuple[str, int]]) -> list[NodeSource | None] | None:
    """What `nodes(ids:)` asks for, as the JSON lane reads it; None where a type asked
    for does not say what its load reads."""
    queries: dict[str, QuerySet[Any] | type[Model]] = {}
    sources: list[NodeSource | None] = []
    for type_name, key in ids:
        kind = _KINDS.get(type_name)
        if kind is None:
            sources.append(None)  # null, as `load` would give
            continue
        rows = queries.get(type_name)
        if rows is None:
            rows = kind.rows(info) if kind.rows is not None else None
            if rows is None:
                return None
            queries[type_name] = rows
        sources.append(NodeSource(type_name, key, kind.convert, rows))
    return sources
