"""Pages by position: `paginate` over a query, `paginate_list` over rows a loader fetched."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import answer_page, json_page, query_order
from models.errors import InputError
from schema.relay.connections import DEFAULT_PAGE, Connection, PageArgs, connection, lazy_count
from schema.relay.ids import MAX_KEY

T = TypeVar("T")
M = TypeVar("M", bound=Model)


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


def _build(
    items: Sequence[T], start: int, has_next: bool, count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    positions: list[Callable[[], str]] = [
        functools.partial(_cursor, start + i) for i in range(len(items))
    ]
    return connection(
        list(items), positions, has_previous=start > 0, has_next=has_next, count=count
    )


async def paginate(
    query: QuerySet[M], args: PageArgs, convert: Callable[[M], T], *, info: Any = None
) -> Connection[T]:
    """One page of an ordered, visibility-scoped query: one SELECT, COUNT only if asked.

    Given the root field's `info`, a forward page of a query ordered down to its key may
    be written by the database, count and all, as the compiled plan shows it
    (`fastpath.json_lane`)."""
    count = lazy_count(query)
    if info is not None and args.last is None and args.before is None:
        written = await _written_page(query, args, convert, info, count)
        if written is not None:
            return written
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


async def _written_page(
    query: QuerySet[M],
    args: PageArgs,
    convert: Callable[[M], T],
    info: Any,
    count: Callable[[], Awaitable[int]],
) -> Connection[T] | None:
    """A forward page answered by the JSON lane, if it covers it (else None)."""
    start, _ = _window(args, None)
    size = args.first if args.first is not None else DEFAULT_PAGE
    order = query_order(query) if size else None
    lane = json_page(info, convert, query, [name for name, _ in order]) if order else None
    if order is None or lane is None or lane.computed:
        return None
    await answer_page(
        lane,
        query,
        query.offset(start),
        order=order,
        size=size,
        has_previous=start > 0,
        columns=(),
        cursor=lambda at, _: _cursor(start + at),
        make=convert,
    )
    return connection([], [], has_previous=False, has_next=False, count=count)


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


def list_slice(args: PageArgs) -> tuple[int, int] | None:
    """For a loader that reads one slice of each parent's rows: (offset, limit) of the
    rows `paginate_slice` needs (the page and one more), or None when the page depends
    on the total (`last`): read the whole list and use `paginate_list`."""
    if args.last is not None:
        return None
    start, _ = _window(args, None)
    size = args.first if args.first is not None else DEFAULT_PAGE
    return start, size + 1


def paginate_slice(
    rows: Sequence[T], args: PageArgs, count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    """`paginate_list`'s page from the rows at `list_slice(args)` only; `count` gives
    the whole list's length, asked only for totalCount."""
    start, end = _window(args, None)
    size = args.first if args.first is not None else DEFAULT_PAGE
    stop = start + size if end is None else min(end, start + size)
    page = rows[: max(stop - start, 0)]
    # A row past the page was read: the list goes on (as `start + len(page) < total`).
    return _build(page, start, len(rows) > len(page), count)
