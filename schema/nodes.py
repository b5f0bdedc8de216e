"""The registry behind `node(id:)` / `nodes(ids:)`: each Node type says how to load itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from api.context import Info

Loader = Callable[[Info, list[int]], Awaitable[Sequence[Any]]]


@dataclass(frozen=True)
class NodeKind:
    load: Loader
    convert: Callable[[Any], Any]


_KINDS: dict[str, NodeKind] = {}


def register_node(type_name: str, load: Loader, convert: Callable[[Any], Any]) -> None:
    """Make `type_name` fetchable by global ID; `load` must apply visibility."""
    _KINDS[type_name] = NodeKind(load=load, convert=convert)


async def resolve_nodes(info: Info, ids: Sequence[tuple[str, int]]) -> list[Any | None]:
    """Rows for (type, key) pairs; unknown types and invisible rows are both None."""
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
