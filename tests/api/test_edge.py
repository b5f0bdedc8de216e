"""The edge middleware on its own: request IDs, the body cap and CORS in one layer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from api.logs import request_id
from api.middleware import EdgeMiddleware

ORIGIN = "https://app.example"


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body; answers its size and the request ID the logs would show."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = f"{size} {request_id.get()}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def edge() -> AsyncIterator[httpx.AsyncClient]:
    app = EdgeMiddleware(
        echo,
        max_bytes=100,
        path_limits={"/upload": 1000},
        cors_options={
            "allow_origins": [ORIGIN],
            "allow_methods": ["POST"],
            "allow_headers": ["content-type"],
            "expose_headers": ["x-request-id"],
        },
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge.test") as client:
        yield client


async def test_the_request_id_is_the_one_the_logs_see(edge: httpx.AsyncClient) -> None:
    # when
    response = await edge.post("/", content=b"abc", headers={"x-request-id": "req-7"})
    # then
    assert response.text == "3 req-7" and response.headers["x-request-id"] == "req-7"


async def test_an_insane_request_id_is_replaced(edge: httpx.AsyncClient) -> None:
    # when
    response = await edge.post("/", content=b"", headers={"x-request-id": "a b\nc"})
    # then
    made = response.headers["x-request-id"]
    assert len(made) == 32 and response.text == f"0 {made}"


async def test_a_streamed_body_over_the_cap_is_refused(edge: httpx.AsyncClient) -> None:
    # given a body with no declared length, over the 100 bytes allowed
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 30

    # when
    response = await edge.post("/", content=chunks())
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "x-request-id" in response.headers


async def test_a_path_has_its_own_cap(edge: httpx.AsyncClient) -> None:
    # when
    within = await edge.post("/upload", content=b"x" * 500)
    over = await edge.post("/upload", content=b"x" * 1001)
    # then
    assert within.status_code == 200 and within.text.startswith("500 ")
    assert over.status_code == 413


async def test_a_configured_origin_gets_cors_headers(edge: httpx.AsyncClient) -> None:
    # when
    preflight = await edge.options(
        "/", headers={"origin": ORIGIN, "access-control-request-method": "POST"}
    )
    simple = await edge.post("/", content=b"ab", headers={"origin": ORIGIN})
    # then
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert simple.headers["access-control-expose-headers"] == "x-request-id"
    assert simple.text.startswith("2 ") and "x-request-id" in simple.headers


async def test_another_origin_is_refused_its_preflight(edge: httpx.AsyncClient) -> None:
    # when
    preflight = await edge.options(
        "/", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    simple = await edge.post("/", content=b"", headers={"origin": "https://evil.example"})
    # then
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_a_cross_origin_body_over_the_cap_is_refused_with_cors_headers(
    edge: httpx.AsyncClient,
) -> None:
    # when (the browser can read the 413 only with the CORS headers)
    response = await edge.post("/", content=b"x" * 101, headers={"origin": ORIGIN})
    # then
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in response.headers
