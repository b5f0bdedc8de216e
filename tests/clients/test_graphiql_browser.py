"""Docket's GraphiQL in headless Chromium (graphiql.mjs): it renders from Docket
alone under its CSP, the docs show AccountRequest, a query and a subscription run
with the token of the Headers pane, and the token is kept nowhere. Screenshots:
var/artifacts/graphiql/<embedded|services>/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.clients.live import DocketServe
from tests.clients.tools import run_node

pytestmark = pytest.mark.clients_need("node", "chromium")

FIELDS = '{ __type(name: "AccountRequest") { fields { name } } }'


async def test_graphiql_works_in_a_browser_with_nothing_but_docket(
    docket_serve: DocketServe, client_input: dict[str, Any]
) -> None:
    # given the fields the live schema gives AccountRequest
    async with httpx.AsyncClient(base_url=docket_serve.url) as http:
        answer = (await http.post("/graphql", json={"query": FIELDS})).json()
    fields = [field["name"] for field in answer["data"]["__type"]["fields"]]
    assert "assignee" in fields
    # when an admin's session in GraphiQL runs in Chromium
    run = await run_node("graphiql.mjs", {**client_input, "accountRequestFields": fields})
    # then each step saw what a person would have seen
    assert run.succeeded(), run.output
    assert "no CSP violation, no console error, no request off the origin" in run.output
