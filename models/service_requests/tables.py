"""The tables of service requests and the jobs approved from them, with their enums."""

from __future__ import annotations

from enum import Enum

from tortoise import fields

from models.base import TimestampedModel
from models.directory.accounts import Account, Contact, Site
from models.directory.users import User

DESCRIPTION_LENGTH = 5_000

REASON_LENGTH = 2_000


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


class SlaRule(str, Enum):
    """Which rule set a job's SLA due time."""

    GIVEN = "GIVEN"  # the dispatcher gave it when approving
    ACCOUNT_DEFAULT = "ACCOUNT_DEFAULT"  # the account's default SLA hours
    COMPANY_DEFAULT = "COMPANY_DEFAULT"  # the company-wide default an admin turned on
    NONE = "NONE"  # no rule applied: the job has no SLA deadline


class JobStatus(str, Enum):
    READY_FOR_ASSIGNMENT = "READY_FOR_ASSIGNMENT"
    ASSIGNED = "ASSIGNED"
    CANCELLED = "CANCELLED"


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
        # (submitted_at, id): the lists' default order, whatever statuses they show (the
        # review screen shows all three: a sort of every request without it).
        indexes = (
            ("status", "submitted_at"),
            ("account_id", "submitted_at"),
            ("submitted_at", "id"),
        )


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
    # Null on jobs older than the column.
    sla_rule = fields.CharEnumField(SlaRule, max_length=32, null=True)
    # The customer's preferred date from the service request (a date without time).
    requested_date = fields.DateField(null=True)
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
