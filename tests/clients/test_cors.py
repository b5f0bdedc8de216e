"""CORS for browser SPAs on other origins: Apollo Client's headers pass the
preflight for an origin in CORS_ORIGINS, and nothing passes for any other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.clients.live import DocketServe
from tests.clients.tools import run_node

# What Apollo Client (with its CSRF-safe headers) sends on a signed-in JSON POST.
APOLLO_HEADERS = [
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "content-type",
    "authorization",
]


@pytest.fixture
async def live(docket_serve: DocketServe) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=docket_serve.url, timeout=30) as http:
        yield http


def _preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": ",".join(APOLLO_HEADERS),
    }


async def test_apollo_preflight_is_allowed_for_the_configured_origin(
    live: httpx.AsyncClient, docket_serve: DocketServe
) -> None:
    origin = f"http://127.0.0.1:{docket_serve.spa_ports[0]}"
    # when the browser asks before its POST
    response = await live.options("/graphql", headers=_preflight(origin))
    # then it may send it, with every header Apollo adds
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == origin
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert set(APOLLO_HEADERS) <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_apollo_preflight_is_refused_for_other_origins(
    live: httpx.AsyncClient, docket_serve: DocketServe
) -> None:
    for origin in (
        f"http://127.0.0.1:{docket_serve.spa_ports[1]}",
        "https://evil.example",
        "null",
    ):
        # when another origin asks
        response = await live.options("/graphql", headers=_preflight(origin))
        # then it gets no permission to send
        assert response.status_code == 400, (origin, response.text)
        assert "access-control-allow-origin" not in response.headers, origin


async def test_a_cross_origin_post_carries_permission_only_for_the_configured_origin(
    live: httpx.AsyncClient, docket_serve: DocketServe
) -> None:
    body = {"query": "{ __typename }"}
    allowed, other = (f"http://127.0.0.1:{port}" for port in docket_serve.spa_ports)
    # when each origin posts (the server answers; the browser decides from the header)
    mine = await live.post("/graphql", json=body, headers={"origin": allowed})
    theirs = await live.post("/graphql", json=body, headers={"origin": other})
    # then only the configured origin's answer may be read by its page
    assert mine.headers["access-control-allow-origin"] == allowed
    assert "x-request-id" in mine.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in theirs.headers


@pytest.mark.clients_need("node", "chromium")
async def test_a_browser_spa_calls_from_the_configured_origin_only(
    client_input: dict[str, Any],
) -> None:
    # when a page on each origin calls the API the way Apollo Client does (cors.mjs)
    run = await run_node("cors.mjs", client_input)
    # then the configured origin gets its answers and the other is refused by the browser
    assert run.succeeded(), run.output
