"""The Node snippet of docs/webhooks.md verifies a real delivery, run by Node itself."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from typing import Any

import pytest

from api.settings import Settings
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import endpoint_for, webhook_worker
from tests.webhooks.receiver import Receiver
from tests.webhooks.snippets import node_program

pytestmark = pytest.mark.clients_need("node")


async def _node_verify(headers: dict[str, str], body: bytes, secret: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None
    process = await asyncio.create_subprocess_exec(
        node,
        "-e",
        node_program(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    given = {"headers": headers, "body": base64.b64encode(body).decode(), "secret": secret}
    out, _ = await asyncio.wait_for(process.communicate(json.dumps(given).encode()), 30)
    answer: dict[str, Any] = json.loads(out)
    return answer


async def test_the_node_snippet_verifies_a_delivery(gql: GraphQLClient, settings: Settings) -> None:
    # given
    receiver = Receiver()
    receiver.start()
    try:
        admin = await staff(Role.ADMIN)
        _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
        await raise_request(gql, admin)
        await webhook_worker(settings).run_once()
        [received] = receiver.received
    finally:
        receiver.stop()

    # when: Node's http module names headers in lower case, as the receiver recorded them
    genuine = await _node_verify(received.headers, received.body, secret)
    forged = await _node_verify(received.headers, received.body + b" ", secret)

    # then
    assert genuine == {"ok": received.headers["docket-webhook-id"]}
    assert forged == {"error": "bad signature"}
