"""Approving into a job or declining, exactly once across processes; the customer is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from models import notifications, zones
from models.clock import now
from models.directory.accounts import Contact, Site
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.service_requests.drafts import draft_for
from models.service_requests.queue import queue_changed
from models.service_requests.tables import (
    DESCRIPTION_LENGTH,
    REASON_LENGTH,
    Job,
    JobPriority,
    ServiceRequest,
    ServiceRequestStatus,
    SlaRule,
)
from models.service_requests.visibility import visible_service_requests
from models.validation import clean_text
from models.viewer import Viewer, require
from models.webhooks import WebhookEventType, emit, payloads


@dataclass
class JobInput:
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    priority: JobPriority | None = None
    sla_due_at: datetime | None = None
    skills: list[str] | None = None
    parts: list[str] | None = None
    asset_ids: list[str] | None = None
    description: str | None = None


async def _pending(viewer: Viewer, request_id: int) -> ServiceRequest:
    require(viewer, Permission.REVIEW_SERVICE_REQUESTS)
    request = await visible_service_requests(viewer).get_or_none(id=request_id)
    if request is None:
        raise not_found("id", "service request")
    if request.status is not ServiceRequestStatus.PENDING:
        raise _already_decided(request)
    return request


def _already_decided(request: ServiceRequest) -> DomainError:
    return DomainError(
        ErrorCode.ALREADY_DECIDED,
        f"This service request was already {request.status.value.lower()}.",
        "id",
    )


async def _claim(
    viewer: Viewer, request: ServiceRequest, decided_at: datetime, **changes: object
) -> None:
    """Decide the request, unless another reviewer got there first (any process)."""
    won = await ServiceRequest.filter(id=request.id, status=ServiceRequestStatus.PENDING).update(
        decided_by_id=viewer.user_id, decided_at=decided_at, **changes
    )
    # 0 rows: another decision won. (SQLite's count includes what the tally's triggers
    # wrote, so a win may count more than the one row.)
    if not won:
        fresh = await ServiceRequest.get(id=request.id)
        raise _already_decided(fresh)
    await request.refresh_from_db()


def _clean_list(values: list[str] | None, field: str) -> list[str]:
    cleaned = [clean_text(value, field, 100) for value in values or []]
    return list(dict.fromkeys(cleaned))  # keep order, drop repeats


async def approve(viewer: Viewer, request_id: int, data: JobInput) -> Job:
    """Approve into a job (the draft, with any field overridden), in one transaction."""
    request = await _pending(viewer, request_id)
    decided_at = now()  # the approval time: decidedAt, and the start of an inherited SLA
    draft = await draft_for(request, at=decided_at)
    start, end = data.scheduled_start, data.scheduled_end
    if start is not None and end is not None and end <= start:
        raise DomainError(
            ErrorCode.INVALID, "The booking must end after it starts.", "job.scheduledEnd"
        )
    description = (
        clean_text(data.description, "job.description", DESCRIPTION_LENGTH)
        if data.description is not None
        else draft.description
    )
    skills = _clean_list(data.skills, "job.skills")
    parts = _clean_list(data.parts, "job.parts")
    asset_ids = _clean_list(data.asset_ids, "job.assetIds")
    await _claim(viewer, request, decided_at, status=ServiceRequestStatus.APPROVED)
    try:
        job = await Job.create(
            service_request_id=request.id,
            account_id=request.account_id,
            site_id=request.site_id,
            service_type=request.service_type,
            description=description,
            scheduled_start=start,
            scheduled_end=end,
            priority=data.priority or draft.priority,
            sla_due_at=data.sla_due_at if data.sla_due_at is not None else draft.sla_due_at,
            sla_rule=SlaRule.GIVEN if data.sla_due_at is not None else draft.sla_rule,
            # The customer's preferred date stays beside the booked slot, booked or not.
            requested_date=request.preferred_date,
            skills=skills,
            parts=parts,
            asset_ids=asset_ids,
            created_by_id=viewer.user_id,
        )
    except IntegrityError as error:
        # The unique job-per-request is the last guard: the request has its job already.
        raise DomainError(
            ErrorCode.ALREADY_DECIDED, "This service request was already approved.", "id"
        ) from error
    await _tell_customer(
        request,
        "service_request_approved",
        {"job_number": str(job.id), "visit": await _visit(job)},
    )
    queue_changed()
    await emit(WebhookEventType.SERVICE_REQUEST_APPROVED, payloads.service_request(request, job.id))
    await emit(WebhookEventType.JOB_CREATED, payloads.job(job))
    return job


async def decline(viewer: Viewer, request_id: int, reason: str) -> ServiceRequest:
    """Decline with a reason the customer reads verbatim (e-mail and portal)."""
    request = await _pending(viewer, request_id)
    text = clean_text(reason, "reason", REASON_LENGTH)
    await _claim(viewer, request, now(), status=ServiceRequestStatus.DECLINED, decline_reason=text)
    await _tell_customer(request, "service_request_declined", {"reason": text})
    queue_changed()
    await emit(WebhookEventType.SERVICE_REQUEST_DECLINED, payloads.service_request(request))
    return request


_DECISIONS = {
    "service_request_approved": (
        notifications.NotificationKind.SERVICE_REQUEST_APPROVED,
        "Your service request #{number} is approved",
        "We created job #{job_number} for {site}. {visit}",
    ),
    "service_request_declined": (
        notifications.NotificationKind.SERVICE_REQUEST_DECLINED,
        "Your service request #{number} was declined",
        "{reason}",
    ),
}


async def _visit(job: Job) -> str:
    """The sentence about the visit, its time in the company's zone with the zone."""
    if job.scheduled_start is None:
        if job.requested_date is not None:
            return (
                f"We will confirm the visit with you (you asked for "
                f"{job.requested_date.isoformat()})."
            )
        return "We will confirm the visit with you."
    return f"The visit is booked for {await zones.company_time_text(job.scheduled_start)}."


async def _tell_customer(request: ServiceRequest, template: str, facts: dict[str, str]) -> None:
    """The submitting contact hears of the decision in the portal inbox and by e-mail."""
    contact = await Contact.get_or_none(id=request.contact_id) if request.contact_id else None
    if contact is None:
        return
    site = await Site.get(id=request.site_id)
    kind, title, body = _DECISIONS[template]
    await notifications.notify(
        [notifications.Recipient(contact=contact)],
        notifications.Message(
            kind=kind,
            title=title.format(number=request.id),
            body=body.format(site=site.name, **facts),
            subject_type="ServiceRequest",
            subject_id=request.id,
            mail_template=template,
            mail_context={
                "request_number": str(request.id),
                "service_type": request.service_type.value.lower(),
                "site_name": site.name,
                **facts,
            },
        ),
    )
