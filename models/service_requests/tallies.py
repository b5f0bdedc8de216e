"""Service request counts kept by the database: one row per (status, urgency, service type)
that some request has, with how many requests have it.

Triggers on `service_requests` (created by migration 0017, for PostgreSQL and SQLite) keep
it exact on every insert, delete and change of those columns, bulk updates included, so
no application code maintains it (as `account_request_tallies` for account requests).

The review queue's badge (`pending_count`) reads it, and so does a list's `totalCount`
where it is exact there: the viewer sees every request and the filter uses only those
keys. Anything else returns None here and is counted on the requests themselves.
"""

from __future__ import annotations

import dataclasses

from tortoise import fields
from tortoise.functions import Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fastpath import SumOf
from models.service_requests.lists import ServiceRequestFilter
from models.service_requests.tables import ServiceRequestStatus, ServiceType, Urgency
from models.service_requests.visibility import sees_every_service_request
from models.viewer import Viewer


class ServiceRequestTally(Model):
    """How many service requests share one status, urgency and service type."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(ServiceRequestStatus, max_length=16)
    urgency = fields.CharEnumField(Urgency, max_length=16)
    service_type = fields.CharEnumField(ServiceType, max_length=32)
    n = fields.IntField()

    class Meta:
        table = "service_request_tallies"
        unique_together = (("status", "urgency", "service_type"),)


# The filter's fields the tally keys answer; every other must filter nothing.
_TALLIED = frozenset({"statuses", "urgencies", "service_types"})
_UNTALLIED = tuple(
    (name, value)
    for name, value in dataclasses.asdict(ServiceRequestFilter()).items()
    if name not in _TALLIED
)


def _tally_tells(spec: ServiceRequestFilter, viewer: Viewer) -> bool:
    """Is the count of `spec` for `viewer` a sum of tally rows (`_rows`)? Anything left
    but the tally's keys (a field added to the filter later included) means counting
    requests: as `dataclasses.replace` of the keys compared with
    `ServiceRequestFilter()`, without making either."""
    if not sees_every_service_request(viewer):
        return False
    return all(getattr(spec, name) == default for name, default in _UNTALLIED)


def _rows(spec: ServiceRequestFilter) -> QuerySet[ServiceRequestTally]:
    """The tally rows of `spec`, where `_tally_tells`."""
    rows = ServiceRequestTally.all()
    if spec.statuses is not None:
        rows = rows.filter(status__in=list(spec.statuses))
    if spec.urgencies is not None:
        rows = rows.filter(urgency__in=list(spec.urgencies))
    if spec.service_types is not None:
        rows = rows.filter(service_type__in=list(spec.service_types))
    return rows


def tallied_count(spec: ServiceRequestFilter, viewer: Viewer) -> SumOf | None:
    """A list's total for `totalCount`, read from the tally only if asked (in the page's
    own statement where the JSON lane writes it); None where the tally cannot tell. Its
    query is built only if read: the review queue shows no count."""
    if not _tally_tells(spec, viewer):
        return None
    return SumOf.of(lambda: _rows(spec), "n")


async def pending_count() -> int:
    """How many requests wait for a decision: the tally's PENDING rows."""
    rows = ServiceRequestTally.filter(status=ServiceRequestStatus.PENDING)
    found = await rows.annotate(total=Sum("n")).values("total")
    return int(found[0]["total"] or 0) if found else 0
