"""A production process (DOCKET_ENV=production) started with the CLI, as an operator would.

Introspection answers only signed-in admins; field suggestions are masked for
everyone else; GraphiQL is off.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from models.demo import DEMO_PASSWORD
from tests.ports import free_port

INTROSPECT = "{ __schema { queryType { name } } }"
TYPO = "{ acounts { totalCount } }"
LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token userErrors { code } }
}
"""


def _docket(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    env = {
        **os.environ,
        "DOCKET_ENV": "production",
        "DATABASE_URL": f"sqlite://{folder}/docket.sqlite3",
        "VAR_DIR": str(folder / "var"),
        "STORAGE_URL": f"file://{folder}/uploads",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    for command in (("migrate",), ("seed-demo",)):
        subprocess.run(_docket(*command), env=env, cwd=folder, check=True, capture_output=True)
    process = subprocess.Popen(
        _docket("serve", "--port", str(port)),
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
async def production(production_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=production_server, timeout=30) as client:
        for _ in range(200):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        yield client


async def _token(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"email": email, "password": DEMO_PASSWORD}}
    )
    token: str = response.json()["data"]["login"]["token"]
    return token


async def _post(client: httpx.AsyncClient, query: str, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    body: dict = response.json()
    return body


async def test_anonymous_gets_no_introspection(production: httpx.AsyncClient) -> None:
    body = await _post(production, INTROSPECT)
    assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()


async def test_non_admin_staff_and_portal_contacts_get_no_introspection(
    production: httpx.AsyncClient,
) -> None:
    for email in ("dispatch@demo.docket", "northwind@customer.demo"):
        body = await _post(production, INTROSPECT, await _token(production, email))
        assert body["errors"], email


async def test_admin_may_introspect(production: httpx.AsyncClient) -> None:
    body = await _post(production, INTROSPECT, await _token(production, "admin@demo.docket"))
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection_answered_to_an_admin_stays_closed_to_others(
    production: httpx.AsyncClient,
) -> None:
    # given an admin who introspected twice (the second time by the direct lane)
    query = "query Shape { __schema { queryType { name } } }"
    admin = await _token(production, "admin@demo.docket")
    for _ in range(2):
        assert await _post(production, query, admin) == {
            "data": {"__schema": {"queryType": {"name": "Query"}}}
        }
    # when a dispatcher sends the same text, then it is refused as before
    body = await _post(production, query, await _token(production, "dispatch@demo.docket"))
    assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()
    assert body.get("data") is None


async def test_field_suggestions_are_masked_except_for_admins(
    production: httpx.AsyncClient,
) -> None:
    anonymous = await _post(production, TYPO)
    admin = await _post(production, TYPO, await _token(production, "admin@demo.docket"))
    assert "Did you mean" not in anonymous["errors"][0]["message"]
    assert "Did you mean 'accounts'" in admin["errors"][0]["message"]


async def test_graphiql_is_off(production: httpx.AsyncClient) -> None:
    response = await production.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code in (400, 404)
    assert "graphiql" not in response.text.lower()


async def test_sockets_are_not_compressed_unless_configured(
    production: httpx.AsyncClient, production_server: str
) -> None:
    # given a client that offers permessage-deflate (websockets does by default)
    url = production_server.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        # then `docket serve` declines it: WS_COMPRESSION is off by default
        assert socket.response is not None
        assert "Sec-WebSocket-Extensions" not in socket.response.headers
