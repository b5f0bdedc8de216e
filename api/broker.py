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

from models.errors import LiveUpdatesInterrupted, SubscriberTooSlow
from models.events import Event

log = logging.getLogger("docket.broker")
QUEUE_SIZE = 256


_WAKE: dict[str, Any] = {"type": "_wake"}


class Subscription:
    """Messages of one channel for one subscriber, in order, at most QUEUE_SIZE."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False
        self.interrupted = False

    def interrupt(self) -> None:
        """End this subscriber at once: the broker lost its link, so messages may be
        missing (LIVE_UPDATES_INTERRUPTED; the client subscribes again and lists)."""
        self.interrupted = True
        with contextlib.suppress(asyncio.QueueFull):  # a full queue is read at once anyway
            self.queue.put_nowait(_WAKE)

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
        if not self.interrupted:
            message = await self.queue.get()
            if message is not _WAKE:
                return message
        raise LiveUpdatesInterrupted()


class Broker:
    """Local fan-out shared by both backends; subclasses move messages between processes."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    healthy = True  # can it move messages and values between processes right now?

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def check(self) -> bool:
        """Is the broker reachable now (a fresh round trip, for /readyz)?"""
        return True

    def interrupt_all(self) -> None:
        """End every local subscription (see `Subscription.interrupt`)."""
        for subscribers in list(self._subscribers.values()):
            for subscription in list(subscribers):
                if isinstance(subscription, Subscription):
                    subscription.interrupt()

    async def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            self._deliver(event.channel, event.payload)

    def _deliver(self, channel: str, payload: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.offer(payload)

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        """One queue receiving the messages of every channel in `channels`, in order.
        Refused while the broker is unreachable: nothing would arrive."""
        if not self.healthy:
            raise LiveUpdatesInterrupted()
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
        """A shared value, None if unknown; BrokerUnavailable if it cannot be asked."""
        raise NotImplementedError

    async def set_value(self, key: str, value: str, ttl_seconds: int) -> None:
        """Keep a value for every process; BrokerUnavailable if it cannot."""
        raise NotImplementedError

    async def take(self, key: str, points: float, burst: float, per_second: float) -> float:
        """Take `points` from the token bucket `key` (holding up to `burst`, refilled at
        `per_second`), shared by every process. 0 when taken; else the seconds until
        there would be enough, and nothing is taken."""
        raise NotImplementedError

    async def forget_buckets(self, prefix: str) -> None:
        """Drop every bucket whose key starts with `prefix` (full again at their next use)."""
        raise NotImplementedError


class BrokerUnavailable(Exception):
    """The broker cannot be reached (or did not answer in time) right now."""


MEMORY_VALUES = 10_000  # the in-process store forgets its oldest values beyond this


class MemoryBroker(Broker):
    """One process: publishing is local delivery, values and buckets live in bounded
    dicts (the embedded backend runs one process: its counters are all there are)."""

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[str, tuple[str, float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (points, at)

    async def take(self, key: str, points: float, burst: float, per_second: float) -> float:
        at = time.monotonic()
        held, since = self._buckets.pop(key, (burst, at))
        held = min(burst, held + (at - since) * per_second)
        wait = 0.0 if held >= points else (points - held) / per_second
        self._buckets[key] = (held - points if not wait else held, at)
        while len(self._buckets) > MEMORY_VALUES:
            del self._buckets[next(iter(self._buckets))]
        return wait

    async def forget_buckets(self, prefix: str) -> None:
        for key in [key for key in self._buckets if key.startswith(prefix)]:
            del self._buckets[key]

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


_current: Broker | None = None


def set_broker(broker: Broker | None) -> None:
    """The process's broker, set by the app's lifespan."""
    global _current
    _current = broker


async def publish(events: list[Event]) -> None:
    """Publish committed events; a broker outage must not fail a committed change, nor
    hold it up (a broker known to be down is not even asked, see `RedisBroker`)."""
    if not events:
        return
    try:
        await current_broker().publish(events)
    except Exception:
        # The rows are committed; clients catch up by listing (notifications(after:)).
        # The broker's own watchdog reports the outage; this is one of its casualties.
        log.warning("could not publish %d events", len(events), exc_info=True)


def current_broker() -> Broker:
    if _current is None:
        raise RuntimeError("no broker: the app's lifespan has not started")
    return _current
