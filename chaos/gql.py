"""GraphQL over HTTP and WebSocket as a client sees it, and a verdict on every answer.

Each `Client` is one HTTP connection pool with its own client address (sent as
X-Forwarded-For; the cluster trusts 127.0.0.1 as its proxy), so simulated clients
are separate callers for the API's per-address budgets, as they would be behind a
load balancer. Every call has a timeout; transport failures are answers too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = [Subprotocol("graphql-transport-ws")]

# Answers that must never reach a client: a crash behind a generic message, an
# error without a code, a 5xx, or a stack trace.
UNEXPECTED = ("error:INTERNAL_SERVER_ERROR", "uncoded", "http:5", "trace")


@dataclass
class Answer:
    status: int | None
    body: Any
    text: str
    seconds: float
    transport: str | None = None

    def payload(self) -> dict[str, Any] | None:
        """The one root field's value (mutations here select one root field)."""
        if not isinstance(self.body, dict) or not isinstance(self.body.get("data"), dict):
            return None
        values = list(self.body["data"].values())
        return values[0] if len(values) == 1 and isinstance(values[0], dict) else None

    def error_codes(self) -> list[str | None]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        if not isinstance(errors, list):
            return []
        return [
            (e.get("extensions") or {}).get("code") if isinstance(e, dict) else None for e in errors
        ]

    def user_error_codes(self) -> list[str]:
        payload = self.payload()
        errors = (payload or {}).get("userErrors") or []
        return [str(e.get("code")) for e in errors]

    @property
    def outcome(self) -> str:
        """ "ok", "user:CODE", "error:CODE", "uncoded", "http:NNN", "trace" or
        "transport:KIND": what a client can tell from this answer."""
        if self.transport is not None:
            return f"transport:{self.transport}"
        if "Traceback (most recent call last)" in self.text:
            return "trace"
        codes = self.error_codes()
        if codes:
            return "uncoded" if None in codes else f"error:{codes[0]}"
        if self.status != 200:
            return f"http:{self.status}"
        if self.body is None or "data" not in self.body:
            return "uncoded"
        users = self.user_error_codes()
        return f"user:{users[0]}" if users else "ok"

    @property
    def unexpected(self) -> bool:
        return self.outcome.startswith(UNEXPECTED)


class Client:
    """One simulated client: its own connections and its own address."""

    def __init__(
        self, base_url: str, address: str = "10.0.0.1", timeout: float = 30.0, connections: int = 4
    ) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers={"x-forwarded-for": address},
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return await self.send(body, token)

    async def send(
        self,
        content: bytes,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/graphql",
        method: str = "POST",
    ) -> Answer:
        sent = {"content-type": "application/json", **(headers or {})}
        if token:
            sent["authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, content=content, headers=sent)
        except httpx.TimeoutException:
            return Answer(None, None, "", time.monotonic() - started, "timeout")
        except httpx.TransportError as error:
            return Answer(None, None, "", time.monotonic() - started, type(error).__name__)
        seconds = time.monotonic() - started
        text = response.text
        body: Any = None
        with contextlib.suppress(ValueError):
            body = response.json()
        return Answer(response.status_code, body, text[:2000], seconds)

    async def get(self, path: str) -> Answer:
        return await self.send(b"", path=path, method="GET")


async def must(client: Client, query: str, variables: dict[str, Any], token: str | None) -> Any:
    """A seeding call that must succeed: its payload (or data), else RuntimeError."""
    answer = await client.post(query, variables, token)
    if answer.outcome != "ok":
        raise RuntimeError(f"seeding call failed ({answer.outcome}): {answer.text[:500]}")
    return answer.payload() if answer.payload() is not None else answer.body["data"]


@dataclass
class Subscription:
    """One graphql-transport-ws socket with one subscription, recording how it ends.

    `ended` stays None while the operation runs; then it is "code:CODE" (an error
    frame or a `next` with errors), "complete", or "closed:<close code>" (the
    socket went away without a word: a silent end)."""

    url: str
    token: str
    query: str
    events: list[float] = field(default_factory=list)
    ended: str | None = None
    ended_at: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # an event or the end
    _ws: ClientConnection | None = None
    _task: asyncio.Task[None] | None = None

    async def open(self, seconds: float = 10.0) -> None:
        ws = await asyncio.wait_for(
            connect(self.url, subprotocols=PROTOCOL, open_timeout=seconds), seconds
        )
        self._ws = ws
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), seconds))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": self.query}}
        await ws.send(json.dumps(subscribe))
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                kind, payload = message.get("type"), message.get("payload")
                if kind == "ping":
                    await self._ws.send(json.dumps({"type": "pong"}))
                elif kind == "next" and isinstance(payload, dict) and payload.get("errors"):
                    self._end(_code(payload["errors"]))
                    return
                elif kind == "next":
                    self.events.append(time.monotonic())
                    self.changed.set()
                elif kind == "error":
                    self._end(_code(payload))
                    return
                elif kind == "complete":
                    self._end("complete")
                    return
        except ConnectionClosed:
            pass
        except Exception as error:  # any failure of the socket is an end without a code
            self._end(f"closed:{type(error).__name__}")
            return
        self._end(f"closed:{self._ws.close_code}")

    def _end(self, how: str) -> None:
        if self.ended is None:
            self.ended, self.ended_at = how, time.monotonic()
            self.changed.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 3)


def _code(errors: Any) -> str:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return f"code:{(errors[0].get('extensions') or {}).get('code')}"
    return "code:None"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]
