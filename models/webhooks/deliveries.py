"""Deliveries as the worker claims and settles them, and as admins list and resend them.

Claiming follows the mail outbox (models.outbox): rows due are leased with
FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of workers share the work
and a worker that dies leaves a lease that runs out, never a lost delivery.
Only deliveries of enabled endpoints are claimed: those of a disabled endpoint
wait, and go out once an admin enables it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import notifications
from models.clock import now
from models.directory.users import User, UserRole
from models.errors import DomainError, ErrorCode, not_found
from models.ids import global_id
from models.permissions import Permission, Role
from models.viewer import Viewer, require
from models.webhooks.emission import envelope
from models.webhooks.tables import (
    ERROR_LENGTH,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Outcome:
    """What one attempt found: the answer's status and how long it took, if any."""

    error: str | None = None
    response_status: int | None = None
    latency_ms: int | None = None
    # No retry can succeed (an address refused): fail at once.
    permanent: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_attempts: int
    disable_after: int


def visible_deliveries(viewer: Viewer) -> QuerySet[WebhookDelivery]:
    if viewer.can(Permission.MANAGE_SETUP):
        return WebhookDelivery.all()
    return WebhookDelivery.filter(id__in=[])


def _claimable(at: datetime) -> Q:
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
    abandoned = Q(status=DeliveryStatus.SENDING, lease_until__lt=at)
    return due | abandoned


async def claim_batch(
    limit: int = 20, due_by: datetime | None = None
) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
    """Up to `limit` deliveries due by `due_by` (default now), each with its endpoint."""
    at = now()
    enabled = {e.id: e for e in await WebhookEndpoint.filter(enabled=True)}
    if not enabled:
        return []
    async with in_transaction():
        query = (
            WebhookDelivery.filter(_claimable(due_by or at), endpoint_id__in=list(enabled))
            .order_by("id")
            .limit(limit)
        )
        if connections.get("default").capabilities.dialect == "postgres":
            query = query.select_for_update(skip_locked=True)
        rows = await query
        if rows:
            await WebhookDelivery.filter(id__in=[r.id for r in rows]).update(
                status=DeliveryStatus.SENDING, lease_until=at + LEASE
            )
    return [(row, enabled[row.endpoint_id]) for row in rows]


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """base, 2x base, 4x base ... at most six hours."""
    delay = base_seconds * 2 ** min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=delay), MAX_BACKOFF)


async def settle(delivery: WebhookDelivery, outcome: Outcome, policy: RetryPolicy) -> None:
    """Record one attempt; count a failure against the endpoint, which is disabled
    (and every admin told) after `policy.disable_after` failures in a row."""
    at = now()
    attempts = delivery.attempts + 1
    common = {
        "attempts": attempts,
        "response_status": outcome.response_status,
        "latency_ms": outcome.latency_ms,
        "lease_until": None,
    }
    if outcome.error is None:
        await WebhookDelivery.filter(id=delivery.id).update(
            status=DeliveryStatus.SUCCEEDED, delivered_at=at, last_error=None, **common
        )
        await WebhookEndpoint.filter(id=delivery.endpoint_id).update(consecutive_failures=0)
        return
    error = outcome.error[:ERROR_LENGTH]
    if outcome.permanent or attempts >= policy.max_attempts:
        await WebhookDelivery.filter(id=delivery.id).update(
            status=DeliveryStatus.FAILED, last_error=error, **common
        )
    else:
        await WebhookDelivery.filter(id=delivery.id).update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=at + backoff(attempts, policy.base_seconds),
            **common,
        )
    await WebhookEndpoint.filter(id=delivery.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint = await WebhookEndpoint.get_or_none(id=delivery.endpoint_id)
    if endpoint is not None and endpoint.consecutive_failures >= policy.disable_after:
        await _disable(endpoint, error)


async def _disable(endpoint: WebhookEndpoint, error: str) -> None:
    reason = f"{endpoint.consecutive_failures} failed attempts in a row; the last: {error}"
    won = await WebhookEndpoint.filter(id=endpoint.id, enabled=True).update(
        enabled=False, disabled_at=now(), disabled_reason=reason[:ERROR_LENGTH]
    )
    if won != 1:
        return  # disabled already (another worker, or an admin)
    holders = await UserRole.filter(role=Role.ADMIN).values_list("user_id", flat=True)
    admins = await User.filter(id__in=list(holders), is_active=True)
    await notifications.notify(
        [notifications.Recipient(user=user) for user in admins],
        notifications.Message(
            kind=notifications.NotificationKind.WEBHOOK_ENDPOINT_DISABLED,
            title=f"Webhook endpoint disabled: {endpoint.url[:120]}",
            body=f"Docket stopped sending to {endpoint.url} after {reason} "
            "Fix the receiver, then enable the endpoint again: waiting deliveries go out.",
            subject_type="WebhookEndpoint",
            subject_id=endpoint.id,
        ),
    )


async def purge_finished(older_than: timedelta) -> int:
    """Forget SUCCEEDED and FAILED deliveries older than `older_than` (in batches);
    safe from several workers at once. Waiting deliveries are never purged."""
    cutoff = now() - older_than
    finished = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    purged = 0
    while True:
        batch = (
            await WebhookDelivery.filter(status__in=finished, created_at__lt=cutoff)
            .limit(500)
            .values_list("id", flat=True)
        )
        if not batch:
            return purged
        purged += await WebhookDelivery.filter(id__in=list(batch), status__in=finished).delete()


async def resend(viewer: Viewer, delivery_id: int) -> WebhookDelivery:
    """The same event (ID and body) to the same endpoint again, as a new delivery."""
    require(viewer, Permission.MANAGE_SETUP)
    delivery = await visible_deliveries(viewer).get_or_none(id=delivery_id)
    if delivery is None:
        raise not_found("id", "webhook delivery")
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        raise DomainError(
            ErrorCode.INVALID, "This delivery is still on its way: wait for it to finish.", "id"
        )
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    if not endpoint.enabled:
        raise DomainError(
            ErrorCode.ENDPOINT_DISABLED, "Enable the endpoint before resending to it.", "id"
        )
    return await WebhookDelivery.create(
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        next_attempt_at=now(),
    )


async def ping(viewer: Viewer, endpoint_id: int) -> WebhookDelivery:
    """A PING event to one endpoint, queued at once: an admin checks the receiver is
    reachable and verifies signatures before real events flow."""
    require(viewer, Permission.MANAGE_SETUP)
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id)
    if endpoint is None:
        raise not_found("id", "webhook endpoint")
    if not endpoint.enabled:
        raise DomainError(
            ErrorCode.ENDPOINT_DISABLED, "Enable the endpoint before pinging it.", "id"
        )
    event_id = str(uuid.uuid4())
    data = {"webhookEndpoint": {"id": global_id("WebhookEndpoint", endpoint.id)}}
    return await WebhookDelivery.create(
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=WebhookEventType.PING,
        body=envelope(event_id, WebhookEventType.PING, data),
        next_attempt_at=now(),
    )
