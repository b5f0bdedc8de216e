"""Admins ping an endpoint: a test event, signed as any other, whatever it subscribes to."""

from __future__ import annotations

from api.settings import Settings
from models.permissions import Role
from tests.client import GraphQLClient, assert_user_error
from tests.factories import staff
from tests.ids import gid
from tests.webhooks.operations import (
    CREATE,
    PING,
    UPDATE,
    deliveries,
    endpoint_for,
    verify,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver


async def test_a_ping_reaches_the_receiver_signed_whatever_the_endpoint_subscribes_to(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: an endpoint for job cancellations only
    admin = await staff(Role.ADMIN)
    endpoint_id, secret = await endpoint_for(gql, admin, receiver.url, "JOB_CANCELLED")

    # when: an admin pings it and the sender runs
    data = await gql(PING, {"input": {"id": endpoint_id}}, admin.token)
    sent = await webhook_worker(settings).run_once()

    # then: a PING delivery was queued, and the receiver verified a "webhook.ping" event
    payload = data["pingWebhookEndpoint"]
    assert payload["userErrors"] == []
    queued = payload["webhookDelivery"]
    assert (queued["eventType"], queued["status"], queued["attempts"]) == ("PING", "PENDING", 0)
    assert queued["endpoint"]["id"] == endpoint_id
    assert sent == 1
    [received] = receiver.received
    event = verify(received, secret)
    assert (event["type"], event["version"]) == ("webhook.ping", 1)
    assert event["id"] == queued["eventId"] == received.headers["docket-webhook-id"]
    assert event["data"] == {"webhookEndpoint": {"id": endpoint_id}}
    [listed] = await deliveries(gql, admin, eventType="PING")
    assert (listed["id"], listed["status"], listed["responseStatus"]) == (
        queued["id"],
        "SUCCEEDED",
        200,
    )


async def test_a_disabled_or_unknown_endpoint_is_not_pinged(
    gql: GraphQLClient, receiver: Receiver
) -> None:
    # given: a disabled endpoint
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, receiver.url, "JOB_CREATED")
    await gql(UPDATE, {"input": {"id": endpoint_id, "enabled": False}}, admin.token)

    # when
    disabled = await gql(PING, {"input": {"id": endpoint_id}}, admin.token)
    unknown = await gql(PING, {"input": {"id": gid("WebhookEndpoint", 999_999)}}, admin.token)

    # then: each refused with a code, and nothing queued
    assert_user_error(disabled["pingWebhookEndpoint"], "ENDPOINT_DISABLED", ["input", "id"])
    assert_user_error(unknown["pingWebhookEndpoint"], "NOT_FOUND", ["input", "id"])
    assert await deliveries(gql, admin) == []


async def test_ping_is_not_an_event_to_subscribe_to(gql: GraphQLClient, receiver: Receiver) -> None:
    # given
    admin = await staff(Role.ADMIN)
    variables = {"input": {"url": receiver.url, "eventTypes": ["JOB_CREATED", "PING"]}}

    # when
    data = await gql(CREATE, variables, admin.token)

    # then
    payload = data["createWebhookEndpoint"]
    assert_user_error(payload, "INVALID", ["input", "eventTypes"])
    assert payload["webhookEndpoint"] is None
