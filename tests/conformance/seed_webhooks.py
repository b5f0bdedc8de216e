"""The webhook part of the conformance seed: three endpoints an admin registers before
the work starts, so the seed's own operations queue their deliveries, then the sender
the deployment runs (`docket serve`, `docket worker`) delivering them to real receivers
on 127.0.0.1 (the test settings allow 127.0.0.1/32), so the log holds every outcome:

- "Accounting sync" (`webhookEndpoint`): a receiver answering 200, every delivery
  SUCCEEDED; one of them resent by the admin (`resentWebhookDelivery`, PENDING, no
  attempt yet);
- "Chat alerts" (`retryingWebhookEndpoint`): 200 for the first pass, then 500, so its
  last delivery waits for a retry (`retryingWebhookDelivery`: PENDING, one attempt,
  HTTP 500); its secret rotated with an overlap;
- "Old dispatch board" (`disabledWebhookEndpoint`): nothing listens, so its delivery
  FAILED (`failedWebhookDelivery`) and the endpoint was disabled, every admin told.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.settings import Settings
from api.webhooks import WebhookWorker
from tests.webhooks.receiver import Receiver

if TYPE_CHECKING:
    from tests.conformance.seed import Api, World

# Port 9 (discard): nothing listens there, every attempt is refused.
NOBODY = "http://127.0.0.1:9/hooks"

ENDPOINTS = {
    "webhookEndpoint": (
        "Accounting sync",
        [
            "ACCOUNT_REQUEST_UPDATED",
            "SERVICE_REQUEST_APPROVED",
            "JOB_CREATED",
            "CREDIT_REQUEST_DECIDED",
            "CREDIT_LIMIT_CROSSED",
        ],
    ),
    "retryingWebhookEndpoint": (
        "Chat alerts",
        [
            "ACCOUNT_REQUEST_CREATED",
            "ACCOUNT_REQUEST_UPDATED",
            "ACCOUNT_REQUEST_ASSIGNED",
            "SERVICE_REQUEST_SUBMITTED",
            "SERVICE_REQUEST_DECLINED",
            "PHOTO_ADDED",
        ],
    ),
    # One event of the seed (its one cancelled job): one failure disables it.
    "disabledWebhookEndpoint": ("Old dispatch board", ["JOB_CANCELLED"]),
}

LOOKUPS = """
query SeedWebhookLookups($accounting: ID!, $chat: ID!, $old: ID!) {
  succeeded: webhookDeliveries(filter: {endpointId: $accounting, status: SUCCEEDED}, first: 1) {
    nodes { id }
  }
  retrying: webhookDeliveries(filter: {endpointId: $chat, status: PENDING}) {
    nodes { id attempts responseStatus }
  }
  chatSucceeded: webhookDeliveries(filter: {endpointId: $chat, status: SUCCEEDED}, first: 3) {
    totalCount
    pageInfo { hasNextPage endCursor }
  }
  failed: webhookDeliveries(filter: {endpointId: $old}) { nodes { id status } }
  unfinished: webhookDeliveries(filter: {endpointId: $accounting, status: PENDING}) {
    totalCount
  }
  webhookEndpoints { nodes { id enabled } }
}
"""


@dataclass
class Receivers:
    """The two real receivers, running while the seed sends."""

    accounting: Receiver
    chat: Receiver


@contextmanager
def receivers() -> Iterator[Receivers]:
    running = Receivers(Receiver(), Receiver())
    running.accounting.start()
    running.chat.start()
    try:
        yield running
    finally:
        running.accounting.stop()
        running.chat.stop()


async def register_endpoints(api: Api, world: World, admin: str, at: Receivers) -> None:
    """The admin registers the endpoints before any work happens."""
    urls = {
        "webhookEndpoint": at.accounting.url,
        "retryingWebhookEndpoint": at.chat.url,
        "disabledWebhookEndpoint": NOBODY,
    }
    for ref, (description, event_types) in ENDPOINTS.items():
        payload = await api.mutate(
            "createWebhookEndpoint",
            admin,
            "webhookEndpoint { id } secret",
            url=urls[ref],
            eventTypes=event_types,
            description=description,
        )
        world.refs[ref] = payload["webhookEndpoint"]["id"]


async def deliver(api: Api, world: World, admin: str, settings: Settings, at: Receivers) -> None:
    """Send what the work queued, then one more change while the chat receiver fails;
    record the deliveries' IDs and a page cursor of the log."""
    refs = world.refs
    # One attempt each: the old board's only delivery fails for good and disables it.
    first = {"webhook_max_attempts": 1, "webhook_disable_after_failures": 1}
    assert await WebhookWorker(settings.model_copy(update=first)).run_once() > 0
    at.chat.status = 500
    await api.mutate(
        "rotateWebhookEndpointSecret",
        admin,
        "webhookEndpoint { id }",
        id=refs["retryingWebhookEndpoint"],
        overlapHours=24,
    )
    await api.mutate(
        "updateAccountRequest",
        admin,
        "accountRequest { id }",
        id=refs["waitingRequest"],
        note="Waiting for the key; the customer was chased by chat",
    )
    # The settings' own retries (30 s and more): the 500 waits for its next attempt.
    assert await WebhookWorker(settings).run_once() == 2
    variables = {
        "accounting": refs["webhookEndpoint"],
        "chat": refs["retryingWebhookEndpoint"],
        "old": refs["disabledWebhookEndpoint"],
    }
    data = await api.run(LOOKUPS, variables, admin)
    enabled = {node["id"]: node["enabled"] for node in data["webhookEndpoints"]["nodes"]}
    assert enabled == {
        refs["webhookEndpoint"]: True,
        refs["retryingWebhookEndpoint"]: True,
        refs["disabledWebhookEndpoint"]: False,
    }, enabled
    assert data["unfinished"]["totalCount"] == 0, "the accounting receiver answers 200"
    [retrying] = data["retrying"]["nodes"]
    assert (retrying["attempts"], retrying["responseStatus"]) == (1, 500), retrying
    [failed] = data["failed"]["nodes"]
    assert failed["status"] == "FAILED", failed
    page = data["chatSucceeded"]
    assert page["pageInfo"]["hasNextPage"], page
    refs["webhookDelivery"] = data["succeeded"]["nodes"][0]["id"]
    refs["retryingWebhookDelivery"] = retrying["id"]
    refs["failedWebhookDelivery"] = failed["id"]
    refs["webhookDeliveriesCursor"] = page["pageInfo"]["endCursor"]
    resent = await api.mutate(
        "resendWebhookDelivery", admin, "webhookDelivery { id }", id=refs["webhookDelivery"]
    )
    refs["resentWebhookDelivery"] = resent["webhookDelivery"]["id"]
