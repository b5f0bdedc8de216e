"""Real-time events raised by domain operations, published only after commit.

An operation calls `publish_after_commit(channel, payload)` inside its
transaction; the runner that opened the transaction publishes the collected
events once it has committed, and drops them on rollback. Events carry IDs, not
data: every subscriber re-reads what it may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    channel: str
    payload: dict[str, Any] = field(default_factory=dict)


_pending: ContextVar[list[Event] | None] = ContextVar("docket_pending_events", default=None)


def publish_after_commit(channel: str, **payload: Any) -> None:
    """Queue an event for after the surrounding transaction commits."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("publish_after_commit needs collect_events() around the transaction")
    pending.append(Event(channel, payload))


@contextmanager
def collect_events() -> Iterator[list[Event]]:
    """Collect the events of one transaction; the caller publishes them after commit."""
    events: list[Event] = []
    token = _pending.set(events)
    try:
        yield events
    finally:
        _pending.reset(token)


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def contact_channel(contact_id: int) -> str:
    return f"contact:{contact_id}"
