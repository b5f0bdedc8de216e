"""Relay conventions: opaque global IDs, the Node interface, and one connection helper."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
import strawberry
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import connection_reads, narrow_page
from fastpath.narrow import NarrowItems
from fastpath.objects import Made, made_of
from fastpath.rows import fetch, fetch_columns
from models.errors import InputError
from models.ids import global_id

MAX_PAGE = 100
DEFAULT_PAGE = 20

T = TypeVar("T")
M = TypeVar("M", bound=Model)


encode_id = global_id


# Keys are INTEGER columns: a well-formed ID may still carry a key no row can
# have (Account:99999999999); it must read like any other missing row, not reach
# the database and crash there.
MAX_KEY = 2**31 - 1
NO_ROW = ("", 0)


def decode_id(global_id: str) -> tuple[str, int]:
    """(type name, primary key) of a global ID; malformed IDs are a client error.

    Keys no row can have decode to NO_ROW, which matches no type.
    """
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, text = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = int(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(f"{global_id!r} is not a Docket ID.") from None
    return (type_name, pk) if 0 < pk <= MAX_KEY else NO_ROW


def decode_as(global_id: str | strawberry.ID, *type_names: str) -> int | None:
    """The key of an ID of one of `type_names`, or None if it is another type's.

    Callers treat None exactly like a key that does not exist, so a wrong type
    and a missing row read alike.
    """
    type_name, pk = decode_id(str(global_id))
    return pk if type_name in type_names else None


def key_for(global_id: str | strawberry.ID, type_name: str) -> int:
    """The key of an ID of `type_name` for a mutation; any other ID gives 0, no row's key."""
    return decode_as(global_id, type_name) or 0


def keys_for(global_ids: list[strawberry.ID] | None, type_name: str) -> list[int] | None:
    """Keys of the IDs of `type_name` (filters); IDs of other types match nothing."""
    if global_ids is None:
        return None
    return [pk for pk in (decode_as(i, type_name) for i in global_ids) if pk is not None]


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


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None, argument: str) -> int | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if prefix == "cursor" and 0 <= int(value) <= MAX_KEY:  # an OFFSET the database takes
            return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise InputError(f"`{argument}` is not a cursor of this list.")


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


def _window(args: PageArgs, total: int | None) -> tuple[int, int | None]:
    """[start, end) of the slice; end None means "first rows from start"."""
    after = _offset(args.after, "after")
    before = _offset(args.before, "before")
    start = after + 1 if after is not None else 0
    end = before if before is not None else total
    if args.last is not None:
        assert end is not None
        start = max(start, end - args.last)
    return start, end


def _connection(
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


def _build(
    items: Sequence[T], start: int, has_next: bool, count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    positions: list[Callable[[], str]] = [
        functools.partial(_cursor, start + i) for i in range(len(items))
    ]
    return _connection(
        list(items), positions, has_previous=start > 0, has_next=has_next, count=count
    )


def _lazy_count(query: QuerySet[M]) -> Callable[[], Awaitable[int]]:
    """COUNT(*) of the whole list, run once and only if a client asks for totalCount."""
    counted: list[int] = []

    async def count() -> int:
        if not counted:
            counted.append(await query.count())
        return counted[0]

    return count


async def paginate(query: QuerySet[M], args: PageArgs, convert: Callable[[M], T]) -> Connection[T]:
    """One page of an ordered, visibility-scoped query: one SELECT, COUNT only if asked."""
    count = _lazy_count(query)
    needs_total = args.last is not None and args.before is None
    total = await count() if needs_total else None
    start, end = _window(args, total)
    size = args.first if args.first is not None else args.last
    if size is None:
        size = DEFAULT_PAGE
    if end is not None:
        size = min(size, max(end - start, 0))
    if args.last is not None:
        start = max(start, (end or 0) - size)
    rows = await query.offset(start).limit(size + 1) if size else []
    has_next = len(rows) > size or (end is not None and start + size < end)
    return _build([convert(row) for row in rows[:size]], start, has_next, count)


def _encode_sort_value(value: object) -> list[object]:
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    return ["v", value]


def _decode_sort_value(tagged: list[object]) -> object:
    tag, value = tagged
    return datetime.fromisoformat(str(value)) if tag == "t" else value


def _sort_cursor(column: str, value: object, pk: int) -> str:
    raw = orjson.dumps(["sort", column, _encode_sort_value(value), pk])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_position(
    cursor: str | None, argument: str, column: str, value_type: type
) -> tuple[object, int] | None:
    """(sort value, id) of a cursor of this list and this sort column.

    A cursor of another sort order, or one whose value is not of the column's
    type, is refused here rather than compared with the wrong column in SQL.
    """
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, named, tagged, pk = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if prefix == "sort" and named == column and isinstance(pk, int) and 0 <= pk <= MAX_KEY:
            value = _decode_sort_value(tagged)
            if isinstance(value, value_type) and not isinstance(value, bool) and _storable(value):
                return value, pk
    except (ValueError, TypeError, OverflowError, binascii.Error, orjson.JSONDecodeError):
        pass
    raise InputError(f"`{argument}` is not a cursor of this list.")


def _storable(value: object) -> bool:
    """Can the database compare this cursor value with a column? Our integer columns
    are 32-bit, strings may not hold NUL, times need an offset and a UTC value in
    datetime's range (year 1 with +05:00 is year 0 in UTC)."""
    if isinstance(value, int):
        return -MAX_KEY - 1 <= value <= MAX_KEY
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return False
        value.astimezone(UTC)  # OverflowError outside datetime's range
    return True


def _beyond(column: str, position: tuple[object, int], forward: bool) -> Q:
    """Rows strictly after `position` in (column, id) order going `forward`."""
    value, pk = position
    op = "gt" if forward else "lt"
    strictly: dict[str, Any] = {f"{column}__{op}": value}
    tied: dict[str, Any] = {column: value, f"id__{op}": pk}
    return Q(**strictly) | Q(**tied)


async def paginate_sorted(
    query: QuerySet[M],
    args: PageArgs,
    convert: Callable[[M], T],
    *,
    column: str,
    descending: bool,
    value_of: Callable[[M], object],
    value_type: type,
    info: Any = None,
    narrow_reads: bool = True,
) -> Connection[T]:
    """Page a list sorted by one column (ties by id) with cursors that name positions.

    Rows inserted while a client pages never shift its cursors: `after` means
    "after this (value, id)", not "after the 40th row". `value_of(row)` is the
    row's sort value, an instance of `value_type` (never null).

    Given the root field's `info`, the page asks the engine what the client's
    compiled plan shows of it: where it shows only columns of the items, only
    those are read and the items are filled from them (a cursor then reads the
    sort value and key from the same columns; `narrow_reads=False` where the sort
    value is not a column of the items); edges and cursors are made only if read.
    """
    narrow = narrow_page(info, convert, column) if info is not None and narrow_reads else None
    shown = connection_reads(info) if info is not None else None
    after = _cursor_position(args.after, "after", column, value_type)
    before = _cursor_position(args.before, "before", column, value_type)
    forward = not descending
    window = query
    if after is not None:
        window = window.filter(_beyond(column, after, forward))
    if before is not None:
        window = window.filter(_beyond(column, before, not forward))
    size = args.first if args.first is not None else args.last
    size = DEFAULT_PAGE if size is None else size
    sign, back = ("-", "") if descending else ("", "-")
    if args.last is not None:
        page = window.order_by(f"{back}{column}", f"{back}id").limit(size + 1)
        rows, make, as_row = await _page(page, convert, narrow)
        rows.reverse()
        more_before, more_after = len(rows) > size, before is not None
        rows = rows[1:] if more_before else rows
    else:
        page = window.order_by(f"{sign}{column}", f"{sign}id").limit(size + 1)
        rows, make, as_row = await _page(page, convert, narrow)
        more_before, more_after = after is not None, len(rows) > size
        rows = rows[:size]
    # Cursors are encoded only if asked for, so their values are read only then.
    wants_cursors = shown is None or "edges" in shown or "page_info" in shown
    positions: list[Callable[[], str]] = (
        [functools.partial(_row_cursor, column, value_of, as_row(row)) for row in rows]
        if wants_cursors
        else []
    )
    # Items their own class made: a compiled plan skips the type check of each.
    made = narrow.target if make is not convert and narrow is not None else made_of(convert)
    nodes = [make(row) for row in rows]
    return _connection(
        Made(nodes, made) if made is not None else nodes,
        positions,
        has_previous=more_before,
        has_next=more_after,
        count=_lazy_count(query),
        shown=shown,
    )


async def _page(
    query: QuerySet[M], convert: Callable[[M], T], narrow: NarrowItems | None
) -> tuple[list[Any], Callable[[Any], T], Callable[[Any], Any]]:
    """The rows of a page, how to make each one's item, and how to see a row as the
    model row its cursor reads: models and `convert`, or the records of the columns
    `narrow` covers, filled by it."""
    if narrow is not None:
        records = await fetch_columns(query, narrow.columns)
        if records is not None:
            return list(records), narrow.make, narrow.row
    return list(await fetch(query)), convert, _itself


def _itself(row: Any) -> Any:
    return row


def _row_cursor(column: str, value_of: Callable[[Any], object], row: Any) -> str:
    return _sort_cursor(column, value_of(row), row.pk)


def key_cursor(pk: int) -> str:
    """The cursor of a row in a list paged by key (see `paginate_by_key`)."""
    return _sort_cursor("id", pk, pk)


async def paginate_by_key(
    query: QuerySet[M], args: PageArgs, convert: Callable[[M], T]
) -> Connection[T]:
    """Page a list in key order (oldest first) with cursors that name rows, not offsets.

    New rows never shift a cursor, so `after: <newest cursor you have>` returns
    exactly what arrived since: the way a reconnecting client catches up.
    """
    return await paginate_sorted(
        query,
        args,
        convert,
        column="id",
        descending=False,
        value_of=lambda row: row.pk,
        value_type=int,
    )


def paginate_list(items: Sequence[T], args: PageArgs) -> Connection[T]:
    """The same paging over a list a loader already fetched (nested connections)."""
    total = len(items)
    start, end = _window(args, total)
    end = total if end is None else min(end, total)
    size = args.first if args.first is not None else args.last
    if size is None:
        size = DEFAULT_PAGE
    if args.last is not None:
        start = max(start, end - size)
    page = items[start : min(end, start + size)]

    async def count() -> int:
        return total

    return _build(page, start, start + len(page) < total, count)


First = Annotated[
    int | None, strawberry.argument(description="Items after the cursor, at most 100 (default 20).")
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description="Items before the cursor, at most 100.")
]
Before = Annotated[str | None, strawberry.argument(description="Return items before this cursor.")]
