"""Periodic clean-up run by the worker (and by each API process's embedded worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from api import outages
from api.settings import Settings
from models import idempotency, live_log, photos
from models.storage import ObjectStore

log = logging.getLogger("docket.housekeeping")


async def purge_uploads(store: ObjectStore) -> int:
    """Remove uploads never completed within a day; safe to run from several processes."""
    purged = await photos.purge_stale_uploads(store)
    if purged:
        log.info("purged %d upload(s) never completed", purged)
    return purged


async def purge_live_events(settings: Settings) -> int:
    """Forget subscription events older than the retention window: a client resuming
    from one of them is told to refetch (CURSOR_EXPIRED)."""
    purged = await live_log.purge(timedelta(hours=settings.live_event_retention_hours))
    if purged:
        log.info("purged %d live event(s) past their retention", purged)
    return purged


async def purge_idempotency_keys() -> int:
    """Remove idempotency keys whose day has passed (they already count as absent)."""
    purged = await idempotency.purge_expired()
    if purged:
        log.info("purged %d expired idempotency key(s)", purged)
    return purged


async def purge_forever(settings: Settings, store: ObjectStore, stop: asyncio.Event) -> None:
    while not stop.is_set():
        # Each on its own: storage being down must not keep the event log growing.
        for what, purge in (
            ("stale uploads", lambda: purge_uploads(store)),
            ("live events", lambda: purge_live_events(settings)),
            ("expired idempotency keys", purge_idempotency_keys),
        ):
            try:
                await purge()
            except Exception as error:
                if outages.is_outage(error):
                    outages.report(error)
                else:
                    log.exception("purging %s failed; trying again later", what)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.purge_interval_seconds)
