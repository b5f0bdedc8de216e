"""Real-time events raised by domain operations, published only after commit.

An operation calls `publish_after_commit(channel, payload)` inside its
transaction; the runner that opened the transaction publishes the collected
events once it has committed, and drops them on rollback. Events carry IDs, not
data: every subscriber re-reads what it may see.

A transaction may enclose the runner's (an idempotent request, `api.idempotency`,
runs the mutation inside the transaction that keeps its answer): the runner's
transaction is then a savepoint, and what it would do after its commit waits in
`hold_until_commit()` for the enclosing transaction's commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
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


@dataclass
class Held:
    """What inner transactions committed for after the enclosing one commits."""

    events: list[Event] = field(default_factory=list)
    actions: list[Callable[[], Awaitable[object]]] = field(default_factory=list)


_held: ContextVar[Held | None] = ContextVar("docket_held_after_commit", default=None)


@contextmanager
def hold_until_commit() -> Iterator[Held]:
    """Around a transaction enclosing others: their events and after-commit actions wait
    here; the caller runs them once it has committed, and drops them on rollback."""
    held = Held()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def holder() -> Held | None:
    """Where a committed inner transaction leaves its after-commit work, if enclosed."""
    return _held.get()


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def contact_channel(contact_id: int) -> str:
    return f"contact:{contact_id}"
