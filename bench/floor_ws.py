"""The fan-out floor: the same bytes pushed to the same sockets, with no GraphQL.

A bare Starlette WebSocket endpoint speaking just enough graphql-transport-ws
(init, ack, subscribe) and one Redis pattern subscription per process. POST
/trigger publishes the pending count; every process pushes the `next` message
the API would send to each of its sockets. Not part of the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import orjson
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

CHANNEL = "bench-floor:queue"


def create_app() -> Starlette:
    redis = Redis.from_url(os.environ.get("BROKER_URL", "redis://127.0.0.1:6379/9"))
    sockets: dict[WebSocket, str] = {}

    async def push(count: int) -> None:
        payload = {"data": {"serviceRequestQueueChanged": {"pendingCount": count}}}
        for socket, operation in list(sockets.items()):
            message = {"id": operation, "type": "next", "payload": payload}
            with contextlib.suppress(Exception):
                await socket.send_text(orjson.dumps(message).decode())

    async def read() -> None:
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(f"{CHANNEL}*")
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message and message.get("type") == "pmessage":
                await push(int(message["data"]))

    async def endpoint(socket: WebSocket) -> None:
        await socket.accept(subprotocol="graphql-transport-ws")
        try:
            while True:
                message = orjson.loads(await socket.receive_text())
                if message.get("type") == "connection_init":
                    await socket.send_text('{"type":"connection_ack"}')
                elif message.get("type") == "subscribe":
                    sockets[socket] = message["id"]
        except WebSocketDisconnect:
            pass
        finally:
            sockets.pop(socket, None)

    async def trigger(request: Request) -> Response:
        count = int((await request.body()) or b"0")
        await redis.publish(CHANNEL, str(count))
        return Response(b'{"ok":true}', media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reader = asyncio.create_task(read())
        yield
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await redis.aclose()

    return Starlette(
        routes=[WebSocketRoute("/graphql", endpoint), Route("/trigger", trigger, methods=["POST"])],
        lifespan=lifespan,
    )
