"""A browser SPA on another origin may send the Idempotency-Key header (its CORS
preflight allows it) and read Idempotent-Replayed (exposed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.ports import free_port


@pytest.fixture
async def spa_server(server: Server, tmp_path: Path) -> AsyncIterator[DocketServe]:
    """`docket serve` with one SPA origin in CORS_ORIGINS (its own SQLite file on the
    embedded run, the suite's PostgreSQL and Redis on the services run)."""
    services = not server.settings.uses_sqlite
    serve = DocketServe(
        tmp_path,
        free_port(),
        database_url=server.settings.database_url if services else None,
        broker_url=server.settings.broker_url if services else None,
        spa_ports=(free_port(), free_port()),
    )
    await serve.start()
    yield serve
    await serve.stop()


async def test_a_browser_may_send_the_key_and_read_the_replay_header(
    spa_server: DocketServe,
) -> None:
    origin = f"http://127.0.0.1:{spa_server.spa_ports[0]}"
    async with httpx.AsyncClient(base_url=spa_server.url, timeout=30) as browser:
        # when the SPA's browser asks before a keyed POST
        preflight = await browser.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type,authorization,idempotency-key",
            },
        )
        # then it may send the key
        assert preflight.status_code == 200, preflight.text
        allowed = {h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
        assert "idempotency-key" in allowed

        # and the answers let its script read whether they were replayed
        answer = await browser.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": origin}
        )
        exposed = {h.strip() for h in answer.headers["access-control-expose-headers"].split(",")}
        assert "idempotent-replayed" in exposed
