"""Request counts kept by the database: one row per combination of the cheap filter keys.

`account_request_tallies` holds, for each (status, type, assignee, source, internal) that
some request has, how many requests have it. Triggers on `account_requests` (created by
migration 0011, for PostgreSQL and SQLite) keep it exact on every insert, delete and
change of those columns, bulk updates included, so no application code maintains it.

A count is read from it when it is exact there: the viewer sees every request and the
filter uses only those keys. Anything else (accounts, dates, search, a narrower viewer)
returns None here and is counted on the requests themselves.
"""

from __future__ import annotations

import dataclasses

from tortoise import fields
from tortoise.functions import Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import SumOf
from models.account_requests.lists import RequestFilter
from models.account_requests.tables import RequestSource, RequestStatus
from models.account_requests.visibility import sees_every_request
from models.viewer import Viewer

# The assignee key of unassigned requests (a NULL could not be a conflict target).
UNASSIGNED = 0


class AccountRequestTally(Model):
    """How many account requests share one status, type, assignee, source and internal flag
    (kept by triggers)."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(RequestStatus, max_length=32)
    type_id = fields.IntField()
    assignee_id = fields.IntField()  # UNASSIGNED (0) for requests without an assignee
    source = fields.CharEnumField(RequestSource, max_length=32)
    internal = fields.BooleanField()
    n = fields.IntField()

    class Meta:
        table = "account_request_tallies"
        unique_together = (("status", "type_id", "assignee_id", "source", "internal"),)


# The fields of a filter a tally row answers (`_rows`), and every other with its default.
_TALLIED = frozenset(
    {"statuses", "type_ids", "assignee_ids", "sources", "internal", "assigned_to_me", "unassigned"}
)
_UNTALLIED = tuple(
    (name, value)
    for name, value in dataclasses.asdict(RequestFilter()).items()
    if name not in _TALLIED
)


def tallied_rows(spec: RequestFilter, viewer: Viewer) -> QuerySet[AccountRequestTally] | None:
    """The tally rows whose sum is the count of `spec` for `viewer`, or None where the
    tally cannot tell."""
    return _rows(spec, viewer) if _tally_tells(spec, viewer) else None


def _tally_tells(spec: RequestFilter, viewer: Viewer) -> bool:
    """Is the count of `spec` for `viewer` a sum of tally rows (`_rows`)?"""
    if not sees_every_request(viewer):
        return False
    if spec.assigned_to_me and viewer.user_id is None:
        return False
    # Every field a tally row does not answer must filter nothing (a field added to
    # RequestFilter later included): as `dataclasses.replace` of those fields with their
    # defaults compared with `RequestFilter()`, without making either.
    for name, default in _UNTALLIED:
        value = getattr(spec, name)
        if name == "search" and not value:
            value = None  # an empty search filters nothing
        elif name == "include_sub_accounts" and spec.account_ids is None:
            value = False  # only read with account IDs
        if value != default:
            return False
    return True


def _rows(spec: RequestFilter, viewer: Viewer) -> QuerySet[AccountRequestTally]:
    """The tally rows of `spec`, where `_tally_tells`."""
    rows = AccountRequestTally.all()
    if spec.statuses is not None:
        rows = rows.filter(status__in=list(spec.statuses))
    if spec.type_ids is not None:
        rows = rows.filter(type_id__in=list(spec.type_ids))
    if spec.assignee_ids is not None:
        # 0 names no user: as an assignee ID it matches no request.
        rows = rows.filter(assignee_id__in=[pk for pk in spec.assignee_ids if pk != UNASSIGNED])
    if spec.sources is not None:
        rows = rows.filter(source__in=list(spec.sources))
    if spec.internal is not None:
        rows = rows.filter(internal=spec.internal)
    if spec.assigned_to_me:
        rows = rows.filter(assignee_id=viewer.user_id)
    if spec.unassigned is True:
        rows = rows.filter(assignee_id=UNASSIGNED)
    elif spec.unassigned is False:
        rows = rows.exclude(assignee_id=UNASSIGNED)
    return rows


async def tallied_total(spec: RequestFilter, viewer: Viewer) -> int | None:
    """How many requests match, in one statement on the tally; None where it cannot tell."""
    rows = tallied_rows(spec, viewer)
    if rows is None:
        return None
    found = await rows.annotate(total=Sum("n")).values("total")
    return int(found[0]["total"] or 0) if found else 0


async def tallied_by_status(spec: RequestFilter, viewer: Viewer) -> dict[RequestStatus, int] | None:
    """Matching requests per status, in one statement on the tally; None where it cannot
    tell."""
    rows = tallied_rows(spec, viewer)
    if rows is None:
        return None
    found = await rows.annotate(total=Sum("n")).group_by("status").values("status", "total")
    counts = {RequestStatus(row["status"]): int(row["total"] or 0) for row in found}
    return {status: counts.get(status, 0) for status in RequestStatus}


def tallied_count(spec: RequestFilter, viewer: Viewer) -> SumOf | None:
    """A list's total for `totalCount`, read from the tally only if asked (in the page's
    own statement where the JSON lane writes it); None where the tally cannot tell. Its
    query is built only if read: most lists show no count."""
    if not _tally_tells(spec, viewer):
        return None
    return SumOf.of(lambda: _rows(spec, viewer), "n")
