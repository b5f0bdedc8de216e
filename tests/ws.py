"""A small graphql-transport-ws client for tests, over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        # Browsers' graphql-ws clients parse text frames only.
        assert isinstance(raw, str), f"a binary frame: {raw!r}"
        message: dict[str, Any] = json.loads(raw)
        return message

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        await self.send(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await self.receive(timeout=seconds)
        except TimeoutError:
            return True
        return False


@asynccontextmanager
async def socket(url: str, token: str | None) -> AsyncIterator[Socket]:
    """An initialised socket (connection_ack received) signed in with `token`."""
    async with connect(url, subprotocols=["graphql-transport-ws"]) as connection:
        ws = Socket(connection)
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send({"type": "connection_init", "payload": payload})
        ack = await ws.receive()
        assert ack["type"] == "connection_ack", ack
        yield ws
