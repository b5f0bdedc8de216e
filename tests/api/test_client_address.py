"""Budgets per client address: X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.ports import free_port


@pytest.fixture
async def serve(
    server: Server, tmp_path: Path
) -> AsyncIterator[Callable[[str], Awaitable[DocketServe]]]:
    """A real `docket serve` (uvicorn resolves the client's address) with an anonymous
    budget of three `{ __typename }` a client, trusting the proxies it is given."""
    started: list[DocketServe] = []
    services = not server.settings.uses_sqlite

    async def start(trusted: str) -> DocketServe:
        api = DocketServe(
            tmp_path / str(len(started)),
            free_port(),
            database_url=server.settings.database_url if services else None,
            broker_url=server.settings.broker_url if services else None,
            spa_ports=(free_port(), free_port()),
        )
        api.env |= {
            "TRUSTED_PROXIES": trusted,
            "ANONYMOUS_POINTS_BURST": "3",
            "ANONYMOUS_POINTS_PER_SECOND": "0.001",
        }
        (tmp_path / str(len(started))).mkdir()
        started.append(api)
        await api.start()
        return api

    yield start
    for api in started:
        await api.stop()


async def _statuses(api: DocketServe, forwarded_for: list[str]) -> list[int]:
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        return [
            (
                await http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"x-forwarded-for": address},
                )
            ).status_code
            for address in forwarded_for
        ]


CLIENTS = ["198.51.100.1", "198.51.100.2"] * 3  # two clients, three requests each


async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(
    serve: Callable[[str], Awaitable[DocketServe]],
) -> None:
    # given an API that trusts no proxy
    api = await serve("")
    # when one peer sends six requests claiming two client addresses
    statuses = await _statuses(api, CLIENTS)
    # then they all pay from the peer's own budget: the fourth is refused
    assert statuses == [200, 200, 200, 429, 429, 429]


async def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(
    serve: Callable[[str], Awaitable[DocketServe]],
) -> None:
    # given an API behind a proxy on 127.0.0.1
    api = await serve("127.0.0.1")
    # when the proxy forwards three requests of each of two clients
    statuses = await _statuses(api, CLIENTS)
    # then each client pays from its own budget
    assert statuses == [200] * 6
