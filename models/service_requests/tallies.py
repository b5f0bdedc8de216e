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


def tallied_rows(
    spec: ServiceRequestFilter, viewer: Viewer
) -> QuerySet[ServiceRequestTally] | None:
    """The tally rows whose sum is the count of `spec` for `viewer`, or None where the
    tally cannot tell."""
    if not sees_every_service_request(viewer):
        return None
    # Anything left but the tally's keys (a field added to the filter later included)
    # means counting requests.
    rest = dataclasses.replace(spec, statuses=None, urgencies=None, service_types=None)
    if rest != ServiceRequestFilter():
        return None
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
    own statement where the JSON lane writes it); None where the tally cannot tell."""
    rows = tallied_rows(spec, viewer)
    return SumOf(rows, "n") if rows is not None else None


async def pending_count() -> int:
    """How many requests wait for a decision: the tally's PENDING rows."""
    rows = ServiceRequestTally.filter(status=ServiceRequestStatus.PENDING)
    found = await rows.annotate(total=Sum("n")).values("total")
    return int(found[0]["total"] or 0) if found else 0
