"""Start-up and shut-down of one API process: database, broker, storage, embedded worker."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette

from api.broker import Broker, MemoryBroker, set_broker
from api.db import close_database, open_database
from api.housekeeping import purge_forever
from api.mailer import MailWorker
from api.redis_broker import RedisBroker
from api.settings import Settings
from api.storage import create_storage, set_storage
from api.webhooks import WebhookWorker
from models import images


def make_lifespan(
    settings: Settings,
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await open_database(settings.database_url)
        broker = create_broker(settings.broker_url)
        await broker.start()
        set_broker(broker)
        storage = create_storage(settings)
        await storage.start()
        set_storage(storage)
        stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        if settings.mail_worker:
            tasks.add(asyncio.create_task(MailWorker(settings).run_forever(stop)))
            tasks.add(asyncio.create_task(purge_forever(settings, storage, stop)))
        if settings.webhook_worker:
            tasks.add(asyncio.create_task(WebhookWorker(settings).run_forever(stop)))
        settle_collector()
        try:
            yield
        finally:
            stop.set()
            await _finish(tasks)
            set_storage(None)
            await storage.stop()
            set_broker(None)
            await broker.stop()
            await close_database()
            await asyncio.to_thread(images.close_pool)

    return lifespan


# Container allocations between collections of the youngest generation (Python's is 700).
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_collector() -> None:
    """Keep the cycle collector off the start-up objects and out of most requests.

    Measured on the dashboard list (bench/): with Python's defaults a request
    paid ~290 us in collections, mostly full passes over the ~120,000 objects
    of the schema, modules and pools that live as long as the process. Those
    are frozen (never scanned again), and the youngest generation is collected
    after 10,000 allocations instead of 700: ~10 us a request. Reference
    counting still frees everything that is not a cycle at once.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)


async def _finish(tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=10)


def create_broker(url: str) -> Broker:
    """The broker BROKER_URL names: this process alone, or Redis for all of them."""
    return MemoryBroker() if url.startswith("memory://") else RedisBroker(url)
