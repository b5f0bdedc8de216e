"""The event broker: in-process (`memory://`) or Redis pub/sub (`redis://`).

Both fan events out to local subscribers through one dispatcher per process, so
a thousand sockets on one process cost one Redis connection, not a thousand.
Beside pub/sub, a broker keeps a few expiring values every process must see
(persisted queries).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson

from models.errors import SubscriberTooSlow
from models.events import Event

log = logging.getLogger("docket.broker")
QUEUE_SIZE = 256


class Subscription:
    """Messages of one channel for one subscriber, in order, at most QUEUE_SIZE."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False

    def offer(self, message: dict[str, Any]) -> bool:
        """Queue `message`; False if the subscriber is too far behind to take it.

        Such a subscriber is dropped: a stalled client must not hold the process
        back or grow its memory, and must not miss messages without knowing. Its
        next read ends the subscription with SUBSCRIBER_TOO_SLOW; the client then
        subscribes again and lists what it missed (`notifications(after:)`).
        """
        if self.overflowed:
            return False
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.drop()
            return False
        return True

    def drop(self) -> None:
        """End this subscriber at its next read (SUBSCRIBER_TOO_SLOW)."""
        if not self.overflowed:
            self.overflowed = True
            log.warning("subscriber too far behind on %s; dropped", self.channel)

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self.overflowed:
            raise SubscriberTooSlow()
        return await self.queue.get()


class Broker:
    """Local fan-out shared by both backends; subclasses move messages between processes."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            self._deliver(event.channel, event.payload)

    def _deliver(self, channel: str, payload: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.offer(payload)

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        """One queue receiving the messages of every channel in `channels`, in order."""
        subscription = Subscription(",".join(channels))
        try:
            for channel in channels:
                self.attach(subscription, channel)
            yield subscription
        finally:
            for channel in channels:
                self.detach(subscription, channel)

    def attach(self, subscription: Subscription, channel: str) -> None:
        """Deliver `channel` to an existing subscription too. Both brokers already
        listen to every channel (locally, or through one Redis pattern), so this
        needs no round trip."""
        self._subscribers[channel].add(subscription)

    def detach(self, subscription: Subscription, channel: str) -> None:
        subscribers = self._subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[channel]

    def subscriber_count(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    async def get_value(self, key: str) -> str | None:
        raise NotImplementedError

    async def set_value(self, key: str, value: str, ttl_seconds: int) -> None:
        raise NotImplementedError


MEMORY_VALUES = 10_000  # the in-process store forgets its oldest values beyond this


class MemoryBroker(Broker):
    """One process: publishing is local delivery, values live in a bounded dict."""

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[str, tuple[str, float]] = {}

    async def get_value(self, key: str) -> str | None:
        found = self._values.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    async def set_value(self, key: str, value: str, ttl_seconds: int) -> None:
        self._values.pop(key, None)
        self._values[key] = (value, time.monotonic() + ttl_seconds)
        while len(self._values) > MEMORY_VALUES:
            del self._values[next(iter(self._values))]


class RedisBroker(Broker):
    """Any number of processes: PUBLISH to Redis, one reader task per process."""

    def __init__(self, url: str) -> None:
        super().__init__()
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        # Pub/sub ignores Redis database numbers: name channels after the database,
        # so deployments sharing one Redis on different databases never cross-talk.
        database = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"docket:{database}:"
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._redis.ping()
        # A pattern keeps the reader alive with no channel yet, and costs one round trip.
        await self._pubsub.psubscribe(f"{self.prefix}*")
        self._reader = asyncio.create_task(self._read(), name="docket-broker-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()

    async def publish(self, events: Iterable[Event]) -> None:
        batch = list(events)
        if not batch:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for event in batch:
                pipe.publish(self.prefix + event.channel, orjson.dumps(event.payload))
            await pipe.execute()

    async def get_value(self, key: str) -> str | None:
        value = await self._redis.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set_value(self, key: str, value: str, ttl_seconds: int) -> None:
        await self._redis.set(self.prefix + key, value, ex=ttl_seconds)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis broker read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "pmessage":
                continue
            channel = message["channel"].decode().removeprefix(self.prefix)
            self._deliver(channel, orjson.loads(message["data"]))


def create_broker(url: str) -> Broker:
    if url.startswith("memory://"):
        return MemoryBroker()
    return RedisBroker(url)


_current: Broker | None = None


def set_broker(broker: Broker | None) -> None:
    """The process's broker, set by the app's lifespan."""
    global _current
    _current = broker


async def publish(events: list[Event]) -> None:
    """Publish committed events; a broker outage must not fail a committed change."""
    if not events:
        return
    try:
        await current_broker().publish(events)
    except Exception:
        # The rows are committed; clients catch up by listing (notifications(after:)).
        log.exception("could not publish %d events", len(events))


def current_broker() -> Broker:
    if _current is None:
        raise RuntimeError("no broker: the app's lifespan has not started")
    return _current
