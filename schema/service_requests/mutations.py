"""Submitting, approving and declining service requests; cancelling and assigning jobs."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import IsPortalContact
from models import notices_withdrawal
from models import service_requests as sr
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.service_requests.inputs import (
    ApproveServiceRequestInput,
    AssignJobInput,
    CancelJobInput,
    DeclineServiceRequestInput,
    JobInput,
    SubmitServiceRequestInput,
)
from schema.service_requests.permissions import CanReview
from schema.service_requests.types import Job, ServiceRequest


@strawberry.type(description="Result of submitServiceRequest.")
class SubmitServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="The new request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of approveServiceRequest.")
class ApproveServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="Now APPROVED.")
    job: Job | None = strawberry.field(description="The new job, ready for assignment.")
    user_errors: list[UserError] = strawberry.field(description="Problems, e.g. ALREADY_DECIDED.")


@strawberry.type(description="Result of declineServiceRequest.")
class DeclineServiceRequestPayload:
    service_request: ServiceRequest | None = strawberry.field(description="Now DECLINED.")
    user_errors: list[UserError] = strawberry.field(description="Problems, e.g. ALREADY_DECIDED.")


@strawberry.type(description="Result of cancelJob.")
class CancelJobPayload:
    job: Job | None = strawberry.field(description="The cancelled job.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


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
        key = key_for(input.id, "Job")
        row, errors = await run_in_transaction(
            lambda: notices_withdrawal.reassigning(
                sr.Job, key, lambda: sr.assign_job(viewer, key, assignee)
            )
        )
        return AssignJobPayload(job=Job.from_row(row) if row else None, user_errors=errors)
