"""The registry of Node types: how each loads itself for `node(id:)` / `nodes(ids:)`, and
how a row becomes it where a domain below shows it (`NodeConverter`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from api.context import Info

Loader = Callable[[Info, list[int]], Awaitable[Sequence[Any]]]
N = TypeVar("N")


@dataclass(frozen=True)
class NodeKind:
    load: Loader
    convert: Callable[[Any], Any]


_KINDS: dict[str, NodeKind] = {}
_WANTED: set[str] = set()


def register_node(type_name: str, load: Loader, convert: Callable[[Any], Any]) -> None:
    """Make `type_name` fetchable by global ID; `load` must apply visibility."""
    _KINDS[type_name] = NodeKind(load=load, convert=convert)


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
