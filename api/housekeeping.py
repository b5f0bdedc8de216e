"""Periodic clean-up run by the worker (and by each API process's embedded worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from api import outages
from api.settings import Settings
from models import photos
from models.storage import ObjectStore

log = logging.getLogger("docket.housekeeping")


async def purge_uploads(store: ObjectStore) -> int:
    """Remove uploads never completed within a day; safe to run from several processes."""
    purged = await photos.purge_stale_uploads(store)
    if purged:
        log.info("purged %d upload(s) never completed", purged)
    return purged


async def purge_forever(settings: Settings, store: ObjectStore, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await purge_uploads(store)
        except Exception as error:
            if outages.is_outage(error):
                outages.report(error)
            else:
                log.exception("purging stale uploads failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.purge_interval_seconds)
