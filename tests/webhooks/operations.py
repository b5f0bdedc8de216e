"""The webhook documents tests send, a sender the test drives, and a receiver's check
of the signature written from the docs alone (hmac and hashlib, not models.webhooks)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from api.settings import Settings
from api.webhooks import WebhookWorker
from tests.client import GraphQLClient
from tests.factories import Person
from tests.webhooks.receiver import Received

T = TypeVar("T")

# Short enough to wait out in a test.
RETRY_BASE_SECONDS = 0.05
LOCAL = "127.0.0.1/32"

ENDPOINT_FIELDS = """
id url description eventTypes enabled disabledAt disabledReason consecutiveFailures
secretRotatedAt previousSecretExpiresAt createdAt updatedAt
"""

CREATE = f"""
mutation Create($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{
    webhookEndpoint {{ {ENDPOINT_FIELDS} }}
    secret
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE = f"""
mutation Update($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{
    webhookEndpoint {{ {ENDPOINT_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

DELETE = """
mutation Delete($input: DeleteWebhookEndpointInput!) {
  deleteWebhookEndpoint(input: $input) {
    deletedWebhookEndpointId
    userErrors { code field message }
  }
}
"""

ROTATE = f"""
mutation Rotate($input: RotateWebhookEndpointSecretInput!) {{
  rotateWebhookEndpointSecret(input: $input) {{
    webhookEndpoint {{ {ENDPOINT_FIELDS} }}
    secret
    userErrors {{ code field message }}
  }}
}}
"""

DELIVERY_FIELDS = """
id eventId eventType payload status attempts responseStatus latencyMs lastError
createdAt deliveredAt nextAttemptAt endpoint { id url }
"""

RESEND = f"""
mutation Resend($input: ResendWebhookDeliveryInput!) {{
  resendWebhookDelivery(input: $input) {{
    webhookDelivery {{ {DELIVERY_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

PING = f"""
mutation Ping($input: PingWebhookEndpointInput!) {{
  pingWebhookEndpoint(input: $input) {{
    webhookDelivery {{ {DELIVERY_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

ENDPOINTS = f"""
query Endpoints($first: Int, $after: String) {{
  webhookEndpoints(first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {ENDPOINT_FIELDS} }}
  }}
}}
"""

DELIVERIES = f"""
query Deliveries($filter: WebhookDeliveryFilter, $first: Int, $after: String) {{
  webhookDeliveries(filter: $filter, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {DELIVERY_FIELDS} }}
  }}
}}
"""

NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{
    id
    ... on WebhookEndpoint {{ url }}
    ... on WebhookDelivery {{ {DELIVERY_FIELDS} }}
  }}
}}
"""

INBOX = """
{ notifications(first: 50) { nodes { kind title body subject { id } } } }
"""


def webhook_worker(settings: Settings, **overrides: Any) -> WebhookWorker:
    """A sender of the test settings that may reach the test's receiver on 127.0.0.1
    and retries soon; `overrides` are further settings."""
    update: dict[str, Any] = {
        "webhook_allowed_networks": [LOCAL],
        "webhook_retry_base_seconds": RETRY_BASE_SECONDS,
        "webhook_timeout_seconds": 5.0,
    }
    return WebhookWorker(settings.model_copy(update=update | overrides))


async def create_endpoint(
    gql: GraphQLClient, admin: Person, url: str, event_types: list[str], **fields: Any
) -> dict[str, Any]:
    """The createWebhookEndpoint payload (userErrors may be non-empty)."""
    variables = {"input": {"url": url, "eventTypes": event_types, **fields}}
    payload: dict[str, Any] = (await gql(CREATE, variables, token=admin.token))[
        "createWebhookEndpoint"
    ]
    return payload


async def endpoint_for(
    gql: GraphQLClient, admin: Person, url: str, *event_types: str
) -> tuple[str, str]:
    """A new endpoint (no user errors allowed): its global ID and its secret."""
    payload = await create_endpoint(gql, admin, url, list(event_types))
    assert payload["userErrors"] == [], payload
    return payload["webhookEndpoint"]["id"], payload["secret"]


async def deliveries(gql: GraphQLClient, admin: Person, **filter: Any) -> list[dict[str, Any]]:
    """Deliveries as an admin lists them (newest first), narrowed by `filter`."""
    data = await gql(DELIVERIES, {"filter": filter, "first": 100}, token=admin.token)
    nodes: list[dict[str, Any]] = data["webhookDeliveries"]["nodes"]
    return nodes


async def until(check: Callable[[], Awaitable[T | None]], what: str, seconds: float = 15) -> T:
    """Poll `check` until it returns something; fail (never pass) when time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        await asyncio.sleep(0.02)


def signatures(received: Received) -> list[str]:
    """The hex digests of `Docket-Webhook-Signature: v1=<hex>,v1=<hex>`."""
    header = received.headers["docket-webhook-signature"]
    found = []
    for part in header.split(","):
        scheme, _, value = part.strip().partition("=")
        assert scheme == "v1", header
        found.append(value)
    return found


def verify(received: Received, secret: str, tolerance: int = 300) -> dict[str, Any]:
    """What a receiver does (docs/webhooks.md): recompute HMAC-SHA256 over
    "<timestamp>.<body>" with the secret, compare in constant time, check the
    timestamp is recent. Returns the parsed event; AssertionError when not genuine."""
    timestamp = received.headers["docket-webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) <= tolerance, "stale timestamp"
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256
    ).hexdigest()
    assert any(hmac.compare_digest(expected, s) for s in signatures(received)), "bad signature"
    event: dict[str, Any] = json.loads(received.body)
    return event


def is_signed_by(received: Received, secret: str) -> bool:
    try:
        verify(received, secret)
    except AssertionError:
        return False
    return True
