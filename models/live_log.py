"""The live event log: every event a change publishes, kept so subscribers can resume.

`record` writes a transaction's events at its very end, inside it (as the mail
outbox is written), and gives each its log id, which the published event
carries. Ids must become visible in id order: a reader that has seen id N must
never later find a committed id below N, or "everything after my cursor" would
miss it. SQLite has one writer at a time; on PostgreSQL each writer takes one
transaction-level advisory lock just before inserting its rows, so the lock is
held only from there to the commit, and the next writer draws its ids after this
one has committed.

Rows older than the retention window are purged (`purge`, run by housekeeping),
oldest first, so that a cursor whose row still exists has every later row too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

import orjson
from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.clock import now
from models.events import Event

# Signals, not changes: a "session" message tells open sockets to re-read their
# token. Replaying one later would mean nothing.
UNLOGGED_TYPES = frozenset({"session"})
LOG_ID = "log_id"  # the key of an event's log id in its published payload

# pg_advisory_xact_lock's key: one lock for every writer of the log.
_LOCK_KEY = 0x646F636B6574  # "docket"

# One statement: the lock is taken before any id is drawn (the ids' nextval() is
# computed above the join with `locked`), and no round trip is added to the change.
_POSTGRES_INSERT = """
WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock($1))
INSERT INTO live_events (channel, payload, created_at)
SELECT e.channel, e.payload::jsonb, $4
FROM locked, unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(channel, payload, n)
ORDER BY e.n
RETURNING id
"""


class LiveEvent(Model):
    """One published event, in commit order (`id`), for a retention window."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=200)
    payload: dict[str, Any] = fields.JSONField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "live_events"
        indexes = (("channel", "id"),)


def _logged(event: Event) -> bool:
    return event.payload.get("type") not in UNLOGGED_TYPES


async def record(connection: BaseDBAsyncClient, events: Sequence[Event]) -> list[Event]:
    """Write `events` to the log inside the caller's transaction, as its last statement.

    Returns the events to publish after commit: logged ones carry their log id.
    """
    kept = [event for event in events if _logged(event)]
    if not kept:
        return list(events)
    channels = [event.channel for event in kept]
    payloads = [orjson.dumps(event.payload).decode() for event in kept]
    at = now()
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(
            _POSTGRES_INSERT, [_LOCK_KEY, channels, payloads, at]
        )
    else:
        values = ", ".join(["(?, ?, ?)"] * len(kept))
        params: list[Any] = []
        for channel, payload in zip(channels, payloads, strict=True):
            params += [channel, payload, at]
        _, rows = await connection.execute_query(
            f"INSERT INTO live_events (channel, payload, created_at) VALUES {values} RETURNING id",
            params,
        )
    # Rows are numbered in the order they are inserted, which is the events' order.
    ids = iter(sorted(int(dict(row)["id"]) for row in rows))
    return [
        Event(event.channel, {**event.payload, LOG_ID: next(ids)}) if _logged(event) else event
        for event in events
    ]


async def latest() -> int:
    """The newest log id (0 for an empty log): where a new subscriber starts."""
    row = await LiveEvent.all().order_by("-id").only("id").first()
    return row.id if row is not None else 0


async def since(
    channels: Iterable[str], position: int, up_to: int | None, limit: int
) -> list[LiveEvent]:
    """Events of `channels` after `position` (and at most `up_to`), oldest first."""
    query = LiveEvent.filter(channel__in=list(channels), id__gt=position)
    if up_to is not None:
        query = query.filter(id__lte=up_to)
    return await query.order_by("id").limit(limit)


async def still_kept(position: int, retention: timedelta) -> bool:
    """Is `position` a logged event still inside the retention window? Purging removes
    the oldest rows first, so then every event after it is still there too."""
    row = await LiveEvent.filter(id=position).only("id", "created_at").first()
    return row is not None and row.created_at >= now() - retention


async def purge(retention: timedelta) -> int:
    """Delete the events older than `retention`: every id up to the newest of them, so
    the log stays a suffix (`still_kept`). Safe to run from several processes."""
    newest_old = (
        await LiveEvent.filter(created_at__lt=now() - retention).order_by("-id").only("id").first()
    )
    if newest_old is None:
        return 0
    return await LiveEvent.filter(id__lte=newest_old.id).delete()
