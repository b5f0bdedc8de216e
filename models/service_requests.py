"""Service requests from the customer portal, reviewed into jobs or declined.

Approved and declined are final. Deciding is exactly-once across any number of
API processes: the decision is a conditional UPDATE (... WHERE status = PENDING)
that only one caller can win, and a job's request is unique in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Protocol, TypeVar

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from models import accounts, company, notifications
from models.accounts import Account, Contact, Site
from models.base import TimestampedModel
from models.clock import now
from models.errors import DomainError, ErrorCode, not_found
from models.events import publish_after_commit
from models.permissions import Permission, Role
from models.users import User, UserRole, eligible_user
from models.validation import clean_text
from models.viewer import Viewer, require

DESCRIPTION_LENGTH = 5_000
REASON_LENGTH = 2_000
QUEUE_CHANNEL = "service-requests:queue"


class ServiceType(str, Enum):
    REPAIR = "REPAIR"
    MAINTENANCE = "MAINTENANCE"
    INSTALLATION = "INSTALLATION"
    INSPECTION = "INSPECTION"
    EMERGENCY = "EMERGENCY"
    OTHER = "OTHER"


class Urgency(str, Enum):
    NORMAL = "NORMAL"
    URGENT = "URGENT"


class ServiceRequestStatus(str, Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


class JobPriority(str, Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    EMERGENCY = "EMERGENCY"


class JobStatus(str, Enum):
    READY_FOR_ASSIGNMENT = "READY_FOR_ASSIGNMENT"
    ASSIGNED = "ASSIGNED"
    CANCELLED = "CANCELLED"


PRIORITY_OF_URGENCY = {Urgency.NORMAL: JobPriority.MEDIUM, Urgency.URGENT: JobPriority.HIGH}


class ServiceRequest(TimestampedModel):
    """A customer's request for service at one of its sites."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="service_requests", on_delete=fields.RESTRICT
    )
    account_id: int
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="service_requests", on_delete=fields.RESTRICT
    )
    site_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="service_requests", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    service_type = fields.CharEnumField(ServiceType, max_length=32)
    description = fields.TextField()
    urgency = fields.CharEnumField(Urgency, max_length=16, default=Urgency.NORMAL)
    preferred_date = fields.DateField(null=True)
    submitted_at = fields.DatetimeField(auto_now_add=True)
    status = fields.CharEnumField(
        ServiceRequestStatus, max_length=16, default=ServiceRequestStatus.PENDING
    )
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="decided_service_requests", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    decline_reason = fields.TextField(null=True)

    class Meta:
        table = "service_requests"
        indexes = (("status", "submitted_at"), ("account_id", "submitted_at"))


class Job(TimestampedModel):
    """Work to do on site, created only by approving a service request."""

    service_request: fields.OneToOneRelation[ServiceRequest] = fields.OneToOneField(
        "models.ServiceRequest", related_name="job", on_delete=fields.RESTRICT
    )
    service_request_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="jobs", on_delete=fields.RESTRICT
    )
    account_id: int
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="jobs", on_delete=fields.RESTRICT
    )
    site_id: int
    service_type = fields.CharEnumField(ServiceType, max_length=32)
    description = fields.TextField()
    scheduled_start = fields.DatetimeField(null=True)
    scheduled_end = fields.DatetimeField(null=True)
    priority = fields.CharEnumField(JobPriority, max_length=16)
    sla_due_at = fields.DatetimeField(null=True)
    skills: list[str] = fields.JSONField(default=list)
    parts: list[str] = fields.JSONField(default=list)
    asset_ids: list[str] = fields.JSONField(default=list)
    status = fields.CharEnumField(JobStatus, max_length=32, default=JobStatus.READY_FOR_ASSIGNMENT)
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="jobs", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    cancel_reason = fields.TextField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_jobs", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None

    class Meta:
        table = "jobs"
        indexes = (("status", "created_at"), ("assignee_id", "status"))


# --- visibility ---------------------------------------------------------------------


def visible_service_requests(viewer: Viewer) -> QuerySet[ServiceRequest]:
    """Reviewers see all; a portal contact its own account's; nobody else any."""
    if viewer.can(Permission.REVIEW_SERVICE_REQUESTS):
        return ServiceRequest.all()
    if viewer.contact is not None:
        return ServiceRequest.filter(account_id=viewer.contact.account_id)
    return ServiceRequest.filter(id__in=[])


def visible_jobs(viewer: Viewer) -> QuerySet[Job]:
    """Reviewers see every job; technicians the jobs assigned to them."""
    if viewer.can(Permission.REVIEW_SERVICE_REQUESTS):
        return Job.all()
    if viewer.can(Permission.VIEW_ASSIGNED_JOBS):
        return Job.filter(assignee_id=viewer.user_id or 0)
    return Job.filter(id__in=[])


async def pending_count() -> int:
    return await ServiceRequest.filter(status=ServiceRequestStatus.PENDING).count()


def _queue_changed() -> None:
    publish_after_commit(QUEUE_CHANNEL, type="queue")


# --- submit ---------------------------------------------------------------------------


@dataclass
class SubmitData:
    site_id: int
    service_type: ServiceType
    description: str
    urgency: Urgency = Urgency.NORMAL
    preferred_date: date | None = None


async def submit(viewer: Viewer, data: SubmitData, *, today: date | None = None) -> ServiceRequest:
    """A portal contact asks for service at one of its account's sites."""
    contact = viewer.contact
    if contact is None:
        raise DomainError(ErrorCode.FORBIDDEN, "Service requests come from the portal.")
    settings = await company.get_settings()
    if not settings.service_requests_enabled:
        raise DomainError(
            ErrorCode.SERVICE_REQUESTS_DISABLED,
            "Service requests are turned off at the moment. Please call us instead.",
        )
    account = await Account.get(id=contact.account_id)
    accounts.ensure_active(account, "siteId")
    site = await Site.get_or_none(id=data.site_id, account_id=account.id)
    if site is None:
        raise not_found("siteId", "site")
    description = clean_text(data.description, "description", DESCRIPTION_LENGTH)
    if data.preferred_date is not None and data.preferred_date < (today or now().date()):
        raise DomainError(
            ErrorCode.INVALID, "The preferred date cannot be in the past.", "preferredDate"
        )
    request = await ServiceRequest.create(
        account_id=account.id,
        site_id=site.id,
        contact_id=contact.id,
        service_type=data.service_type,
        description=description,
        urgency=data.urgency,
        preferred_date=data.preferred_date,
    )
    reviewers = await _reviewers()
    await notifications.notify(
        [notifications.Recipient(user=user) for user in reviewers],
        notifications.Message(
            kind=notifications.NotificationKind.SERVICE_REQUEST_SUBMITTED,
            title=f"New {data.urgency.value.lower()} service request from {account.name}",
            body=f"{contact.name} asks for {data.service_type.value.lower()} at {site.name}: "
            f"{description[:200]}",
            subject_type="ServiceRequest",
            subject_id=request.id,
        ),
    )
    _queue_changed()
    return request


async def _reviewers() -> list[User]:
    holders = UserRole.filter(role__in=[Role.ADMIN, Role.DISPATCHER]).values_list(
        "user_id", flat=True
    )
    return list(await User.filter(id__in=list(await holders), is_active=True))


# --- the job draft and the SLA --------------------------------------------------------------


def sla_hours(account_sla_hours: int | None, company_sla_hours: int | None) -> int | None:
    """The account's default SLA hours, else the company's, else none."""
    return account_sla_hours if account_sla_hours is not None else company_sla_hours


@dataclass(slots=True)
class JobDraft:
    account_id: int
    site_id: int
    service_type: ServiceType
    description: str
    booking_date: date | None
    priority: JobPriority
    sla_due_at: datetime | None


D = TypeVar("D")


class DraftSource(Protocol):
    """What a draft reads of its request (a row, or its GraphQL object)."""

    account_id: int
    site_id: int
    service_type: ServiceType
    description: str
    preferred_date: date | None
    urgency: Urgency


def drafts(
    requests: Sequence[DraftSource],
    account_sla_hours: Mapping[int, int | None],
    company_sla_hours: int | None,
    at: datetime,
    make: Callable[..., D],
) -> list[D | None]:
    """What the Create Job form shows pre-filled for each request, with the SLA of
    approving `at`; None for a request whose account is not in `account_sla_hours`
    (not visible). The due time of each distinct number of hours is worked out once.

    `make` builds each draft from JobDraft's fields in order: `JobDraft` itself, or the
    API's own type's maker, so a list's drafts are not built twice.
    """
    due: dict[int | None, datetime | None] = {}
    found: list[D | None] = []
    for request in requests:
        if request.account_id not in account_sla_hours:
            found.append(None)
            continue
        hours = sla_hours(account_sla_hours[request.account_id], company_sla_hours)
        if hours not in due:
            due[hours] = at + timedelta(hours=hours) if hours is not None else None
        found.append(
            make(
                request.account_id,
                request.site_id,
                request.service_type,
                request.description,
                request.preferred_date,
                PRIORITY_OF_URGENCY[request.urgency],
                due[hours],
            )
        )
    return found


async def draft_for(request: ServiceRequest, *, at: datetime | None = None) -> JobDraft:
    settings = await company.get_settings()
    account = await Account.get(id=request.account_id)
    hours = {account.id: account.default_sla_hours}
    [draft] = drafts([request], hours, settings.default_sla_hours, at or now(), JobDraft)
    assert draft is not None  # its own account is in `hours`
    return draft


# --- decide -----------------------------------------------------------------------------


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
    if won != 1:
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
    await _tell_customer(request, "service_request_approved", {"job_number": str(job.id)})
    _queue_changed()
    return job


async def decline(viewer: Viewer, request_id: int, reason: str) -> ServiceRequest:
    """Decline with a reason the customer reads verbatim (e-mail and portal)."""
    request = await _pending(viewer, request_id)
    text = clean_text(reason, "reason", REASON_LENGTH)
    await _claim(viewer, request, now(), status=ServiceRequestStatus.DECLINED, decline_reason=text)
    await _tell_customer(request, "service_request_declined", {"reason": text})
    _queue_changed()
    return request


_DECISIONS = {
    "service_request_approved": (
        notifications.NotificationKind.SERVICE_REQUEST_APPROVED,
        "Your service request #{number} is approved",
        "We created job #{job_number} for {site}; we will confirm the visit with you.",
    ),
    "service_request_declined": (
        notifications.NotificationKind.SERVICE_REQUEST_DECLINED,
        "Your service request #{number} was declined",
        "{reason}",
    ),
}


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


# --- jobs ---------------------------------------------------------------------------------


# Whoever gets a job must be able to see it afterwards (`visible_jobs`): technicians
# see their assigned jobs, reviewers every job. Account managers work account
# requests but never see jobs, so they are not eligible here.
JOB_ASSIGNEE_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN)


async def assign_job(viewer: Viewer, job_id: int, assignee_id: int | None) -> Job:
    require(viewer, Permission.REVIEW_SERVICE_REQUESTS)
    job = await Job.select_for_update().get_or_none(id=job_id)
    if job is None:
        raise not_found("id", "job")
    if job.status is JobStatus.CANCELLED:
        raise DomainError(ErrorCode.INVALID, "A cancelled job cannot be assigned.", "id")
    assignee = None
    if assignee_id is not None:
        assignee = await eligible_user(assignee_id, "assigneeId", JOB_ASSIGNEE_ROLES, "jobs")
    changed = job.assignee_id != assignee_id
    job.assignee_id = assignee_id
    job.status = JobStatus.ASSIGNED if assignee_id is not None else JobStatus.READY_FOR_ASSIGNMENT
    await job.save()
    if changed and assignee is not None and assignee.id != viewer.user_id:
        site = await Site.get(id=job.site_id)
        await notifications.notify(
            [notifications.Recipient(user=assignee)],
            notifications.Message(
                kind=notifications.NotificationKind.JOB_ASSIGNED,
                title=f"Job #{job.id} at {site.name} is yours",
                body=f"{job.priority.value.title()} priority {job.service_type.value.lower()}: "
                f"{job.description[:200]}",
                subject_type="Job",
                subject_id=job.id,
            ),
        )
    return job


async def cancel_job(viewer: Viewer, job_id: int, reason: str) -> Job:
    """Cancel a job; its service request stays APPROVED (the decision was made)."""
    require(viewer, Permission.REVIEW_SERVICE_REQUESTS)
    job = await Job.select_for_update().get_or_none(id=job_id)
    if job is None:
        raise not_found("id", "job")
    if job.status is JobStatus.CANCELLED:
        raise DomainError(ErrorCode.INVALID, "The job is already cancelled.", "id")
    job.cancel_reason = clean_text(reason, "reason", REASON_LENGTH)
    job.status = JobStatus.CANCELLED
    await job.save()
    return job


# --- lists ----------------------------------------------------------------------------------


@dataclass
class ServiceRequestFilter:
    statuses: list[ServiceRequestStatus] | None = None
    urgencies: list[Urgency] | None = None
    service_types: list[ServiceType] | None = None
    account_ids: list[int] | None = None
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None


def filter_service_requests(
    query: QuerySet[ServiceRequest], spec: ServiceRequestFilter
) -> QuerySet[ServiceRequest]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.urgencies is not None:
        query = query.filter(urgency__in=spec.urgencies)
    if spec.service_types is not None:
        query = query.filter(service_type__in=spec.service_types)
    if spec.account_ids is not None:
        query = query.filter(account_id__in=spec.account_ids)
    if spec.submitted_after is not None:
        query = query.filter(submitted_at__gte=spec.submitted_after)
    if spec.submitted_before is not None:
        query = query.filter(submitted_at__lt=spec.submitted_before)
    return query


@dataclass
class JobFilter:
    statuses: list[JobStatus] | None = None
    priorities: list[JobPriority] | None = None
    account_ids: list[int] | None = None
    assignee_ids: list[int] | None = None


def filter_jobs(query: QuerySet[Job], spec: JobFilter) -> QuerySet[Job]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.priorities is not None:
        query = query.filter(priority__in=spec.priorities)
    if spec.account_ids is not None:
        query = query.filter(account_id__in=spec.account_ids)
    if spec.assignee_ids is not None:
        query = query.filter(assignee_id__in=spec.assignee_ids)
    return query
