"""Service requests (portal) and jobs: review lists, the job draft, decisions, the queue."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry

from api.context import Info
from api.permissions import IsPortalContact, requires
from fastpath import batched, related
from fastpath.interleave import interleave
from fastpath.objects import maker
from models import service_requests as sr
from models.clock import now
from models.permissions import Permission
from schema import live
from schema.accounts import Account, Contact, OrderDirection, Site
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node
from schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    PageArgs,
    encode_id,
    key_for,
    keys_for,
    paginate_sorted,
)

if TYPE_CHECKING:
    from schema.users import User

UserType = Annotated["User", strawberry.lazy("schema.users")]

strawberry.enum(sr.ServiceType, description="What kind of service is asked for.")
strawberry.enum(sr.Urgency, description="How urgent the customer says it is.")
strawberry.enum(sr.ServiceRequestStatus, description="PENDING, then APPROVED or DECLINED (final).")
strawberry.enum(
    sr.JobPriority, description="Job priority (urgency NORMAL -> MEDIUM, URGENT -> HIGH)."
)
strawberry.enum(sr.JobStatus, description="Where a job stands.")

CanReview = requires(Permission.REVIEW_SERVICE_REQUESTS)
CanReviewOrPortal = requires(Permission.REVIEW_SERVICE_REQUESTS, or_portal_contact=True)


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
        description="The SLA due the job would get if approved now (account or company "
        "default SLA hours), or null when there is no default."
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
            skills=list(row.skills),
            parts=list(row.parts),
            asset_ids=list(row.asset_ids),
            status=row.status,
            cancel_reason=row.cancel_reason,
            created_at=row.created_at,
            service_request_id=row.service_request_id,
            assignee_id=row.assignee_id,
        )

    @strawberry.field(description="The service request this job was approved from.")
    async def service_request(self, info: Info) -> ServiceRequest | None:
        row = await info.context.loaders.service_requests_by_id.load(self.service_request_id)
        return ServiceRequest.from_row(row) if row else None

    @strawberry.field(description="The technician assigned to the job.")
    async def assignee(self, info: Info) -> UserType | None:
        from schema.users import user_by_id

        return await user_by_id(info, self.assignee_id)


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
    async def decided_by(self, info: Info) -> UserType | None:
        from schema.users import user_by_id

        return await user_by_id(info, self.decided_by_id)

    @strawberry.field(description="The job it was approved into.")
    async def job(self, info: Info) -> Job | None:
        row = await info.context.loaders.jobs_by_service_request_id.load(self.pk)
        return Job.from_row(row) if row else None

    job_draft: JobDraft | None = batched(
        job_drafts,
        makes=JobDraft,
        description="The Create Job form pre-filled (reviewers; null once decided).",
        permission_classes=[CanReview],
    )


async def _load_requests(info: Info, ids: list[int]) -> list[sr.ServiceRequest | None]:
    return await info.context.loaders.service_requests_by_id.load_many(ids)


async def _load_jobs(info: Info, ids: list[int]) -> list[sr.Job | None]:
    rows = await sr.visible_jobs(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node("ServiceRequest", _load_requests, ServiceRequest.from_row)
register_node("Job", _load_jobs, Job.from_row)


@strawberry.type(description="The review queue, for the dispatchers' badge.")
class ServiceRequestQueue:
    pending_count: int = strawberry.field(description="Service requests waiting for a decision.")


# --- lists --------------------------------------------------------------------------------


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


# Keyset cursors need a sort value on every row: nullable columns are not offered.
_REQUEST_ORDER: dict[ServiceRequestOrderField, tuple[str, type]] = {
    ServiceRequestOrderField.SUBMITTED_AT: ("submitted_at", datetime),
    ServiceRequestOrderField.URGENCY: ("urgency", str),  # NORMAL before URGENT
}


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


_JOB_ORDER: dict[JobOrderField, tuple[str, type]] = {
    JobOrderField.CREATED_AT: ("created_at", datetime),
    JobOrderField.UPDATED_AT: ("updated_at", datetime),
}


def _sort_value(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


@strawberry.type
class ServiceRequestQueries:
    @strawberry.field(
        description="Service requests: reviewers see all, a portal contact its own "
        "account's (My Service Requests). Newest first by default.",
        permission_classes=[CanReviewOrPortal],
    )
    async def service_requests(
        self,
        info: Info,
        filter: Annotated[
            ServiceRequestFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        order_by: Annotated[
            ServiceRequestOrder | None,
            strawberry.argument(description="Sort key and direction (SUBMITTED_AT DESC)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ServiceRequest]:
        viewer = info.context.viewer
        spec = filter or ServiceRequestFilter()
        query = sr.filter_service_requests(
            sr.visible_service_requests(viewer),
            sr.ServiceRequestFilter(
                statuses=spec.statuses,
                urgencies=spec.urgencies,
                service_types=spec.service_types,
                account_ids=keys_for(spec.account_ids, "Account"),
                submitted_after=spec.submitted_after,
                submitted_before=spec.submitted_before,
            ),
        )
        order = order_by or ServiceRequestOrder(field=ServiceRequestOrderField.SUBMITTED_AT)
        column, kind = _REQUEST_ORDER[ServiceRequestOrderField(order.field)]
        return await paginate_sorted(
            query,
            PageArgs(first, after, last, before),
            ServiceRequest.from_row,
            column=column,
            value_type=kind,
            descending=order.direction is OrderDirection.DESC,
            value_of=lambda row: _sort_value(getattr(row, column)),
            info=info,
        )

    @strawberry.field(description="The review queue (reviewers).", permission_classes=[CanReview])
    async def service_request_queue(self) -> ServiceRequestQueue:
        return ServiceRequestQueue(pending_count=await sr.pending_count())

    @strawberry.field(
        description="Jobs: reviewers see all, technicians the jobs assigned to them.",
        permission_classes=[
            requires(Permission.REVIEW_SERVICE_REQUESTS, Permission.VIEW_ASSIGNED_JOBS)
        ],
    )
    async def jobs(
        self,
        info: Info,
        filter: Annotated[JobFilter | None, strawberry.argument(description="Conditions.")] = None,
        order_by: Annotated[
            JobOrder | None, strawberry.argument(description="Sort (CREATED_AT DESC).")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Job]:
        spec = filter or JobFilter()
        query = sr.filter_jobs(
            sr.visible_jobs(info.context.viewer),
            sr.JobFilter(
                statuses=spec.statuses,
                priorities=spec.priorities,
                account_ids=keys_for(spec.account_ids, "Account"),
                assignee_ids=keys_for(spec.assignee_ids, "User"),
            ),
        )
        order = order_by or JobOrder(field=JobOrderField.CREATED_AT)
        column, kind = _JOB_ORDER[JobOrderField(order.field)]
        return await paginate_sorted(
            query,
            PageArgs(first, after, last, before),
            Job.from_row,
            column=column,
            value_type=kind,
            descending=order.direction is OrderDirection.DESC,
            value_of=lambda row: _sort_value(getattr(row, column)),
            info=info,
        )


# --- mutations ---------------------------------------------------------------------------


@strawberry.input(description="A request for service from the portal.")
class SubmitServiceRequestInput:
    site_id: strawberry.ID = strawberry.field(description="One of the account's sites.")
    service_type: sr.ServiceType = strawberry.field(description="What kind of service.")
    description: str = strawberry.field(description="What is needed (up to 5,000 characters).")
    urgency: sr.Urgency = strawberry.field(default=sr.Urgency.NORMAL, description="Urgency.")
    preferred_date: date | None = strawberry.field(
        default=None, description="Preferred date, today or later."
    )


@strawberry.type(description="Result of submitServiceRequest.")
class SubmitServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="The new request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="The job to create; every field overrides the draft.")
class JobInput:
    scheduled_start: datetime | None = strawberry.field(default=None, description="Start.")
    scheduled_end: datetime | None = strawberry.field(default=None, description="End.")
    priority: sr.JobPriority | None = strawberry.field(
        default=None, description="Priority; mapped from the urgency when left out."
    )
    sla_due_at: datetime | None = strawberry.field(
        default=None, description="SLA due; approval time + default SLA hours when left out."
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


@strawberry.type(description="Result of approveServiceRequest.")
class ApproveServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="Now APPROVED.")
    job: Job | None = strawberry.field(description="The new job, ready for assignment.")
    user_errors: list[UserError] = strawberry.field(description="Problems, e.g. ALREADY_DECIDED.")


@strawberry.input(description="Decline a pending service request.")
class DeclineServiceRequestInput:
    id: strawberry.ID = strawberry.field(description="The service request.")
    reason: str = strawberry.field(
        description="Sent to the customer verbatim and shown in the portal (up to 2,000)."
    )


@strawberry.type(description="Result of declineServiceRequest.")
class DeclineServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="Now DECLINED.")
    user_errors: list[UserError] = strawberry.field(description="Problems, e.g. ALREADY_DECIDED.")


@strawberry.input(description="Cancel a job; its service request stays APPROVED.")
class CancelJobInput:
    id: strawberry.ID = strawberry.field(description="The job.")
    reason: str = strawberry.field(description="Why it is cancelled.")


@strawberry.type(description="Result of cancelJob.")
class CancelJobPayload:
    job: Job | None = strawberry.field(description="The cancelled job.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="Assign a job to a technician, or unassign it.")
class AssignJobInput:
    id: strawberry.ID = strawberry.field(description="The job.")
    assignee_id: strawberry.ID | None = strawberry.field(
        description="The technician; null unassigns."
    )


@strawberry.type(description="Result of assignJob.")
class AssignJobPayload:
    job: Job | None = strawberry.field(description="The job.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class ServiceRequestMutations:
    @strawberry.mutation(
        description="Ask for service at one of your account's sites (portal contacts). "
        "Refused with SERVICE_REQUESTS_DISABLED while company settings turn them off.",
        permission_classes=[IsPortalContact],
    )
    async def submit_service_request(
        self, info: Info, input: SubmitServiceRequestInput
    ) -> SubmitServiceRequestPayload:
        viewer = info.context.viewer
        data = sr.SubmitData(
            site_id=key_for(input.site_id, "Site"),
            service_type=input.service_type,
            description=input.description,
            urgency=input.urgency,
            preferred_date=input.preferred_date,
        )
        row, errors = await run_in_transaction(lambda: sr.submit(viewer, data))
        return SubmitServiceRequestPayload(
            service_request=ServiceRequest.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Approve into a job (the draft, with any field overridden). Final; "
        "a request already decided answers ALREADY_DECIDED.",
        permission_classes=[CanReview],
    )
    async def approve_service_request(
        self, info: Info, input: ApproveServiceRequestInput
    ) -> ApproveServiceRequestPayload:
        viewer = info.context.viewer
        job_input = input.job or JobInput()
        data = sr.JobInput(
            scheduled_start=job_input.scheduled_start,
            scheduled_end=job_input.scheduled_end,
            priority=job_input.priority,
            sla_due_at=job_input.sla_due_at,
            skills=job_input.skills,
            parts=job_input.parts,
            asset_ids=job_input.asset_ids,
            description=job_input.description,
        )
        job, errors = await run_in_transaction(
            lambda: sr.approve(viewer, key_for(input.id, "ServiceRequest"), data)
        )
        if job is None:
            return ApproveServiceRequestPayload(service_request=None, job=None, user_errors=errors)
        request = await sr.ServiceRequest.get(id=job.service_request_id)
        return ApproveServiceRequestPayload(
            service_request=ServiceRequest.from_row(request), job=Job.from_row(job), user_errors=[]
        )

    @strawberry.mutation(
        description="Decline with a reason the customer reads verbatim. Final.",
        permission_classes=[CanReview],
    )
    async def decline_service_request(
        self, info: Info, input: DeclineServiceRequestInput
    ) -> DeclineServiceRequestPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: sr.decline(viewer, key_for(input.id, "ServiceRequest"), input.reason)
        )
        return DeclineServiceRequestPayload(
            service_request=ServiceRequest.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Cancel a job; its service request is never changed.",
        permission_classes=[CanReview],
    )
    async def cancel_job(self, info: Info, input: CancelJobInput) -> CancelJobPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: sr.cancel_job(viewer, key_for(input.id, "Job"), input.reason)
        )
        return CancelJobPayload(job=Job.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Assign a job to a technician (or unassign it).",
        permission_classes=[CanReview],
    )
    async def assign_job(self, info: Info, input: AssignJobInput) -> AssignJobPayload:
        viewer = info.context.viewer
        assignee = None if input.assignee_id is None else key_for(input.assignee_id, "User")
        row, errors = await run_in_transaction(
            lambda: sr.assign_job(viewer, key_for(input.id, "Job"), assignee)
        )
        return AssignJobPayload(job=Job.from_row(row) if row else None, user_errors=errors)


async def _queue() -> ServiceRequestQueue:
    return ServiceRequestQueue(pending_count=await sr.pending_count())


@strawberry.type
class ServiceRequestSubscriptions:
    @strawberry.subscription(
        description="The review queue after every submission or decision (reviewers).",
        permission_classes=[CanReview],
    )
    async def service_request_queue_changed(
        self, info: Info
    ) -> AsyncGenerator[ServiceRequestQueue, None]:
        # One count, one execution and one encoding per event, process and
        # permission set, not one per subscriber: ServiceRequestQueue holds
        # nothing that depends on who looks.
        async for queue in live.shared_events(
            info, sr.QUEUE_CHANNEL, "queue", "queue", _queue, live.by_permissions
        ):
            yield queue
