"""Pages whose cursors name rows, not offsets: sorted lists, and lists in key order."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import answer_page, connection_reads, json_page, narrow_page
from fastpath.narrow import NarrowItems
from fastpath.objects import Made, made_of
from fastpath.rows import fetch, fetch_columns
from models.errors import InputError
from schema.relay.connections import DEFAULT_PAGE, Connection, PageArgs, connection, lazy_count
from schema.relay.ids import MAX_KEY

T = TypeVar("T")
M = TypeVar("M", bound=Model)


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
    count: Callable[[], Awaitable[int]] | None = None,
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
    `count` answers `totalCount` where the list knows a cheaper exact way than
    COUNT(*) of `query` (a maintained tally).
    """
    counter = count if count is not None else lazy_count(query)
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
        ordered = window.order_by(f"{sign}{column}", f"{sign}id")
        lane = json_page(info, convert, query, column) if narrow is not None else None
        if lane is not None and narrow is not None:
            # What the client shows is written by the database (fastpath.json_lane).
            await answer_page(
                lane,
                query,
                ordered,
                order=((column, descending), ("id", descending)),
                size=size,
                has_previous=after is not None,
                columns=narrow.columns,
                cursor=functools.partial(_lane_cursor, column, value_of, narrow),
                make=narrow.make,
                count=count,
            )
            return connection([], [], has_previous=False, has_next=False, count=counter)
        page = ordered.limit(size + 1)
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
    return connection(
        Made(nodes, made) if made is not None else nodes,
        positions,
        has_previous=more_before,
        has_next=more_after,
        count=counter,
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


def _lane_cursor(
    column: str, value_of: Callable[[Any], object], narrow: NarrowItems, _: int, record: Any
) -> str:
    return _row_cursor(column, value_of, narrow.row(record))


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
