"""Service requests from the customer portal, reviewed into jobs or declined.

Approved and declined are final. Deciding is exactly-once across any number of
API processes: the decision is a conditional UPDATE (... WHERE status = PENDING)
that only one caller can win, and a job's request is unique in the database.
"""

from models.service_requests.decisions import JobInput, approve, decline
from models.service_requests.drafts import (
    DRAFT_SQL,
    PRIORITY_OF_URGENCY,
    DraftSource,
    JobDraft,
    draft_for,
    drafts,
    sla_hours,
    sla_of,
)
from models.service_requests.jobs import JOB_ASSIGNEE_ROLES, assign_job, cancel_job
from models.service_requests.lists import (
    JobFilter,
    ServiceRequestFilter,
    filter_jobs,
    filter_service_requests,
)
from models.service_requests.queue import QUEUE_CHANNEL
from models.service_requests.submission import SubmitData, submit
from models.service_requests.tables import (
    DESCRIPTION_LENGTH,
    REASON_LENGTH,
    Job,
    JobPriority,
    JobStatus,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceType,
    SlaRule,
    Urgency,
)
from models.service_requests.tallies import ServiceRequestTally, pending_count, tallied_count
from models.service_requests.visibility import (
    sees_every_service_request,
    visible_jobs,
    visible_service_requests,
)

__all__ = [
    "DESCRIPTION_LENGTH",
    "DRAFT_SQL",
    "JOB_ASSIGNEE_ROLES",
    "PRIORITY_OF_URGENCY",
    "QUEUE_CHANNEL",
    "REASON_LENGTH",
    "DraftSource",
    "Job",
    "JobDraft",
    "JobFilter",
    "JobInput",
    "JobPriority",
    "JobStatus",
    "ServiceRequest",
    "ServiceRequestFilter",
    "ServiceRequestStatus",
    "ServiceRequestTally",
    "ServiceType",
    "SlaRule",
    "SubmitData",
    "Urgency",
    "approve",
    "assign_job",
    "cancel_job",
    "decline",
    "draft_for",
    "drafts",
    "filter_jobs",
    "filter_service_requests",
    "pending_count",
    "sees_every_service_request",
    "sla_hours",
    "sla_of",
    "submit",
    "tallied_count",
    "visible_jobs",
    "visible_service_requests",
]
