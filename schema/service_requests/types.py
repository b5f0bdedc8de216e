"""Service requests and jobs: the types, the job draft and the review queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

import strawberry

from api.context import Info
from fastpath import batched, related
from fastpath.interleave import interleave
from fastpath.objects import maker
from models import service_requests as sr
from models.clock import now
from schema.accounts.types import Account, Contact, Site
from schema.nodes import register_node, rows_of_loader
from schema.relay.connections import Node
from schema.relay.ids import encode_id
from schema.service_requests import enums  # noqa: F401  (registers the enums first)
from schema.service_requests.permissions import CanReview
from schema.users import User, user_by_id


@strawberry.type(description="Customer and location (a base of requests, drafts and jobs).")
class Located:
    """Customer and location, shared by requests, drafts and jobs."""

    account_id: strawberry.Private[int]
    site_id: strawberry.Private[int]

    account: Account | None = related(
        "account_id", "accounts_by_id", description="The customer account."
    )

    site: Site | None = related(
        "site_id", "sites_by_id", description="The customer's location where the work is."
    )


@strawberry.type(description="What the Create Job form shows pre-filled for a request.")
class JobDraft(Located):
    service_type: sr.ServiceType = strawberry.field(description="From the request.")
    description: str = strawberry.field(description="From the request.")
    booking_date: date | None = strawberry.field(description="The customer's preferred date.")
    priority: sr.JobPriority = strawberry.field(description="Mapped from the urgency.")
    sla_due_at: datetime | None = strawberry.field(
        description="The SLA due the job would get if approved now with the SLA left "
        "blank (the customer's default SLA hours, else the company default if an admin "
        "turned one on), or null: no SLA deadline."
    )
    sla_rule: sr.SlaRule = strawberry.field(
        description="Which rule gives slaDueAt: ACCOUNT_DEFAULT, COMPANY_DEFAULT or NONE."
    )


class Drafted(sr.DraftSource, Protocol):
    """What a job draft reads of its request (a narrow page keeps just these)."""

    status: sr.ServiceRequestStatus


async def job_drafts(info: Info, requests: Sequence[Drafted]) -> list[JobDraft | None]:
    """The job drafts of a list of requests (null once decided): one load of their
    accounts' SLA hours, one of the company settings, and one reading of the clock."""
    pending = [r for r in requests if r.status is sr.ServiceRequestStatus.PENDING]
    if not pending:
        return [None] * len(requests)
    loaders = info.context.loaders
    account_ids = list(dict.fromkeys(request.account_id for request in pending))
    # Both reads at once: the company's hours need not wait for the accounts'.
    accounts, company_hours = await interleave(
        [
            loaders.accounts_by_id.columns.by_id(account_ids, ("default_sla_hours",)),
            loaders.company_sla_hours.get(),
        ]
    )
    hours = {
        key: accounts[key]["default_sla_hours"]
        for key in account_ids
        if key in accounts  # an account the viewer may not see has no draft
    }
    if not hours:
        return [None] * len(requests)
    made = sr.drafts(pending, hours, company_hours, now(), _make_draft)
    if len(pending) == len(requests):
        return made  # a review queue: every request pending
    drafts = {id(request): draft for request, draft in zip(pending, made, strict=True)}
    return [drafts.get(id(request)) for request in requests]


# JobDraft objects from the fields of models' JobDraft, by name.
_make_draft = maker(JobDraft)


@strawberry.type(description="Work on site, created by approving a service request.")
class Job(Node, Located):
    service_type: sr.ServiceType = strawberry.field(description="What kind of service.")
    description: str = strawberry.field(description="What to do.")
    scheduled_start: datetime | None = strawberry.field(description="Booking start.")
    scheduled_end: datetime | None = strawberry.field(description="Booking end.")
    priority: sr.JobPriority = strawberry.field(description="Priority.")
    sla_due_at: datetime | None = strawberry.field(description="When the SLA is due.")
    sla_rule: sr.SlaRule | None = strawberry.field(
        description="Which rule set slaDueAt (null on jobs approved before it was recorded)."
    )
    requested_date: date | None = strawberry.field(
        description="The customer's preferred date (a date without time), kept beside "
        "the booked slot whether or not a time was chosen."
    )
    skills: list[str] = strawberry.field(description="Skills the work needs.")
    parts: list[str] = strawberry.field(description="Parts to bring.")
    asset_ids: list[str] = strawberry.field(description="The customer's assets concerned.")
    status: sr.JobStatus = strawberry.field(description="Where the job stands.")
    cancel_reason: str | None = strawberry.field(description="Why it was cancelled.")
    created_at: datetime = strawberry.field(description="When the job was created.")
    service_request_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: sr.Job) -> Job:
        return cls(
            id=strawberry.ID(encode_id("Job", row.id)),
            account_id=row.account_id,
            site_id=row.site_id,
            service_type=row.service_type,
            description=row.description,
            scheduled_start=row.scheduled_start,
            scheduled_end=row.scheduled_end,
            priority=row.priority,
            sla_due_at=row.sla_due_at,
            sla_rule=row.sla_rule,
            requested_date=row.requested_date,
            skills=list(row.skills),
            parts=list(row.parts),
            asset_ids=list(row.asset_ids),
            status=row.status,
            cancel_reason=row.cancel_reason,
            created_at=row.created_at,
            service_request_id=row.service_request_id,
            assignee_id=row.assignee_id,
        )

    service_request: ServiceRequest | None = related(
        "service_request_id",
        "service_requests_by_id",
        description="The service request this job was approved from.",
    )

    assignee: User | None = related(
        "assignee_id", "users_by_id", description="The technician assigned to the job."
    )


@strawberry.type(description="A customer's request for service, from the portal.")
class ServiceRequest(Node, Located):
    number: int = strawberry.field(description="The number shown to people (#12).")
    service_type: sr.ServiceType = strawberry.field(description="What kind of service.")
    description: str = strawberry.field(description="What the customer wrote.")
    urgency: sr.Urgency = strawberry.field(description="How urgent it is for the customer.")
    preferred_date: date | None = strawberry.field(description="The customer's preferred date.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    status: sr.ServiceRequestStatus = strawberry.field(description="PENDING, APPROVED, DECLINED.")
    decided_at: datetime | None = strawberry.field(description="When it was approved or declined.")
    decline_reason: str | None = strawberry.field(
        description="Why it was declined, as the customer reads it."
    )
    pk: strawberry.Private[int]
    contact_id: strawberry.Private[int | None]
    decided_by_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: sr.ServiceRequest) -> ServiceRequest:
        return cls(
            id=strawberry.ID(encode_id("ServiceRequest", row.id)),
            account_id=row.account_id,
            site_id=row.site_id,
            number=row.id,
            service_type=row.service_type,
            description=row.description,
            urgency=row.urgency,
            preferred_date=row.preferred_date,
            submitted_at=row.submitted_at,
            status=row.status,
            decided_at=row.decided_at,
            decline_reason=row.decline_reason,
            pk=row.id,
            contact_id=row.contact_id,
            decided_by_id=row.decided_by_id,
        )

    @strawberry.field(description="The contact who submitted it.")
    async def contact(self, info: Info) -> Contact | None:
        if self.contact_id is None:
            return None
        row = await info.context.loaders.contacts_by_id.load(self.contact_id)
        return Contact.from_row(row) if row else None

    @strawberry.field(description="Who approved or declined it (staff only).")
    async def decided_by(self, info: Info) -> User | None:
        return await user_by_id(info, self.decided_by_id)

    job: Job | None = related(
        "pk",
        "jobs_by_service_request_id",
        by="service_request_id",
        description="The job it was approved into.",
    )

    job_draft: JobDraft | None = batched(
        job_drafts,
        makes=JobDraft,
        written=sr.DRAFT_SQL,
        description="The Create Job form pre-filled (reviewers; null once decided).",
        permission_classes=[CanReview],
    )


async def _load_requests(info: Info, ids: list[int]) -> list[sr.ServiceRequest | None]:
    return await info.context.loaders.service_requests_by_id.load_many(ids)


async def _load_jobs(info: Info, ids: list[int]) -> list[sr.Job | None]:
    rows = await sr.visible_jobs(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node(
    "ServiceRequest",
    _load_requests,
    ServiceRequest.from_row,
    rows=rows_of_loader("service_requests_by_id"),
)
register_node(
    "Job", _load_jobs, Job.from_row, rows=lambda info: sr.visible_jobs(info.context.viewer)
)


@strawberry.type(description="The review queue, for the dispatchers' badge.")
class ServiceRequestQueue:
    pending_count: int = strawberry.field(description="Service requests waiting for a decision.")
