"""A small graphql-transport-ws client for tests, over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        # Browsers' graphql-ws clients parse text frames only.
        assert isinstance(raw, str), f"a binary frame: {raw!r}"
        message: dict[str, Any] = json.loads(raw)
        return message

    async def next_data(self, field: str, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        """`field` of the data of the next message, which must be a `next` without errors."""
        message = await self.receive(timeout=timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"][field]
        return data

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


async def subscribed(
    stack: AsyncExitStack,
    url: str,
    token: str,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_id: str = "q",
) -> Socket:
    """A socket signed in with `token`, open until `stack` closes, subscribed to `query`."""
    ws = await stack.enter_async_context(socket(url, token))
    await ws.subscribe(operation_id, query, variables)
    return ws


def ending_codes(message: dict[str, Any]) -> list[str]:
    """The error codes ending an operation: an `error` frame, or a `next` with errors."""
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]
