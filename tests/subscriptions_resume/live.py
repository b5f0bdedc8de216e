"""What the resume tests share: reading events with their cursors, with deadlines."""

from __future__ import annotations

import time
from typing import Any

from tests.ws import Socket

ADDED = """
subscription Added($after: String) { notificationAdded(after: $after) { kind title } }
"""
FOLLOW = """
subscription Follow($id: ID!, $after: String) {
  accountRequestUpdated(id: $id, after: $after) { number note }
}
"""
QUEUE = """
subscription Queue($after: String) { serviceRequestQueueChanged(after: $after) { pendingCount } }
"""


async def events(
    ws: Socket,
    field: str,
    count: int,
    seconds: float = 30.0,
) -> list[tuple[dict[str, Any], str]]:
    """The next `count` events of `field`, each (data, cursor); fails at the deadline,
    on an error, or on any frame that is not such an event."""
    deadline = time.monotonic() + seconds
    received: list[tuple[dict[str, Any], str]] = []
    while len(received) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"{len(received)} of {count} events within {seconds} s"
        try:
            message = await ws.receive(timeout=left)
        except TimeoutError:
            raise AssertionError(
                f"{len(received)} of {count} events within {seconds} s: {received}"
            ) from None
        assert message["type"] == "next", message
        payload = message["payload"]
        assert "errors" not in payload, payload
        received.append((payload["data"][field], payload["extensions"]["cursor"]))
    return received


async def ending(ws: Socket, seconds: float = 10.0) -> dict[str, Any]:
    """The first error ending the operation (a `next` with errors, or an `error`)."""
    message = await ws.receive(timeout=seconds)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors, message
    first: dict[str, Any] = errors[0]
    return first
