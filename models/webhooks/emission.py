"""Queue an event for every endpoint that wants it, inside the caller's transaction.

The delivery rows commit or roll back with the change that caused them (the
outbox pattern), so a receiver never hears of a change that did not happen and
never misses one that did.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from fastpath.statements import Statement
from models.clock import now
from models.webhooks.tables import DeliveryStatus, WebhookEndpoint, WebhookEventType

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


def _emit_sql(dialect: str) -> str:
    wants = {
        "postgres": 'e."event_types" ? {}',
        "sqlite": 'EXISTS (SELECT 1 FROM json_each(e."event_types") WHERE value = {})',
    }[dialect]
    return (
        'INSERT INTO "webhook_deliveries" ("endpoint_id","event_id","event_type","body",'
        '"status","attempts","next_attempt_at","created_at")'
        ' SELECT e."id",{},{},{},{},0,{},{} FROM "webhook_endpoints" e'
        f' WHERE e."enabled" = {{}} AND {wants} ORDER BY e."id" RETURNING "id"'
    )


# Every change that may interest a receiver runs this: one statement, written once per
# dialect (fastpath.statements), whether or not any endpoint wants the event.
_EMIT = Statement(WebhookEndpoint, _emit_sql)


async def emit(event_type: WebhookEventType, data: dict[str, Any]) -> int:
    """One delivery per enabled endpoint subscribed to `event_type`, in one statement;
    returns how many were queued."""
    event_id = str(uuid.uuid4())
    body = envelope(event_id, event_type, data)
    due = now()
    queued = await _EMIT.records(
        event_id,
        event_type.value,
        body,
        DeliveryStatus.PENDING.value,
        due,
        due,
        True,
        event_type.value,
    )
    return len(queued)
