"""A WebSocket message is no larger than a request body, before sign-in too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.ports import free_port


@pytest.fixture
async def served(server: Server, tmp_path: Path) -> AsyncIterator[DocketServe]:
    """A real `docket serve` (its uvicorn settings are what is tested)."""
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


async def test_a_frame_larger_than_a_request_body_closes_the_socket(served: DocketServe) -> None:
    # given a socket that has not signed in yet
    async with connect(
        served.ws_url, subprotocols=["graphql-transport-ws"], max_size=None
    ) as connection:
        # when it sends a 2 MB frame (a request body may hold 1 MB)
        await connection.send(
            '{"type": "connection_init", "payload": {"x": "' + "a" * 2_000_000 + '"}}'
        )
        # then the server closes it as too big, without reading it into memory
        with pytest.raises(ConnectionClosed) as closed:
            await connection.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
