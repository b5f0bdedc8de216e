"""The Node interface, cursor connections and the four paging arguments every list takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.errors import InputError

MAX_PAGE = 100
DEFAULT_PAGE = 20

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@strawberry.interface(description="An object with a global ID, fetchable by `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="The opaque global ID of this object.")


@strawberry.type(description="Where a page of a connection starts and ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def _edge_cursor(root: Any) -> str:
    position: Callable[[], str] = root.position
    return position()


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        resolver=_edge_cursor, description="Pass it as `after` or `before` to page on."
    )
    node: T = strawberry.field(description="The item.")
    # Encoded only if asked for: a dashboard reading `nodes` never needs them.
    position: strawberry.Private[Callable[[], str]]


@strawberry.type(description="A page of items, with cursors to page on and the total count.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with cursors.")
    nodes: list[T] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list has (all pages).")
    async def total_count(self) -> int:
        return await self._count()


@dataclass(frozen=True)
class PageArgs:
    """The four Relay paging arguments, checked."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def __post_init__(self) -> None:
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise InputError(f"`{name}` must be between 0 and {MAX_PAGE}.")
        if self.first is not None and self.last is not None:
            raise InputError("Pass `first` or `last`, not both.")


def connection(
    nodes: list[T],
    positions: list[Callable[[], str]],
    *,
    has_previous: bool,
    has_next: bool,
    count: Callable[[], Awaitable[int]],
    shown: frozenset[str] | None = None,
) -> Connection[T]:
    """A page of `nodes` with the cursors at `positions`; with `shown` (the fields a
    client's compiled plan reads), edges and cursors only where they are read."""
    edges = (
        [Edge(position=p, node=n) for p, n in zip(positions, nodes, strict=True)]
        if shown is None or "edges" in shown
        else []
    )
    cursors = shown is None or "page_info" in shown
    return Connection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=positions[0]() if positions and cursors else None,
            end_cursor=positions[-1]() if positions and cursors else None,
        ),
        _count=count,
    )


def lazy_count(query: QuerySet[M]) -> Callable[[], Awaitable[int]]:
    """COUNT(*) of the whole list, run once and only if a client asks for totalCount."""
    counted: list[int] = []

    async def count() -> int:
        if not counted:
            counted.append(await query.count())
        return counted[0]

    return count


First = Annotated[
    int | None, strawberry.argument(description="Items after the cursor, at most 100 (default 20).")
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description="Items before the cursor, at most 100.")
]
Before = Annotated[str | None, strawberry.argument(description="Return items before this cursor.")]
