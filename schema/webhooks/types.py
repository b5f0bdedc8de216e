"""The webhook types admins see: endpoints, deliveries, and the lists of both."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import CanManageSetup
from fastpath import derived
from models.webhooks import deliveries, endpoints, tables
from schema.nodes import register_node, rows_of_loader
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import decode_as, encode_id
from schema.relay.keyset_paging import paginate_by_key, paginate_sorted

strawberry.enum(
    tables.WebhookEventType,
    description="What happened, as a webhook endpoint subscribes to it. The payload's "
    '`type` is the lower-case form with a dot ("account_request.created").',
)
strawberry.enum(
    tables.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="Where a delivery is: PENDING (due or waiting for a retry), SENDING, "
    "SUCCEEDED (a 2xx answer) or FAILED (attempts spent, or its address refused).",
)


@strawberry.type(description="A URL that receives signed event deliveries (admins).")
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    description: str = strawberry.field(description="What the endpoint is for.")
    event_types: list[tables.WebhookEventType] = strawberry.field(
        description="The events it receives."
    )
    enabled: bool = strawberry.field(
        description="Deliveries are sent; false once an admin or repeated failures disable it."
    )
    disabled_at: datetime | None = strawberry.field(description="When it was disabled.")
    disabled_reason: str | None = strawberry.field(description="Why it was disabled.")
    consecutive_failures: int = strawberry.field(
        description="Failed attempts since its last success (it is disabled at a limit)."
    )
    secret_rotated_at: datetime | None = strawberry.field(
        description="When its signing secret was last rotated."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then the previous secret signs too (a rotation's overlap)."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_row(cls, row: tables.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(encode_id("WebhookEndpoint", row.id)),
            url=row.url,
            description=row.description,
            event_types=[tables.WebhookEventType(value) for value in row.event_types],
            enabled=row.enabled,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            consecutive_failures=row.consecutive_failures,
            secret_rotated_at=row.secret_rotated_at,
            previous_secret_expires_at=row.previous_secret_expires_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One event sent (or to be sent) to one endpoint (admins).")
class WebhookDelivery(Node):
    event_id: str = strawberry.field(
        description="The event's ID (`Docket-Webhook-Id`): the same on retries and resends."
    )
    event_type: tables.WebhookEventType = strawberry.field(description="What happened.")
    payload: str = strawberry.field(description="The JSON body, exactly as sent.")
    status: tables.DeliveryStatus = strawberry.field(description="Where the delivery is.")
    attempts: int = strawberry.field(description="Attempts so far.")
    response_status: int | None = strawberry.field(
        description="The HTTP status of the last answer (null: none, e.g. a timeout)."
    )
    latency_ms: int | None = strawberry.field(
        description="How long the last answer took, in milliseconds."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed (shortened to 500 characters)."
    )
    created_at: datetime = strawberry.field(description="When the event was queued.")
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answer came.")
    endpoint_id: strawberry.Private[int]
    scheduled_at: strawberry.Private[datetime | None]  # kept after the last attempt too

    def _next_attempt_at(self) -> datetime | None:
        return tables.next_attempt(self.status, self.scheduled_at)

    next_attempt_at: datetime | None = derived(
        _next_attempt_at,
        sql=tables.NEXT_ATTEMPT_SQL,
        written_as=tables.WebhookDelivery._meta.fields_map["next_attempt_at"],
        columns=("status", "next_attempt_at"),
        description="When the next attempt is due (null once it succeeded or failed).",
    )

    @classmethod
    def from_row(cls, row: tables.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(encode_id("WebhookDelivery", row.id)),
            event_id=row.event_id,
            event_type=row.event_type,
            payload=row.body,
            status=row.status,
            attempts=row.attempts,
            response_status=row.response_status,
            latency_ms=row.latency_ms,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            scheduled_at=row.next_attempt_at,
            endpoint_id=row.endpoint_id,
        )

    @strawberry.field(description="The endpoint it goes to.")
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        row = await info.context.loaders.webhook_endpoints_by_id.load(self.endpoint_id)
        return WebhookEndpoint.from_row(row) if row is not None else None


async def _load_endpoints(info: Info, ids: list[int]) -> list[tables.WebhookEndpoint | None]:
    return await info.context.loaders.webhook_endpoints_by_id.load_many(ids)


async def _load_deliveries(info: Info, ids: list[int]) -> list[tables.WebhookDelivery | None]:
    rows = await deliveries.visible_deliveries(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node(
    "WebhookEndpoint",
    _load_endpoints,
    WebhookEndpoint.from_row,
    rows=rows_of_loader("webhook_endpoints_by_id"),
)
register_node(
    "WebhookDelivery",
    _load_deliveries,
    WebhookDelivery.from_row,
    rows=lambda info: deliveries.visible_deliveries(info.context.viewer),
)


@strawberry.input(description="Which deliveries to list; every field narrows the list.")
class WebhookDeliveryFilter:
    endpoint_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deliveries to this endpoint."
    )
    status: tables.DeliveryStatus | None = strawberry.field(
        default=None, description="Only deliveries in this status."
    )
    event_type: tables.WebhookEventType | None = strawberry.field(
        default=None, description="Only deliveries of this event type."
    )


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="The webhook endpoints, oldest first (admins).",
        permission_classes=[CanManageSetup],
    )
    async def webhook_endpoints(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookEndpoint]:
        query = endpoints.visible_endpoints(info.context.viewer)
        return await paginate_by_key(
            query, PageArgs(first, after, last, before), WebhookEndpoint.from_row
        )

    @strawberry.field(
        description="Webhook deliveries, newest first (admins).",
        permission_classes=[CanManageSetup],
    )
    async def webhook_deliveries(
        self,
        info: Info,
        filter: Annotated[
            WebhookDeliveryFilter | None, strawberry.argument(description="What to list.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDelivery]:
        query = deliveries.visible_deliveries(info.context.viewer)
        if filter is not None:
            if filter.endpoint_id is not None:
                endpoint_id = decode_as(filter.endpoint_id, "WebhookEndpoint")
                query = query.filter(endpoint_id=endpoint_id or 0)
            if filter.status is not None:
                query = query.filter(status=filter.status)
            if filter.event_type is not None:
                query = query.filter(event_type=filter.event_type)
        return await paginate_sorted(
            query,
            PageArgs(first, after, last, before),
            WebhookDelivery.from_row,
            column="id",
            descending=True,
            value_of=lambda row: row.pk,
            value_type=int,
        )
