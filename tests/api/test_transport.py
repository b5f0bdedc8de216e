"""The HTTP surface: health, JSON-only POST, GET only with a CSRF-safe header, limits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff

ME = "query Me { me { ... on User { name } } }"


async def test_healthz_and_readyz_answer(http: httpx.AsyncClient) -> None:
    # when
    alive = await http.get("/healthz")
    ready = await http.get("/readyz")
    # then
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_post_must_be_json(http: httpx.AsyncClient) -> None:
    # when
    form = await http.post("/graphql", data={"query": "{ __typename }"})
    text = await http.post(
        "/graphql", content="{ __typename }", headers={"content-type": "text/plain"}
    )
    # then
    assert form.status_code == 400
    assert text.status_code == 400


async def test_json_bodies_are_checked_before_anything_runs(http: httpx.AsyncClient) -> None:
    # when bodies are malformed, not an object, or carry fields of the wrong kind
    broken = await http.post(
        "/graphql", content="{ nope", headers={"content-type": "application/json"}
    )
    scalar = await http.post("/graphql", json="{ __typename }")
    variables = await http.post("/graphql", json={"query": "{ __typename }", "variables": [1]})
    query = await http.post("/graphql", json={"query": 5})
    # then each is refused with a reason, never a server error
    assert broken.status_code == 400 and "JSON" in broken.text
    assert scalar.status_code == 400 and "JSON object" in scalar.text
    assert variables.status_code == 400 and "`variables` must be an object" in variables.text
    assert query.status_code == 400 and "`query` must be a string" in query.text


async def test_a_json_post_with_a_charset_runs(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_json_post_is_answered_alike_in_both_lanes(http: httpx.AsyncClient) -> None:
    # given a signed-in user, and the same query sent as a plain JSON POST and as one
    # that also accepts multipart answers (Strawberry's own lane)
    admin = await staff(Role.ADMIN, name="Lane Tester")
    body = {"query": ME}
    headers = {"authorization": f"Bearer {admin.token}"}
    # when
    plain = await http.post("/graphql", json=body, headers=headers)
    multipart = await http.post(
        "/graphql", json=body, headers={**headers, "accept": "multipart/mixed, application/json"}
    )
    refused = await http.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    # then both lanes answer the same, and errors alike
    assert plain.status_code == multipart.status_code == 200
    assert plain.json() == multipart.json() == {"data": {"me": {"name": "Lane Tester"}}}
    assert plain.headers["content-type"] == "application/json"
    assert refused.status_code == 200
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_get_without_csrf_header_is_refused(http: httpx.AsyncClient) -> None:
    # when
    response = await http.get("/graphql", params={"query": "{ __typename }"})
    # then
    assert response.status_code == 400
    assert "X-Docket-CSRF" in response.text


async def test_get_query_with_csrf_header_runs(http: httpx.AsyncClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Gina Get")
    # when
    response = await http.get(
        "/graphql",
        params={"query": ME},
        headers={"x-docket-csrf": "1", "authorization": f"Bearer {admin.token}"},
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"name": "Gina Get"}}}


async def test_get_cannot_run_mutations(http: httpx.AsyncClient) -> None:
    # when
    response = await http.get(
        "/graphql",
        params={"query": "mutation { logout { ok } }"},
        headers={"x-docket-csrf": "1"},
    )
    # then
    assert response.status_code in (400, 405)
    assert "mutation" in response.text.lower()


async def test_batched_operations_are_refused(http: httpx.AsyncClient) -> None:
    # when
    response = await http.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    # then
    assert response.status_code == 400


async def test_oversized_body_is_refused(http: httpx.AsyncClient) -> None:
    # given a body over the 1 MB default
    padding = "x" * 1_100_000
    # when
    response = await http.post("/graphql", json={"query": "{ __typename }", "pad": padding})
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_request_id_is_echoed_or_made(http: httpx.AsyncClient) -> None:
    # when
    given = await http.get("/healthz", headers={"x-request-id": "abc-123"})
    made = await http.get("/healthz")
    # then
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


async def test_cors_preflight_is_answered_for_configured_origins_only(
    http: httpx.AsyncClient,
) -> None:
    # when (the test settings configure no origin)
    response = await http.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    # then
    assert "access-control-allow-origin" not in response.headers


async def test_typename_needs_no_sign_in(gql: GraphQLClient) -> None:
    assert await gql("{ __typename }") == {"__typename": "Query"}


async def test_a_client_that_leaves_mid_body_is_no_server_error(
    server: Any, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given a client that announces a body and leaves half way through it
    body = b'{"query": "{ __typename }"}'
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(body) + 100}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await asyncio.sleep(0.2)
    with caplog.at_level(logging.ERROR):
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.3)
    # then nothing is logged as an error, and the API goes on answering
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await gql("{ __typename }") == {"__typename": "Query"}
