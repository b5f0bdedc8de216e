"""Registering, changing, removing endpoints and rotating their secrets (admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.queryset import QuerySet

from models.clock import now
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.validation import check_list, optional_text
from models.viewer import Viewer, require
from models.webhooks import signing
from models.webhooks.addresses import AddressPolicy, clean_url
from models.webhooks.tables import DESCRIPTION_LENGTH, WebhookEndpoint, WebhookEventType

DEFAULT_OVERLAP_HOURS = 24
MAX_OVERLAP_HOURS = 7 * 24


@dataclass
class EndpointData:
    """What a create or an update sets; None leaves a field as it is (update)."""

    url: str | None = None
    description: str | None = None
    event_types: list[WebhookEventType] | None = None
    enabled: bool | None = None


def sees_every_endpoint(viewer: Viewer) -> bool:
    """Is the viewer's visible set the whole table (`visible_endpoints`)?"""
    return viewer.can(Permission.MANAGE_SETUP)


def visible_endpoints(viewer: Viewer) -> QuerySet[WebhookEndpoint]:
    """Every endpoint for admins; nothing for anyone else (lists and `node` alike)."""
    if sees_every_endpoint(viewer):
        return WebhookEndpoint.all()
    return WebhookEndpoint.filter(id__in=[])


def _event_types(values: list[WebhookEventType]) -> list[str]:
    check_list(list(values), "eventTypes")
    if not values:
        raise DomainError(ErrorCode.REQUIRED, "Choose at least one event type.", "eventTypes")
    if not all(kind.subscribable for kind in values):
        raise DomainError(
            ErrorCode.INVALID,
            "PING is sent on request (pingWebhookEndpoint), not subscribed to.",
            "eventTypes",
        )
    chosen = set(values)
    return [kind.value for kind in WebhookEventType if kind in chosen]


async def create_endpoint(
    viewer: Viewer, data: EndpointData, policy: AddressPolicy
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (the only time the secret is returned, with rotation)."""
    require(viewer, Permission.MANAGE_SETUP)
    url = clean_url(data.url or "", policy)
    event_types = _event_types(data.event_types or [])
    secret = signing.new_secret()
    endpoint = await WebhookEndpoint.create(
        url=url,
        description=optional_text(data.description, "description", DESCRIPTION_LENGTH) or "",
        event_types=event_types,
        enabled=True if data.enabled is None else data.enabled,
        secret=secret,
        created_by_id=viewer.user_id,
    )
    return endpoint, secret


async def _locked(viewer: Viewer, endpoint_id: int) -> WebhookEndpoint:
    require(viewer, Permission.MANAGE_SETUP)
    endpoint = await visible_endpoints(viewer).select_for_update().get_or_none(id=endpoint_id)
    if endpoint is None:
        raise not_found("id", "webhook endpoint")
    return endpoint


async def update_endpoint(
    viewer: Viewer, endpoint_id: int, data: EndpointData, policy: AddressPolicy
) -> WebhookEndpoint:
    """Change what is given. Enabling an endpoint (again) clears its failure count and
    the reason it was disabled, and its waiting deliveries go out."""
    endpoint = await _locked(viewer, endpoint_id)
    if data.url is not None:
        endpoint.url = clean_url(data.url, policy)
    if data.description is not None:
        endpoint.description = (
            optional_text(data.description, "description", DESCRIPTION_LENGTH) or ""
        )
    if data.event_types is not None:
        endpoint.event_types = _event_types(data.event_types)
    if data.enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
    elif data.enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = now()
        endpoint.disabled_reason = "Disabled by an admin."
    await endpoint.save()
    return endpoint


async def delete_endpoint(viewer: Viewer, endpoint_id: int) -> int:
    """Remove an endpoint with its deliveries (nothing more is sent to it)."""
    endpoint = await _locked(viewer, endpoint_id)
    await endpoint.delete()
    return endpoint_id


async def rotate_secret(
    viewer: Viewer, endpoint_id: int, overlap_hours: int
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing too for `overlap_hours` (0: stops now)."""
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise DomainError(
            ErrorCode.INVALID,
            f"overlapHours must be between 0 and {MAX_OVERLAP_HOURS}.",
            "overlapHours",
        )
    endpoint = await _locked(viewer, endpoint_id)
    secret = signing.new_secret()
    at = now()
    endpoint.previous_secret = endpoint.secret if overlap_hours else None
    endpoint.previous_secret_expires_at = (
        at + timedelta(hours=overlap_hours) if overlap_hours else None
    )
    endpoint.secret = secret
    endpoint.secret_rotated_at = at
    await endpoint.save()
    return endpoint, secret
