"""The mail outbox: rows written with the change that causes them, sent later.

A row is PENDING until a worker claims it (SENDING, with a lease), then SENT,
or back to PENDING with a later `next_attempt_at` after a temporary failure, or
FAILED after a permanent one. A worker that dies mid-send leaves a lease that
expires, so the row is claimed again: mail is delayed, never lost.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import Enum

from tortoise import connections, fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.clock import now
from models.errors import DomainError, ErrorCode, not_found
from models.mail_templates import render
from models.permissions import Permission
from models.viewer import Viewer, require

MAX_TEMPORARY_ATTEMPTS = 12
LEASE = timedelta(minutes=5)
MESSAGE_ID_DOMAIN = "docket.local"


class OutboxStatus(str, Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboxEmail(Model):
    """One e-mail to one address, kept until it is sent (and after, for the record)."""

    id = fields.IntField(primary_key=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    text_body = fields.TextField()
    html_body = fields.TextField()
    template = fields.CharField(max_length=64)
    message_id = fields.CharField(max_length=200, unique=True)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_emails"
        indexes = (("status", "next_attempt_at"),)


async def queue_email(*, to: str, template: str, context: dict[str, str]) -> OutboxEmail:
    """Render and queue one e-mail inside the caller's transaction."""
    subject, text, html = render(template, context)
    return await OutboxEmail.create(
        to_address=to,
        subject=subject[:300],
        text_body=text,
        html_body=html,
        template=template,
        message_id=f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>",
        next_attempt_at=now(),
    )


def _claimable(at: datetime) -> Q:
    due = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=at)
    abandoned = Q(status=OutboxStatus.SENDING, lease_until__lt=at)
    return due | abandoned


async def claim_batch(limit: int = 20, due_by: datetime | None = None) -> list[OutboxEmail]:
    """Take up to `limit` rows due by `due_by` (default: now) for this worker.

    On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED while they are
    marked SENDING, so two workers never claim the same row. SQLite has one
    writer at a time, which gives the same guarantee.
    """
    at = now()
    async with in_transaction():
        query = OutboxEmail.filter(_claimable(due_by or at)).order_by("id").limit(limit)
        if connections.get("default").capabilities.dialect == "postgres":
            query = query.select_for_update(skip_locked=True)
        rows = await query
        if rows:
            await OutboxEmail.filter(id__in=[r.id for r in rows]).update(
                status=OutboxStatus.SENDING, lease_until=at + LEASE
            )
    return rows


async def renew_lease(ids: list[int]) -> None:
    """Keep claimed rows ours for another LEASE while we work through them."""
    await OutboxEmail.filter(id__in=ids, status=OutboxStatus.SENDING).update(
        lease_until=now() + LEASE
    )


async def mark_sent(email: OutboxEmail) -> None:
    await OutboxEmail.filter(id=email.id).update(
        status=OutboxStatus.SENT,
        sent_at=now(),
        attempts=email.attempts + 1,
        lease_until=None,
        last_error=None,  # the last attempt is the one that succeeded
    )


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Exponential: base, 2x base, 4x base ... capped at one hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 3600))


async def mark_temporary_failure(email: OutboxEmail, error: str, base_seconds: float) -> None:
    attempts = email.attempts + 1
    if attempts >= MAX_TEMPORARY_ATTEMPTS:
        await _fail(email, attempts, f"gave up after {attempts} attempts: {error}")
        return
    await OutboxEmail.filter(id=email.id).update(
        status=OutboxStatus.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now() + backoff(attempts, base_seconds),
        lease_until=None,
    )


async def mark_permanent_failure(email: OutboxEmail, error: str) -> None:
    await _fail(email, email.attempts + 1, error)


async def _fail(email: OutboxEmail, attempts: int, error: str) -> None:
    await OutboxEmail.filter(id=email.id).update(
        status=OutboxStatus.FAILED, attempts=attempts, last_error=error[:2000], lease_until=None
    )


async def pending_count() -> int:
    """Mail not delivered yet (for the operators' metrics)."""
    return await OutboxEmail.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()


def visible_outbox(viewer: Viewer) -> QuerySet[OutboxEmail]:
    require(viewer, Permission.MANAGE_SETUP)
    return OutboxEmail.all()


async def retry(viewer: Viewer, email_id: int) -> OutboxEmail:
    """Send a FAILED e-mail again, as if new (admins)."""
    email = await visible_outbox(viewer).select_for_update().get_or_none(id=email_id)
    if email is None:
        raise not_found("id", "outbox e-mail")
    if email.status is not OutboxStatus.FAILED:
        raise DomainError(ErrorCode.INVALID, "Only a FAILED e-mail can be retried.", "id")
    email.status = OutboxStatus.PENDING
    email.attempts = 0
    email.next_attempt_at = now()
    await email.save()
    return email
