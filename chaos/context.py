"""What every scenario gets: the cluster, the seeded world, the auditor, the mode."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from chaos.audit import Audit
from chaos.cluster import Cluster
from chaos.gql import Answer, Client
from chaos.seed import World

T = TypeVar("T")


@dataclass
class Context:
    cluster: Cluster
    world: World
    audit: Audit
    quick: bool

    def pick(self, full: T, quick: T) -> T:
        """The full run's count, or the smoke run's."""
        return quick if self.quick else full


def tally(answers: list[Answer]) -> Counter[str]:
    return Counter(answer.outcome for answer in answers)


def show(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {outcome}" for outcome, n in counts.most_common()) or "none"


def sample(answers: list[Answer], label: str, limit: int = 3) -> list[str]:
    """Up to `limit` unexpected answers, as reproducible detail lines."""
    found = [a for a in answers if a.unexpected][:limit]
    return [f"{label}: {a.outcome} (HTTP {a.status}) {a.text[:300]}" for a in found]


async def load(
    seconds: float,
    workers: int,
    step: Callable[[int], Awaitable[Answer]],
    record: list[tuple[float, Answer]],
    stop: asyncio.Event | None = None,
) -> None:
    """`workers` loops calling `step` for `seconds` (or until `stop`), recording
    (start time, answer) of each call."""
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def loop() -> None:
        while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
            started = time.monotonic()
            answer = await step(next(counter))
            record.append((started, answer))
            if answer.transport is not None:
                await asyncio.sleep(0.05)  # a refused connection answers at once

    await asyncio.gather(*(loop() for _ in range(workers)))


async def readyz_poll(
    clients: list[Client], stop: asyncio.Event, record: list[tuple[float, int, str, int]]
) -> None:
    """Poll every API's /readyz until `stop`: (time, HTTP status, status field, API)."""
    while not stop.is_set():
        for n, client in enumerate(clients):
            answer = await client.get("/readyz")
            status = answer.body.get("status", "?") if isinstance(answer.body, dict) else "-"
            record.append((time.monotonic(), answer.status or 0, str(status), n))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


def statuses(record: list[tuple[float, int, str, int]], start: float, end: float) -> Counter[str]:
    return Counter(f"{code} {status}" for at, code, status, _ in record if start <= at <= end)
