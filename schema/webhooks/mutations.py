"""Admins register, change, remove endpoints, rotate their secrets and resend deliveries."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import CanManageSetup
from models.errors import DomainError
from models.webhooks import addresses, deliveries, endpoints, tables
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint


def _policy(info: Info) -> addresses.AddressPolicy:
    settings = info.context.settings
    return addresses.AddressPolicy.of(
        settings.webhook_allowed_networks, https_only=settings.is_production
    )


async def _reachable(url: str | None, policy: addresses.AddressPolicy) -> list[UserError]:
    """The URL's host resolved now, before the transaction (a slow DNS answer must
    not hold one open): a name that resolves to a forbidden address is refused."""
    if url is None:
        return []
    try:
        await addresses.check_resolved(addresses.clean_url(url, policy), policy)
    except DomainError as error:
        return [UserError.of(error)]
    return []


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="Where to POST deliveries: https (required in production); never a "
        "loopback, link-local or private address unless the operator allows its network."
    )
    event_types: list[tables.WebhookEventType] = strawberry.field(
        description="The events to receive (at least one)."
    )
    description: str | None = strawberry.field(
        default=None, description="What the endpoint is for (at most 500 characters)."
    )
    enabled: bool = strawberry.field(default=True, description="Send deliveries at once.")


@strawberry.type(description="Result of createWebhookEndpoint.")
class CreateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The new endpoint.")
    secret: str | None = strawberry.field(
        description="The signing secret. Shown only here (and when rotated): store it now."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay as they are.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    event_types: list[tables.WebhookEventType] | None = strawberry.field(
        default=None, description="The events to receive instead (at least one)."
    )
    description: str | None = strawberry.field(default=None, description="A new description.")
    enabled: bool | None = strawberry.field(
        default=None,
        description="false stops deliveries; true starts them again, clears the failure "
        "count, and sends the deliveries that waited.",
    )


@strawberry.type(description="Result of updateWebhookEndpoint.")
class UpdateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A webhook endpoint to remove, with its deliveries.")
class DeleteWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")


@strawberry.type(description="Result of deleteWebhookEndpoint.")
class DeleteWebhookEndpointPayload:
    deleted_webhook_endpoint_id: strawberry.ID | None = strawberry.field(
        description="The ID of the removed endpoint."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A new signing secret for a webhook endpoint.")
class RotateWebhookEndpointSecretInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    overlap_hours: int = strawberry.field(
        default=endpoints.DEFAULT_OVERLAP_HOURS,
        description="How long the current secret keeps signing beside the new one, so "
        f"receivers can switch (0 to {endpoints.MAX_OVERLAP_HOURS}; 0 drops it at once).",
    )


@strawberry.type(description="Result of rotateWebhookEndpointSecret.")
class RotateWebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    secret: str | None = strawberry.field(
        description="The new signing secret. Shown only here: store it now."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A finished delivery to send again.")
class ResendWebhookDeliveryInput:
    id: strawberry.ID = strawberry.field(description="The delivery (SUCCEEDED or FAILED).")


@strawberry.type(description="Result of resendWebhookDelivery.")
class ResendWebhookDeliveryPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(
        description="The new delivery: the same event ID and body, PENDING."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A webhook endpoint to send a test event to.")
class PingWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint (enabled).")


@strawberry.type(description="Result of pingWebhookEndpoint.")
class PingWebhookEndpointPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(
        description='The test delivery, PENDING: a "webhook.ping" event signed as any other.'
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a webhook endpoint; the payload shows its secret once (admins).",
        permission_classes=[CanManageSetup],
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        viewer, policy = info.context.viewer, _policy(info)
        data = endpoints.EndpointData(
            url=input.url,
            description=input.description,
            event_types=input.event_types,
            enabled=input.enabled,
        )
        errors = await _reachable(input.url, policy)
        made = None
        if not errors:
            made, errors = await run_in_transaction(
                lambda: endpoints.create_endpoint(viewer, data, policy)
            )
        return CreateWebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_row(made[0]) if made else None,
            secret=made[1] if made else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a webhook endpoint (admins).", permission_classes=[CanManageSetup]
    )
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> UpdateWebhookEndpointPayload:
        viewer, policy = info.context.viewer, _policy(info)
        data = endpoints.EndpointData(
            url=input.url,
            description=input.description,
            event_types=input.event_types,
            enabled=input.enabled,
        )
        key = key_for(input.id, "WebhookEndpoint")
        errors = await _reachable(input.url, policy)
        row = None
        if not errors:
            row, errors = await run_in_transaction(
                lambda: endpoints.update_endpoint(viewer, key, data, policy)
            )
        return UpdateWebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Remove a webhook endpoint and its deliveries (admins).",
        permission_classes=[CanManageSetup],
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: DeleteWebhookEndpointInput
    ) -> DeleteWebhookEndpointPayload:
        viewer = info.context.viewer
        key = key_for(input.id, "WebhookEndpoint")
        deleted, errors = await run_in_transaction(lambda: endpoints.delete_endpoint(viewer, key))
        return DeleteWebhookEndpointPayload(
            deleted_webhook_endpoint_id=input.id if deleted else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Give a webhook endpoint a new signing secret; the old one keeps "
        "signing beside it for `overlapHours` (admins).",
        permission_classes=[CanManageSetup],
    )
    async def rotate_webhook_endpoint_secret(
        self, info: Info, input: RotateWebhookEndpointSecretInput
    ) -> RotateWebhookEndpointSecretPayload:
        viewer = info.context.viewer
        key = key_for(input.id, "WebhookEndpoint")
        made, errors = await run_in_transaction(
            lambda: endpoints.rotate_secret(viewer, key, input.overlap_hours)
        )
        return RotateWebhookEndpointSecretPayload(
            webhook_endpoint=WebhookEndpoint.from_row(made[0]) if made else None,
            secret=made[1] if made else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Send a finished delivery's event to its endpoint again, as a new "
        "delivery with the same event ID and body (admins).",
        permission_classes=[CanManageSetup],
    )
    async def resend_webhook_delivery(
        self, info: Info, input: ResendWebhookDeliveryInput
    ) -> ResendWebhookDeliveryPayload:
        viewer = info.context.viewer
        key = key_for(input.id, "WebhookDelivery")
        row, errors = await run_in_transaction(lambda: deliveries.resend(viewer, key))
        return ResendWebhookDeliveryPayload(
            webhook_delivery=WebhookDelivery.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description='Send a test event (PING, payload type "webhook.ping") to an enabled '
        "endpoint, whatever it subscribes to, to check it is reachable and verifies "
        "signatures (admins).",
        permission_classes=[CanManageSetup],
    )
    async def ping_webhook_endpoint(
        self, info: Info, input: PingWebhookEndpointInput
    ) -> PingWebhookEndpointPayload:
        viewer = info.context.viewer
        key = key_for(input.id, "WebhookEndpoint")
        row, errors = await run_in_transaction(lambda: deliveries.ping(viewer, key))
        return PingWebhookEndpointPayload(
            webhook_delivery=WebhookDelivery.from_row(row) if row else None, user_errors=errors
        )
