"""Assigning and cancelling jobs."""

from __future__ import annotations

from models import notifications
from models.assignees import eligible_user
from models.directory.accounts import Site
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission, Role
from models.service_requests.tables import REASON_LENGTH, Job, JobStatus
from models.validation import clean_text
from models.viewer import Viewer, require
from models.webhooks import WebhookEventType, emit, payloads

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
    await emit(WebhookEventType.JOB_CANCELLED, payloads.job(job))
    return job
