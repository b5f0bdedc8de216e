"""Pure ASGI middleware at the edge: request IDs on every log line, a cap on body
size, and CORS for the requests that are cross-origin."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import orjson
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class EdgeMiddleware:
    """What every request passes first, in one layer.

    - X-Request-ID: taken from the client when sane, else made; set for the logs
      and echoed back on the response.
    - Bodies over `max_bytes` (or a path's own limit in `path_limits`: the file
      backend's upload endpoint takes photos far larger than any GraphQL body) are
      refused with 413, whether declared or streamed.
    - CORS (`cors_options`, Starlette's CORSMiddleware) for requests that carry an
      Origin header; for the rest it has nothing to do.

    One layer rather than three: each layer is a coroutine frame that every resumption
    of the request's task passes through again (a list request's statements resume it
    about twenty times), measured at ~50 us of a review queue request (bench/).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        path_limits: dict[str, int] | None = None,
        cors_options: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}
        # Cross-origin requests: CORS first, so a 413 carries its headers too.
        self.cross_origin = CORSMiddleware(self._capped, **(cors_options or {}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SAFE_ID.match(given) else os.urandom(16).hex()  # as uuid4().hex, unbuilt
        token = request_id.set(rid)
        try:
            if kind == "websocket":
                # A socket's messages carry no headers; its body is no request body.
                await self.app(scope, receive, send)
            elif b"origin" in headers:
                await self.cross_origin(scope, receive, _with_request_id(send, rid))
            else:
                await self._capped(scope, receive, _with_request_id(send, rid), headers)
        finally:
            request_id.reset(token)

    async def _capped(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes] | None = None,
    ) -> None:
        """The app, with its request body capped at the path's limit."""
        limit = self.path_limits.get(scope["path"], self.max_bytes)
        declared = (headers or dict(scope.get("headers") or ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(send)


def _with_request_id(send: Send, rid: str) -> Send:
    header = (b"x-request-id", rid.encode())

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: Sequence[tuple[bytes, bytes]] = message.get("headers", ())
            message["headers"] = [*headers, header]
        await send(message)

    return send_with_id


class BodyTooLarge(Exception):
    """Raised from `receive` when a body passes its limit; the middleware answers 413."""


async def _too_large(send: Send) -> None:
    body = orjson.dumps(
        {
            "errors": [
                {"message": "Request body too large.", "extensions": {"code": "PAYLOAD_TOO_LARGE"}}
            ]
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
