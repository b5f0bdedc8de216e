"""What the service request and job mutations take."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import service_requests as sr
from schema.service_requests import enums  # noqa: F401  (registers the enums first)


@strawberry.input(description="A request for service from the portal.")
class SubmitServiceRequestInput:
    site_id: strawberry.ID = strawberry.field(description="One of the account's sites.")
    service_type: sr.ServiceType = strawberry.field(description="What kind of service.")
    description: str = strawberry.field(description="What is needed (up to 5,000 characters).")
    urgency: sr.Urgency = strawberry.field(default=sr.Urgency.NORMAL, description="Urgency.")
    preferred_date: date | None = strawberry.field(
        default=None, description="Preferred date, today or later."
    )


@strawberry.input(description="The job to create; every field overrides the draft.")
class JobInput:
    scheduled_start: datetime | None = strawberry.field(default=None, description="Start.")
    scheduled_end: datetime | None = strawberry.field(default=None, description="End.")
    priority: sr.JobPriority | None = strawberry.field(
        default=None, description="Priority; mapped from the urgency when left out."
    )
    sla_due_at: datetime | None = strawberry.field(
        default=None,
        description="SLA due (slaRule GIVEN); left out: approval time + the customer's "
        "default SLA hours, else the company default if an admin turned one on, else none.",
    )
    skills: list[str] | None = strawberry.field(default=None, description="Skills needed.")
    parts: list[str] | None = strawberry.field(default=None, description="Parts to bring.")
    asset_ids: list[str] | None = strawberry.field(default=None, description="Assets concerned.")
    description: str | None = strawberry.field(
        default=None, description="What to do; the request's description when left out."
    )


@strawberry.input(description="Approve a pending service request into a job.")
class ApproveServiceRequestInput:
    id: strawberry.ID = strawberry.field(description="The service request.")
    job: JobInput | None = strawberry.field(default=None, description="Overrides of the draft.")


@strawberry.input(description="Decline a pending service request.")
class DeclineServiceRequestInput:
    id: strawberry.ID = strawberry.field(description="The service request.")
    reason: str = strawberry.field(
        description="Sent to the customer verbatim and shown in the portal (up to 2,000)."
    )


@strawberry.input(description="Cancel a job; its service request stays APPROVED.")
class CancelJobInput:
    id: strawberry.ID = strawberry.field(description="The job.")
    reason: str = strawberry.field(description="Why it is cancelled.")


@strawberry.input(description="Assign a job to a technician, or unassign it.")
class AssignJobInput:
    id: strawberry.ID = strawberry.field(description="The job.")
    assignee_id: strawberry.ID | None = strawberry.field(
        description="The technician; null unassigns."
    )
