"""The Redis broker: pub/sub and shared values across any number of API processes.

Redis can be down, or hang (accept connections and never answer). Neither may
stop the API from starting, hold up a mutation, or leave subscribers waiting in
silence:

- a watchdog pings Redis every `PING_EVERY` seconds (each round trip bounded by
  `TIMEOUT`). When Redis stops answering, it logs one ERROR, ends every local
  subscription with LIVE_UPDATES_INTERRUPTED (clients subscribe again and list
  what they missed) and marks the broker down; when Redis answers again, it
  subscribes again and logs that too;
- while the broker is down, publishing is skipped at once (the changes are
  committed; lists show them), new subscriptions are refused with the same code,
  and shared values raise BrokerUnavailable (persisted queries then ask the
  client for the full text);
- every call to Redis is bounded by `TIMEOUT`; the first one to time out marks
  the broker down without waiting for the watchdog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import orjson
from redis.asyncio import Redis

from api.broker import Broker, BrokerUnavailable
from models.events import Event

log = logging.getLogger("docket.broker")
T = TypeVar("T")

PING_EVERY = 1.0
TIMEOUT = 0.5


class RedisBroker(Broker):
    """PUBLISH to Redis, one reader task and one watchdog per process."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis = Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
        # The pub/sub connection waits for messages as long as there are none: no read
        # timeout there (the watchdog tells a quiet Redis from a hung one).
        self._listener = Redis.from_url(url, socket_connect_timeout=TIMEOUT)
        # Pub/sub ignores Redis database numbers: name channels after the database,
        # so deployments sharing one Redis on different databases never cross-talk.
        database = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"docket:{database}:"
        self._pubsub: Any = None
        self._take = self._redis.register_script(_TAKE)
        self._tasks: list[asyncio.Task[None]] = []
        self.healthy = False

    async def start(self) -> None:
        """Starts whether or not Redis answers: the watchdog connects when it can."""
        if await self._answers():
            await self._listen()
        else:
            log.error("Redis does not answer: live updates are off until it does")
        self._tasks = [
            asyncio.create_task(self._read(), name="docket-broker-reader"),
            asyncio.create_task(self._watch(), name="docket-broker-watchdog"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_pubsub()
        await self._redis.aclose()
        await self._listener.aclose()

    async def check(self) -> bool:
        """Answering now, and subscribed (the watchdog may not have caught up yet)."""
        return await self._answers() and self.healthy

    async def _answers(self) -> bool:
        try:
            await self._bounded(self._redis.ping())
        except BrokerUnavailable:
            return False
        return True

    async def publish(self, events: Iterable[Event]) -> None:
        batch = list(events)
        if not batch or not self.healthy:
            return  # down: skipped at once, the watchdog has said so
        async with self._redis.pipeline(transaction=False) as pipe:
            for event in batch:
                pipe.publish(self.prefix + event.channel, orjson.dumps(event.payload))
            await self._bounded(pipe.execute())

    async def get_value(self, key: str) -> str | None:
        if not self.healthy:
            raise BrokerUnavailable
        value = await self._bounded(self._redis.get(self.prefix + key))
        return value.decode() if isinstance(value, bytes) else value

    async def set_value(self, key: str, value: str, ttl_seconds: int) -> None:
        if not self.healthy:
            raise BrokerUnavailable
        await self._bounded(self._redis.set(self.prefix + key, value, ex=ttl_seconds))

    async def take(self, key: str, points: float, burst: float, per_second: float) -> float:
        """One atomic script on Redis's own clock. Down or slow: nothing is limited
        (limits protect the service; they must not become its outage)."""
        if not self.healthy:
            return 0.0
        try:
            wait = await self._bounded(
                self._take(keys=[self.prefix + key], args=[points, burst, per_second])
            )
        except BrokerUnavailable:
            return 0.0
        return float(wait)

    async def forget_buckets(self, prefix: str) -> None:
        keys = [key async for key in self._redis.scan_iter(match=f"{self.prefix}{prefix}*")]
        if keys:
            await self._bounded(self._redis.delete(*keys))

    async def _bounded(self, call: Awaitable[T]) -> T:
        """One call to Redis, at most TIMEOUT; a failure marks the broker down."""
        try:
            return await asyncio.wait_for(call, TIMEOUT)
        except (OSError, TimeoutError, ConnectionError) as error:
            self._lost(error)
            raise BrokerUnavailable from error
        except Exception as error:  # redis-py's own ConnectionError, TimeoutError ...
            if type(error).__module__.startswith("redis"):
                self._lost(error)
                raise BrokerUnavailable from error
            raise

    def _lost(self, error: BaseException | None) -> None:
        if self.healthy:
            self.healthy = False
            log.error("Redis stopped answering (%s): live updates are interrupted", error)
            self.interrupt_all()

    async def _listen(self) -> None:
        """A fresh pub/sub connection on every channel (one pattern), then healthy."""
        await self._close_pubsub()
        pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
        try:
            await self._bounded(pubsub.psubscribe(f"{self.prefix}*"))
        except BrokerUnavailable:
            await _quietly(pubsub.aclose())
            return
        self._pubsub = pubsub
        self.healthy = True

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await _quietly(pubsub.aclose())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(PING_EVERY)
            alive = await self._answers()
            if alive and not self.healthy:
                await self._listen()
                if self.healthy:
                    log.info("Redis answers again: live updates resume for new subscriptions")
            elif not alive:
                self._lost(None)

    async def _read(self) -> None:
        while True:
            pubsub = self._pubsub
            if pubsub is None or not self.healthy:
                await asyncio.sleep(0.1)
                continue
            try:
                message = await pubsub.get_message(timeout=PING_EVERY)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if pubsub is self._pubsub:  # not one the watchdog has just replaced
                    self._lost(error)
                    await self._close_pubsub()
                continue
            if message is None or message.get("type") != "pmessage":
                continue
            channel = message["channel"].decode().removeprefix(self.prefix)
            self._deliver(channel, orjson.loads(message["data"]))


# KEYS[1]: the bucket; ARGV: points, burst, per second. Returns the seconds to wait
# (as a string: Lua numbers come back as integers), "0" when the points were taken.
_TAKE = """
local now = redis.call('TIME')
local at = tonumber(now[1]) + tonumber(now[2]) / 1000000
local points, burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'held', 'at')
local held = tonumber(state[1]) or burst
local since = tonumber(state[2]) or at
held = math.min(burst, held + math.max(0, at - since) * rate)
local wait = 0
if held >= points then held = held - points else wait = (points - held) / rate end
redis.call('HSET', KEYS[1], 'held', tostring(held), 'at', tostring(at))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


async def _quietly(closing: Awaitable[Any]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(closing, TIMEOUT)
