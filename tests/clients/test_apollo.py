"""Apollo Client 3 and graphql-ws (Node) against a live `docket serve`: named
fragments through InMemoryCache, fetchMore paging, a GET behind the CSRF guard, a
userError, and a subscription event caused by another client (apollo.mjs)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.tools import run_node

pytestmark = pytest.mark.clients_need("node")


async def test_an_apollo_spa_signs_in_pages_mutates_and_subscribes(
    client_input: dict[str, Any],
) -> None:
    # given a dispatcher, a technician and an account with five unassigned requests
    # when apollo.mjs runs its client session (see its header for each step)
    run = await run_node("apollo.mjs", client_input)
    # then every answer matched what the client expected
    assert run.succeeded(), run.output
    assert "technician received ACCOUNT_REQUEST_ASSIGNED" in run.output
