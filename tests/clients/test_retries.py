"""A client on a bad network, with the real Node clients against a live `docket serve`:
Apollo Client retrying a mutation under an idempotency key (idempotency.mjs), and
graphql-ws resuming notificationAdded with `after:` once its socket is back
(resume.mjs). See docs/idempotency.md and docs/api.md, "Subscriptions that resume"."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.clients.live import REQUESTS, Api, DocketServe, Seed
from tests.clients.tools import run_node

pytestmark = pytest.mark.clients_need("node")

COUNT = """
query Count($filter: AccountRequestFilter) { accountRequests(filter: $filter) { totalCount } }
"""
INBOX = "{ notifications(first: 100) { nodes { kind subject { ... on AccountRequest { id } } } } }"


async def test_an_apollo_retry_under_one_key_is_replayed_and_makes_one_request(
    client_input: dict[str, Any], docket_serve: DocketServe, seeded: Seed
) -> None:
    # given a dispatcher and an account with five requests
    # when idempotency.mjs sends createAccountRequest twice under one key, the key
    # again with other variables, then once under a new key
    run = await run_node("idempotency.mjs", client_input)
    # then Apollo saw one answer twice (the second replayed), then a refusal
    assert run.succeeded(), run.output
    assert "the retry replayed (Idempotent-Replayed: true) with the same bytes" in run.output
    assert "refused: HTTP 422 IDEMPOTENCY_KEY_REUSED, nothing made" in run.output
    # and the server holds two new requests: one per key, none for the refusal
    async with httpx.AsyncClient(base_url=docket_serve.url, timeout=30) as http:
        api = Api(http)
        token = await api.login(seeded.admin)
        data = await api(COUNT, {"filter": {"accountIds": [seeded.account_id]}}, token)
    assert data["accountRequests"]["totalCount"] == REQUESTS + 2


async def test_a_graphql_ws_subscriber_resumes_after_its_socket_dropped(
    client_input: dict[str, Any], docket_serve: DocketServe, seeded: Seed
) -> None:
    # given a technician following notificationAdded, and five unassigned requests
    # when resume.mjs receives one assignment live, drops its socket, three more
    # requests are assigned to the technician, and it subscribes again with `after`
    run = await run_node("resume.mjs", client_input)
    # then it received the three missed, in order, each once, then a live one
    assert run.succeeded(), run.output
    assert "resumed with after: 3 missed events replayed in order, each once" in run.output
    assert "then a live event, and nothing more" in run.output
    # and the server made exactly the five notifications the client received
    async with httpx.AsyncClient(base_url=docket_serve.url, timeout=30) as http:
        api = Api(http)
        token = await api.login(seeded.technician)
        data = await api(INBOX, {}, token)
    assigned = [
        node["subject"]["id"]
        for node in data["notifications"]["nodes"]
        if node["kind"] == "ACCOUNT_REQUEST_ASSIGNED"
    ]
    assert sorted(assigned) == sorted(seeded.request_ids)
