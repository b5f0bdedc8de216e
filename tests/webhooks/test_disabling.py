"""An endpoint that keeps failing is disabled and every admin is told; enabling it
again clears the count and sends what waited."""

from __future__ import annotations

import asyncio

from api.settings import Settings
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import staff
from tests.subscriptions_resume.live import events
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import (
    ENDPOINTS,
    INBOX,
    UPDATE,
    deliveries,
    endpoint_for,
    until,
    verify,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver
from tests.ws import socket

ADDED = "subscription Added($after: String) { notificationAdded(after: $after) { kind title } }"
OUTBOX = "{ outboxEmails(first: 100) { nodes { toAddress subject } } }"


async def test_an_endpoint_that_keeps_failing_is_disabled_and_admins_are_told(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: two admins, a dispatcher, and an endpoint answering 500
    admin = await staff(Role.ADMIN, email="ada@example.com")
    other_admin = await staff(Role.ADMIN, email="bo@example.com")
    dispatcher = await staff(Role.DISPATCHER, email="dee@example.com")
    endpoint_id, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    receiver.status = 500
    await raise_request(gql, admin)
    worker = webhook_worker(settings, webhook_disable_after_failures=3, webhook_max_attempts=10)

    # when: it fails three attempts in a row
    async def disabled() -> dict | None:
        await worker.run_once()
        [endpoint] = (await gql(ENDPOINTS, token=admin.token))["webhookEndpoints"]["nodes"]
        return endpoint if not endpoint["enabled"] else None

    endpoint = await until(disabled, "the endpoint to be disabled")

    # then
    assert endpoint["consecutiveFailures"] == 3
    assert endpoint["disabledAt"] is not None
    assert endpoint["disabledReason"].startswith("3 failed attempts in a row; the last: HTTP 500")
    for person in (admin, other_admin):
        inbox = (await gql(INBOX, token=person.token))["notifications"]["nodes"]
        [notice] = [n for n in inbox if n["kind"] == "WEBHOOK_ENDPOINT_DISABLED"]
        assert receiver.url in notice["title"]
        assert notice["subject"] == {"id": endpoint_id}
    inbox = (await gql(INBOX, token=dispatcher.token))["notifications"]["nodes"]
    assert [n for n in inbox if n["kind"] == "WEBHOOK_ENDPOINT_DISABLED"] == []
    mailed = (await gql(OUTBOX, token=admin.token))["outboxEmails"]["nodes"]
    assert sorted(m["toAddress"] for m in mailed if "Webhook" in m["subject"]) == [
        "ada@example.com",
        "bo@example.com",
    ]
    # nothing more is sent while it is disabled, nor queued for it
    attempts = len(receiver.received)
    await asyncio.sleep(0.3)  # every backoff here has passed
    assert await worker.run_once() == 0
    assert len(receiver.received) == attempts
    await raise_request(gql, admin)
    [waiting] = await deliveries(gql, admin)
    assert (waiting["status"], waiting["attempts"]) == ("PENDING", 3)

    # when: the receiver is fixed and an admin enables the endpoint again
    receiver.status = 200
    enabled = await gql(UPDATE, {"input": {"id": endpoint_id, "enabled": True}}, admin.token)

    # then
    endpoint = enabled["updateWebhookEndpoint"]["webhookEndpoint"]
    assert (endpoint["enabled"], endpoint["consecutiveFailures"]) == (True, 0)
    assert endpoint["disabledReason"] is None

    async def all_sent() -> bool:
        await worker.run_once()
        rows = await deliveries(gql, admin)
        return all(row["status"] == "SUCCEEDED" for row in rows)

    await until(all_sent, "the waiting delivery to go out")
    assert len(receiver.received) == 4
    assert verify(receiver.received[-1], secret)["id"] == waiting["eventId"]


async def test_disabled_notices_are_in_the_live_log_so_an_admin_resumes_to_them(
    server: Server, gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: an admin watching her notifications, and two endpoints answering 500
    admin = await staff(Role.ADMIN)
    first, _ = await endpoint_for(gql, admin, f"{receiver.url}/one", "ACCOUNT_REQUEST_CREATED")
    receiver.status = 500
    worker = webhook_worker(settings, webhook_disable_after_failures=2, webhook_max_attempts=10)

    async def disabled(endpoint_id: str) -> bool:
        await worker.run_once()
        data = await gql(ENDPOINTS, token=admin.token)
        [endpoint] = [e for e in data["webhookEndpoints"]["nodes"] if e["id"] == endpoint_id]
        return not endpoint["enabled"]

    # when: the first is disabled while she watches
    async with socket(server.ws_url, admin.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        await raise_request(gql, admin)
        await until(lambda: disabled(first), "the first endpoint to be disabled")
        [(live, cursor)] = await events(ws, "notificationAdded", 1)
    # and the second while she is away
    second, _ = await endpoint_for(gql, admin, f"{receiver.url}/two", "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    await until(lambda: disabled(second), "the second endpoint to be disabled")
    async with socket(server.ws_url, admin.token) as ws:
        await ws.subscribe("n", ADDED, {"after": cursor})

        # then: the notice the sender made while she was away is replayed, once
        [(missed, resumed)] = await events(ws, "notificationAdded", 1)
        assert await ws.nothing_within(0.3)
    assert (live["kind"], missed["kind"]) == ("WEBHOOK_ENDPOINT_DISABLED",) * 2
    assert "/one" in live["title"] and "/two" in missed["title"]
    assert resumed != cursor
