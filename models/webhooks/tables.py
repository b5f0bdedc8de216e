"""Webhook endpoints and their deliveries: the outbox of HTTP calls to other systems."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from tortoise import fields
from tortoise.models import Model

from models.directory.users import User

URL_LENGTH = 2_000
DESCRIPTION_LENGTH = 500
ERROR_LENGTH = 500


class WebhookEventType(str, Enum):
    """What happened; each endpoint subscribes to some of these."""

    ACCOUNT_REQUEST_CREATED = "ACCOUNT_REQUEST_CREATED"
    ACCOUNT_REQUEST_UPDATED = "ACCOUNT_REQUEST_UPDATED"
    ACCOUNT_REQUEST_ASSIGNED = "ACCOUNT_REQUEST_ASSIGNED"
    SERVICE_REQUEST_SUBMITTED = "SERVICE_REQUEST_SUBMITTED"
    SERVICE_REQUEST_APPROVED = "SERVICE_REQUEST_APPROVED"
    SERVICE_REQUEST_DECLINED = "SERVICE_REQUEST_DECLINED"
    JOB_CREATED = "JOB_CREATED"
    JOB_CANCELLED = "JOB_CANCELLED"
    CREDIT_REQUEST_DECIDED = "CREDIT_REQUEST_DECIDED"
    CREDIT_LIMIT_CROSSED = "CREDIT_LIMIT_CROSSED"
    PHOTO_ADDED = "PHOTO_ADDED"
    # A test event an admin sends on request (pingWebhookEndpoint), never subscribed to.
    PING = "PING"

    @property
    def wire_name(self) -> str:
        """The `type` of the payload: ACCOUNT_REQUEST_CREATED is "account_request.created",
        PING is "webhook.ping"."""
        subject, _, verb = self.value.lower().rpartition("_")
        return f"{subject or 'webhook'}.{verb}"

    @property
    def subscribable(self) -> bool:
        return self is not WebhookEventType.PING


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


def next_attempt(status: DeliveryStatus, scheduled: datetime | None) -> datetime | None:
    """When a delivery's next attempt is due: only while it waits (pending or sending)."""
    return scheduled if status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING) else None


# `next_attempt` over a delivery row (`{row}`), for the database to write it (the JSON lane).
NEXT_ATTEMPT_SQL = (
    "CASE WHEN {row}.\"status\" IN ('PENDING', 'SENDING') THEN {row}.\"next_attempt_at\" END"
)


class WebhookEndpoint(Model):
    """A URL an admin registered, the event types it wants, and its signing secrets.

    The secret must be readable to sign with, so it is stored as is (like the
    SMTP password in SMTP_URL); it is shown once, when created or rotated. During a
    rotation's overlap the previous secret signs too, until `previous_secret_expires_at`.
    """

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=URL_LENGTH)
    description = fields.CharField(max_length=DESCRIPTION_LENGTH, default="")
    event_types: list[str] = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    secret = fields.CharField(max_length=100)
    previous_secret = fields.CharField(max_length=100, null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    secret_rotated_at = fields.DatetimeField(null=True)
    # Failed attempts since the last success, over all its deliveries.
    consecutive_failures = fields.IntField(default=0)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=ERROR_LENGTH, null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    deliveries: fields.ReverseRelation[WebhookDelivery]

    class Meta:
        table = "webhook_endpoints"

    def wants(self, event_type: WebhookEventType) -> bool:
        return self.enabled and event_type.value in self.event_types


class WebhookDelivery(Model):
    """One event for one endpoint: written with the change, sent by the worker.

    PENDING until a worker claims it (SENDING, with a lease), then SUCCEEDED on a
    2xx answer, or PENDING again with a later `next_attempt_at`, or FAILED once
    the attempts are spent. The body is kept as sent: every attempt and every
    resend carries the same bytes (and the same event ID).
    """

    id = fields.IntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    event_id = fields.CharField(max_length=36)
    event_type = fields.CharEnumField(WebhookEventType, max_length=40)
    body = fields.TextField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    response_status = fields.IntField(null=True)
    latency_ms = fields.IntField(null=True)
    last_error = fields.CharField(max_length=ERROR_LENGTH, null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_deliveries"
        indexes = (("status", "next_attempt_at"), ("endpoint_id", "id"))
