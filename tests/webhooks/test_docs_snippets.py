"""The Python snippet of docs/webhooks.md verifies real deliveries, during a rotation
too, and refuses forged or stale ones."""

from __future__ import annotations

import time

import pytest

from api.settings import Settings
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import ROTATE, endpoint_for, webhook_worker
from tests.webhooks.receiver import Received, Receiver
from tests.webhooks.snippets import python_verify

NAMES = ("Docket-Webhook-Id", "Docket-Webhook-Timestamp", "Docket-Webhook-Signature")


def _headers(received: Received, **changes: str) -> dict[str, str]:
    """The headers as a Python framework names them."""
    return {name: received.headers[name.lower()] for name in NAMES} | changes


async def test_the_python_snippet_verifies_a_delivery(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: a delivery signed during a rotation's overlap
    verify = python_verify()
    admin = await staff(Role.ADMIN)
    endpoint_id, old = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    new = (await gql(ROTATE, {"input": {"id": endpoint_id}}, admin.token))[
        "rotateWebhookEndpointSecret"
    ]["secret"]
    await raise_request(gql, admin)
    await webhook_worker(settings).run_once()
    [received] = receiver.received

    # when / then: either secret verifies it
    for secret in (old, new):
        event = verify(_headers(received), received.body, secret)
        assert event["id"] == received.headers["docket-webhook-id"]

    # another secret, a changed body, an old timestamp: refused
    with pytest.raises(ValueError, match="bad signature"):
        verify(_headers(received), received.body, "whsec_someone-else")
    with pytest.raises(ValueError, match="bad signature"):
        verify(_headers(received), received.body + b" ", new)
    stale = str(int(time.time()) - 3600)
    with pytest.raises(ValueError, match="stale"):
        verify(_headers(received, **{"Docket-Webhook-Timestamp": stale}), received.body, new)
