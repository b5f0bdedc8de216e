"""An account's calendar: one list of its requests, appointments, tasks due and service
records between two days, ordered by time, then kind, then ID, paged with cursors."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, Any

import orjson
import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from models import calendar
from models.errors import InputError
from schema.account_requests.types import AccountRequest
from schema.linked_items.types import Appointment, ServiceRecord, Task
from schema.relay.connections import (
    DEFAULT_PAGE,
    After,
    Before,
    Connection,
    First,
    Last,
    PageArgs,
    connection,
)
from schema.relay.ids import MAX_KEY, key_for

strawberry.enum(
    calendar.EntryKind, name="CalendarEntryKind", description="What a calendar entry is."
)

CalendarItem = Annotated[
    AccountRequest | Appointment | Task | ServiceRecord,
    strawberry.union(
        "CalendarItem", description="What a calendar entry is about: the object itself."
    ),
]

_MAKERS: dict[calendar.EntryKind, Callable[[Any], Any]] = {
    calendar.EntryKind.ACCOUNT_REQUEST: AccountRequest.from_row,
    calendar.EntryKind.APPOINTMENT: Appointment.from_row,
    calendar.EntryKind.TASK_DUE: Task.from_row,
    calendar.EntryKind.SERVICE_RECORD: ServiceRecord.from_row,
}


@strawberry.type(description="One entry of an account's calendar.")
class CalendarEntry:
    kind: calendar.EntryKind = strawberry.field(description="What the entry is.")
    date: dt.date = strawberry.field(description="Its day, in the company's time zone.")
    at: dt.datetime | None = strawberry.field(
        description="Its time (an appointment's start, a task's due time); null for all-day "
        "entries: requests (the day they are for) and service records."
    )
    all_day: bool = strawberry.field(description="True when the entry has a day but no time.")
    item: CalendarItem = strawberry.field(description="The request, appointment, task or record.")


def _cursor(key: calendar.EntryKey) -> str:
    raw = orjson.dumps(["calendar", key.at.isoformat(), key.rank, key.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key(cursor: str | None, argument: str) -> calendar.EntryKey | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, at, rank, pk = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = dt.datetime.fromisoformat(at)
        if (
            prefix == "calendar"
            and moment.tzinfo is not None
            and isinstance(rank, int)
            and 0 <= rank < len(calendar.EntryKind)
            and isinstance(pk, int)
            and 0 <= pk <= MAX_KEY
        ):
            return calendar.EntryKey(moment, rank, pk)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        pass
    raise InputError(f"`{argument}` is not a cursor of this list.")


async def calendar_page(found: calendar.Calendar, args: PageArgs) -> Connection[CalendarEntry]:
    """One page of the calendar's keys, then the rows of just that page."""
    after, before = _key(args.after, "after"), _key(args.before, "before")
    start = found.position(after, after=True) if after else 0
    end = found.position(before, after=False) if before else len(found.keys)
    end = max(start, end)
    size = args.first if args.first is not None else args.last
    size = DEFAULT_PAGE if size is None else size
    if args.last is not None:
        start = max(start, end - size)
    stop = min(end, start + size)
    entries = await found.entries(found.keys[start:stop])
    total = len(found.keys)

    async def count() -> int:
        return total

    return connection(
        [
            CalendarEntry(
                kind=entry.kind,
                date=entry.day,
                at=entry.at,
                all_day=entry.at is None,
                item=_MAKERS[entry.kind](entry.row),
            )
            for entry in entries
        ],
        [functools.partial(_cursor, entry.key) for entry in entries],
        has_previous=start > 0,
        has_next=stop < total,
        count=count,
    )


@strawberry.type
class CalendarQueries:
    @strawberry.field(
        description="An account's calendar between two days of the company's time zone "
        "(both included, at most 366 days): its account requests on the day they are for, "
        "appointments, tasks due and service records, ordered by time (all-day entries "
        "first on their day), then kind, then ID. Each viewer sees what it may see: a "
        "portal contact its own account's, without tasks or internal requests.",
        permission_classes=[IsAuthenticated],
    )
    async def account_calendar(
        self,
        info: Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description="The account.")],
        from_: Annotated[dt.date, strawberry.argument(name="from", description="The first day.")],
        to: Annotated[dt.date, strawberry.argument(description="The last day (included).")],
        kinds: Annotated[
            list[calendar.EntryKind] | None,
            strawberry.argument(description="Only these kinds (all when left out)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[CalendarEntry]:
        args = PageArgs(first, after, last, before)
        found = await calendar.account_calendar(
            info.context.viewer, key_for(account_id, "Account"), from_, to, kinds
        )
        return await calendar_page(found, args)
