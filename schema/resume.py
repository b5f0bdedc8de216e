"""Subscriptions that resume: event cursors, and reading the live event log in order.

Every event of `notificationAdded`, `accountRequestUpdated` and
`serviceRequestQueueChanged` names its place in the live event log
(`models.live_log`) with a cursor, sent in the `next` payload's `extensions`.
A client that reconnects with `after: <cursor>` first receives the events it
missed, then live ones: the broker's messages only wake a subscriber, which then
reads its channels' log from where it is, so events arrive in commit order, each
once, whatever order the broker delivered them in (several processes publish to
Redis independently). See docs/api.md, "Subscriptions that resume".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import orjson

from fastpath.shared_events import held
from models import live_log
from models.errors import CursorExpired, InputError

# The cursor of the event the current subscription operation is sending (its task's
# own context): `schema.extensions` puts it in the `next` payload's extensions.
CURSOR: ContextVar[str | None] = ContextVar("docket_live_cursor", default=None)
PAGE = 100  # log rows read at a time
_MAX_ID = 2**63 - 1

AFTER_DESCRIPTION = (
    "Resume after this event: the cursor (`extensions.cursor` of a `next` message) of "
    "the last event received. Events missed since are sent first, in order, then live "
    "ones, none twice. Events are kept for the server's retention window (24 hours by "
    "default): an older cursor ends the subscription with CURSOR_EXPIRED (fetch the "
    "current state again, then subscribe without `after`). A malformed one is "
    "BAD_USER_INPUT."
)


def encode_cursor(log_id: int) -> str:
    raw = orjson.dumps(["live", log_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str = "after") -> int:
    """The log id a cursor names; BAD_USER_INPUT naming `argument` for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, log_id = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if tag == "live" and type(log_id) is int and 0 < log_id <= _MAX_ID:
            return log_id
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        pass
    raise InputError(f"`{argument}` is not a cursor of this subscription.")


async def check_kept(log_id: int, retention_hours: int) -> None:
    """CURSOR_EXPIRED unless every event after `log_id` is still in the log."""
    if not await live_log.still_kept(log_id, timedelta(hours=retention_hours)):
        raise CursorExpired()


def cursor_of(message: dict[str, Any]) -> str | None:
    log_id = message.get(live_log.LOG_ID)
    return encode_cursor(log_id) if isinstance(log_id, int) else None


class LogReader:
    """Where one subscriber (or one group of them) is in the log of its channels.

    `position` is the last event delivered (the caller moves it, `delivered`); only
    events after it are read, so none is delivered twice, and in id (= commit)
    order, so none is skipped. Yields (log id, message) pairs.
    """

    def __init__(self, channels: Sequence[str], kind: str, position: int) -> None:
        self.channels = list(channels)
        self.kind = kind
        self.position = position

    def delivered(self, log_id: int | None) -> None:
        if log_id is not None and log_id > self.position:
            self.position = log_id

    async def catch_up(
        self, between_pages: Callable[[], Awaitable[None]]
    ) -> AsyncGenerator[tuple[int | None, dict[str, Any]], None]:
        """Every event after `position`, oldest first; `between_pages` runs before each
        page (the session check: a replay does not outlive a logout)."""
        read = self.position
        while True:
            await between_pages()
            rows = await live_log.since(self.channels, read, None, PAGE)
            for row in rows:
                read = row.id
                if row.payload.get("type") == self.kind:
                    yield row.id, {**row.payload, live_log.LOG_ID: row.id}
            if len(rows) < PAGE:
                return

    async def up_to(
        self, message: dict[str, Any]
    ) -> AsyncGenerator[tuple[int | None, dict[str, Any]], None]:
        """The events up to this live `message` not delivered yet: itself, and any
        committed before it whose own message has not arrived yet (or never will)."""
        log_id = message.get(live_log.LOG_ID)
        if not isinstance(log_id, int):
            yield None, message  # not logged (published outside run_in_transaction)
            return
        read = self.position
        while log_id > read:
            rows = await _read_once(message, self.channels, read, log_id)
            if not rows:
                return
            if len(rows) == 1 and rows[0].id == log_id:
                # The usual case: this very message, whose one object every local
                # subscriber shares (`schema.live.shared`).
                yield log_id, message
                return
            for row in rows:
                read = row.id
                if row.payload.get("type") == self.kind:
                    yield row.id, {**row.payload, live_log.LOG_ID: row.id}


def _read_once(
    message: dict[str, Any], channels: list[str], position: int, up_to: int
) -> Awaitable[list[live_log.LiveEvent]]:
    """One read of the log per live message, process, channels and position: the
    broker hands the same message object to every local subscriber, and those that
    are caught up stand at the same position."""
    slot = f"_log:{','.join(channels)}:{position}"
    read: Awaitable[list[live_log.LiveEvent]] | None = message.get(slot)
    if read is None:
        read = message[slot] = held(live_log.since(channels, position, up_to, PAGE))
    return read
