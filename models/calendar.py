"""An account's calendar: its requests, appointments, tasks due and service records
between two days, in one order, as the viewer may see them.

Days are the company's (its time zone): an appointment at 01:30 UTC on the 2nd is on
the 1st in Denver. Requests (the day they are for) and service records (the day of the
work) are all-day entries; they come first on their day, as if at midnight. Entries
are ordered by that moment, then by kind (the order of `EntryKind`), then by ID.

A range covers at most `MAX_DAYS` days, so the keys of one range are few enough to
read and sort at once (four narrow statements, whatever the page size); only the rows
of the page asked for are then read, one statement per kind on the page.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import account_requests as requests
from models import accounts
from models.errors import InputError
from models.linked_items import KINDS, ItemKind, visible_items
from models.viewer import Viewer
from models.zones import company_zone, today_in

MAX_DAYS = 366


class EntryKind(str, Enum):
    ACCOUNT_REQUEST = "ACCOUNT_REQUEST"
    APPOINTMENT = "APPOINTMENT"
    TASK_DUE = "TASK_DUE"
    SERVICE_RECORD = "SERVICE_RECORD"


RANK = {kind: rank for rank, kind in enumerate(EntryKind)}


@dataclass(frozen=True, order=True)
class EntryKey:
    """Where an entry stands in the calendar's order (and what its cursor names)."""

    at: datetime  # UTC: the entry's time, or the start of its day for all-day entries
    rank: int
    id: int

    @property
    def kind(self) -> EntryKind:
        return list(EntryKind)[self.rank]


@dataclass(frozen=True)
class Entry:
    """One entry of a page: its kind, day, time (None all day) and row."""

    key: EntryKey
    day: date
    at: datetime | None
    row: Model

    @property
    def kind(self) -> EntryKind:
        return self.key.kind


@dataclass(frozen=True)
class Calendar:
    """The ordered keys of one account's range, and how to read the rows of a page."""

    viewer: Viewer
    zone: tzinfo
    keys: list[EntryKey]  # sorted
    days: dict[EntryKey, date]  # the day of each all-day entry

    def position(self, key: EntryKey, *, after: bool) -> int:
        """Where a cursor's key falls: the index just after it (or at it, for `before`)."""
        return (bisect.bisect_right if after else bisect.bisect_left)(self.keys, key)

    async def entries(self, keys: Sequence[EntryKey]) -> list[Entry]:
        """The entries of `keys` with their rows: one statement per kind among them."""
        wanted: dict[EntryKind, list[int]] = {}
        for key in keys:
            wanted.setdefault(key.kind, []).append(key.id)
        rows: dict[tuple[EntryKind, int], Model] = {}
        for kind, ids in wanted.items():
            for row in await _visible(self.viewer, kind).filter(id__in=ids):
                rows[(kind, row.pk)] = row
        found = []
        for key in keys:
            row = rows.get((key.kind, key.id))
            if row is None:  # gone (or out of sight) between the two reads
                continue
            all_day = key in self.days
            day = self.days[key] if all_day else today_in(self.zone, key.at)
            found.append(Entry(key, day, None if all_day else key.at, row))
        return found


def check_range(start: date, end: date) -> None:
    """A range of one to `MAX_DAYS` days, `to` included; else BAD_USER_INPUT naming it."""
    if end < start:
        raise InputError("`to` must be on or after `from`.")
    if (end - start).days + 1 > MAX_DAYS:
        raise InputError(f"`to` must be at most {MAX_DAYS} days after `from`, counting both.")


async def account_calendar(
    viewer: Viewer,
    account_id: int,
    start: date,
    end: date,
    kinds: Iterable[EntryKind] | None = None,
) -> Calendar:
    """The calendar of a visible account between `start` and `end` (both included).

    An account the viewer may not see answers as one that does not exist.
    """
    check_range(start, end)
    if not await accounts.visible_accounts(viewer).filter(id=account_id).exists():
        raise InputError("No account with this ID.")
    zone = await company_zone()
    low = _midnight(start, zone)
    high = _midnight(end + timedelta(days=1), zone)
    chosen = set(kinds) if kinds else set(EntryKind)
    keys: list[EntryKey] = []
    days: dict[EntryKey, date] = {}

    def all_day(kind: EntryKind, pk: int, day: date) -> None:
        key = EntryKey(_midnight(day, zone), RANK[kind], pk)
        keys.append(key)
        days[key] = day

    def timed(kind: EntryKind, pk: int, at: datetime) -> None:
        keys.append(EntryKey(_utc(at), RANK[kind], pk))

    mine = {"account_id": account_id}
    if EntryKind.ACCOUNT_REQUEST in chosen:
        in_range = Q(for_date__gte=start, for_date__lte=end) | Q(
            for_date__isnull=True, created_at__gte=low, created_at__lt=high
        )
        query = _visible(viewer, EntryKind.ACCOUNT_REQUEST).filter(in_range, **mine)
        for pk, for_date, created_at in await _values(query, "id", "for_date", "created_at"):
            all_day(EntryKind.ACCOUNT_REQUEST, pk, for_date or today_in(zone, created_at))
    if EntryKind.APPOINTMENT in chosen:
        query = _visible(viewer, EntryKind.APPOINTMENT).filter(
            starts_at__gte=low, starts_at__lt=high, **mine
        )
        for pk, starts_at in await _values(query, "id", "starts_at"):
            timed(EntryKind.APPOINTMENT, pk, starts_at)
    if EntryKind.TASK_DUE in chosen:
        query = _visible(viewer, EntryKind.TASK_DUE).filter(
            due_at__gte=low, due_at__lt=high, **mine
        )
        for pk, due_at in await _values(query, "id", "due_at"):
            timed(EntryKind.TASK_DUE, pk, due_at)
    if EntryKind.SERVICE_RECORD in chosen:
        query = _visible(viewer, EntryKind.SERVICE_RECORD).filter(
            service_date__gte=start, service_date__lte=end, **mine
        )
        for pk, service_date in await _values(query, "id", "service_date"):
            all_day(EntryKind.SERVICE_RECORD, pk, service_date)
    keys.sort()
    return Calendar(viewer, zone, keys, days)


def _visible(viewer: Viewer, kind: EntryKind) -> QuerySet[Any]:
    """What the viewer may see of one kind: the portal's share for contacts (no internal
    requests, no tasks)."""
    if kind is EntryKind.ACCOUNT_REQUEST:
        return requests.visible_account_requests(viewer)
    item = {
        EntryKind.APPOINTMENT: ItemKind.APPOINTMENT,
        EntryKind.TASK_DUE: ItemKind.TASK,
        EntryKind.SERVICE_RECORD: ItemKind.SERVICE_RECORD,
    }[kind]
    return visible_items(viewer, KINDS[item])


async def _values(query: QuerySet[Any], *columns: str) -> list[tuple[Any, ...]]:
    return cast("list[tuple[Any, ...]]", await query.values_list(*columns))


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The first moment of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
