"""Queue an event for every endpoint that wants it, inside the caller's transaction.

The delivery rows commit or roll back with the change that caused them (the
outbox pattern), so a receiver never hears of a change that did not happen and
never misses one that did.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from models.clock import now
from models.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEventType

PAYLOAD_VERSION = 1


def envelope(event_id: str, event_type: WebhookEventType, data: dict[str, Any]) -> str:
    """The JSON body every delivery of one event carries, byte for byte."""
    return orjson.dumps(
        {
            "id": event_id,
            "type": event_type.wire_name,
            "version": PAYLOAD_VERSION,
            "createdAt": now().isoformat(),
            "data": data,
        }
    ).decode()


async def emit(event_type: WebhookEventType, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per enabled endpoint subscribed to `event_type` (none: no rows)."""
    endpoints = [e for e in await WebhookEndpoint.filter(enabled=True) if e.wants(event_type)]
    if not endpoints:
        return []
    event_id = str(uuid.uuid4())
    body = envelope(event_id, event_type, data)
    due = now()
    return [
        await WebhookDelivery.create(
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=event_type,
            body=body,
            next_attempt_at=due,
        )
        for endpoint in endpoints
    ]
