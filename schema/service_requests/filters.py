"""How the service requests and jobs lists are narrowed and sorted."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from models import service_requests as sr
from schema.relay.ordering import OrderDirection
from schema.service_requests import enums  # noqa: F401  (registers the enums first)


@strawberry.enum(description="What to sort service requests by.")
class ServiceRequestOrderField(Enum):
    SUBMITTED_AT = "SUBMITTED_AT"
    URGENCY = "URGENCY"


@strawberry.input(description="Narrow the service requests list; all given conditions hold.")
class ServiceRequestFilter:
    statuses: list[sr.ServiceRequestStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    urgencies: list[sr.Urgency] | None = strawberry.field(
        default=None, description="Any of these urgencies."
    )
    service_types: list[sr.ServiceType] | None = strawberry.field(
        default=None, description="Any of these service types."
    )
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of these accounts."
    )
    submitted_after: datetime | None = strawberry.field(
        default=None, description="Submitted at or after."
    )
    submitted_before: datetime | None = strawberry.field(
        default=None, description="Submitted before."
    )


@strawberry.input(description="How to sort service requests.")
class ServiceRequestOrder:
    field: ServiceRequestOrderField = strawberry.field(description="The sort key.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )


@strawberry.enum(description="What to sort jobs by.")
class JobOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input(description="Narrow the jobs list.")
class JobFilter:
    statuses: list[sr.JobStatus] | None = strawberry.field(default=None, description="Statuses.")
    priorities: list[sr.JobPriority] | None = strawberry.field(
        default=None, description="Priorities."
    )
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of these accounts."
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Assigned to these users."
    )


@strawberry.input(description="How to sort jobs.")
class JobOrder:
    field: JobOrderField = strawberry.field(description="The sort key.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )
