"""Server-side request forgery: where a webhook may not go, refused when an endpoint
is saved and again on every delivery, after DNS resolution.

The test app allows 127.0.0.1/32 (its receivers) and 10.99.0.0/16 (an operator's
private network); everything else that is not public is refused.
"""

from __future__ import annotations

import pytest

from api.settings import Environment, Settings
from models.permissions import Role
from tests.client import GraphQLClient, error_pairs
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import (
    UPDATE,
    create_endpoint,
    deliveries,
    endpoint_for,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver

REFUSED = [
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "a cloud metadata address"),
    ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
    ("http://169.254.1.1/hooks", "a link-local address"),
    ("http://[fe80::1]/hooks", "a link-local address"),
    ("http://127.0.0.2:8080/hooks", "a loopback address"),
    ("http://[::1]/hooks", "a loopback address"),
    ("http://[::ffff:127.0.0.2]/hooks", "a loopback address"),
    ("http://2130706434/hooks", "a loopback address"),  # 127.0.0.2, once resolved
    ("http://10.0.0.1/hooks", "a private address"),
    ("http://172.16.5.4/hooks", "a private address"),
    ("http://192.168.1.10/hooks", "a private address"),
    ("http://100.64.0.1/hooks", "a private address"),
    ("http://[fd12:3456::1]/hooks", "a private address"),
    ("http://[64:ff9b::a00:1]/hooks", "a private address"),  # NAT64 of 10.0.0.1
    ("http://[2002:a00:1::]/hooks", "a private address"),  # 6to4 of 10.0.0.1
    ("http://0.0.0.0/hooks", "an unspecified address"),
    ("http://224.0.0.1/hooks", "a multicast address"),
    ("http://240.0.0.1/hooks", "a reserved address"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
async def test_an_endpoint_may_not_point_inside(gql: GraphQLClient, url: str, reason: str) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await create_endpoint(gql, admin, url, ["JOB_CREATED"])

    # then
    assert payload["webhookEndpoint"] is None
    assert error_pairs(payload) == [("URL_NOT_ALLOWED", ["input", "url"])]
    assert reason in payload["userErrors"][0]["message"]


async def test_an_update_is_checked_as_well(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, "https://hooks.example.com/", "JOB_CREATED")

    # when
    changed = await gql(
        UPDATE, {"input": {"id": endpoint_id, "url": "http://169.254.169.254/"}}, admin.token
    )

    # then
    assert error_pairs(changed["updateWebhookEndpoint"]) == [("URL_NOT_ALLOWED", ["input", "url"])]


async def test_a_network_the_operator_allows_is_taken(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    inside = await create_endpoint(gql, admin, "http://10.99.0.5/hooks", ["JOB_CREATED"])
    beside = await create_endpoint(gql, admin, "http://10.98.0.5/hooks", ["JOB_CREATED"])

    # then
    assert inside["userErrors"] == []
    assert error_pairs(beside) == [("URL_NOT_ALLOWED", ["input", "url"])]


async def test_every_delivery_checks_the_address_its_name_resolves_to(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: an endpoint named `localhost`, taken while 127.0.0.1 was allowed
    admin = await staff(Role.ADMIN)
    url = f"http://localhost:{receiver.port}/hooks"
    await endpoint_for(gql, admin, url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)

    # when: a sender whose operator allows no private network
    await webhook_worker(settings, webhook_allowed_networks=[]).run_once()

    # then: refused after resolving, never sent, failed at once with the reason
    assert receiver.received == []
    [row] = await deliveries(gql, admin)
    assert (row["status"], row["attempts"], row["responseStatus"]) == ("FAILED", 1, None)
    assert row["lastError"] == (
        "Refused: localhost resolves to 127.0.0.1, a loopback address: webhooks may not call it."
    )


async def test_a_production_sender_calls_only_https(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: an http endpoint, saved in development
    admin = await staff(Role.ADMIN)
    await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)

    # when
    await webhook_worker(settings, docket_env=Environment.PRODUCTION).run_once()

    # then
    assert receiver.received == []
    [row] = await deliveries(gql, admin)
    assert row["status"] == "FAILED"
    assert row["lastError"] == "Refused: Webhook URLs must use https in production."
