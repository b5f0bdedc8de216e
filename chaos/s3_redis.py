"""3. Redis killed (kill -9) and, separately, hung (SIGSTOP) for 30 s while
customers and reviewers keep mutating and subscribers are connected.

Measured per fault: the mutations' success rate and p99 latency during the fault
(they must not wait on Redis), how open subscriptions ended (each with
LIVE_UPDATES_INTERRUPTED; none left hanging in silence), how long after Redis
returns a new subscription receives live updates again, and /readyz: "degraded"
(200) during, "ok" after.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

from chaos.context import Context, readyz_poll, sample, show, statuses, tally
from chaos.gql import Answer, Subscription, percentile
from chaos.report import Row
from chaos.seed import DECLINE, SUBMIT

NAME = "redis"
TITLE = "3. Redis killed / hung"
QUEUE = "subscription { serviceRequestQueueChanged { pendingCount } }"
INTERRUPTED = "code:LIVE_UPDATES_INTERRUPTED"
NOTICE = 5.0  # seconds the watchdog (a ping a second, 0.5 s each) gets to notice
P99_LIMIT = 1.0
RECOVERY_LIMIT = 10.0


async def _subscribers(ctx: Context, count: int) -> list[Subscription]:
    subs = []
    for n in range(count):
        reviewer = ctx.world.reviewers[n % len(ctx.world.reviewers)]
        url = ctx.cluster.urls[n % 2].replace("http", "ws") + "/graphql"
        sub = Subscription(url, reviewer.token, QUEUE)
        await sub.open()
        subs.append(sub)
    return subs


async def _live(ctx: Context, seconds: float) -> bool:
    """A fresh subscription on API 1 receives an event caused on API 0."""
    reviewer = ctx.world.reviewers[0]
    url = ctx.cluster.urls[1].replace("http", "ws") + "/graphql"
    sub = Subscription(url, reviewer.token, QUEUE)
    try:
        await sub.open(seconds=5)
        await asyncio.sleep(0.5)  # a refusal arrives at once
        if sub.ended is not None:
            return False
        customer = ctx.world.customer
        fields = {"siteId": customer.site_id, "serviceType": "OTHER", "description": "probe"}
        await ctx.world.clients[0].post(SUBMIT, {"input": fields}, customer.contact.token)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sub.changed.wait(), seconds)
        return bool(sub.events)
    except (OSError, RuntimeError, TimeoutError):
        return False
    finally:
        await sub.close()


async def _phase(ctx: Context, fault: str, hold: float) -> list[Row]:
    world, cluster = ctx.world, ctx.cluster
    subs = await _subscribers(ctx, ctx.pick(40, 10))
    baseline_live = await _live(ctx, 3)
    answers: list[tuple[float, Answer]] = []
    stop = asyncio.Event()
    ready: list[tuple[float, int, str, int]] = []
    customer = world.customer

    async def worker(w: int) -> None:
        n = w
        while not stop.is_set():
            fields = {"siteId": customer.site_id, "serviceType": "REPAIR", "description": f"{n}"}
            started = time.monotonic()
            made = await world.clients[n % 2].post(
                SUBMIT, {"input": fields}, customer.contact.token
            )
            answers.append((started, made))
            request = (made.payload() or {}).get("serviceRequest")
            if request:
                reviewer = world.reviewers[n % len(world.reviewers)]
                started = time.monotonic()
                variables = {"id": request["id"], "reason": "Redis fault test"}
                decided = await world.clients[(n + 1) % 2].post(DECLINE, variables, reviewer.token)
                answers.append((started, decided))
            elif made.transport is not None:
                await asyncio.sleep(0.05)
            n += 4

    tasks = [asyncio.create_task(worker(w)) for w in range(4)]
    poller = asyncio.create_task(readyz_poll(world.clients, stop, ready))
    fault_at = back_at = time.monotonic()
    recovered: float | None = None
    try:
        await asyncio.sleep(2)
        fault_at = time.monotonic()
        if fault == "kill -9":
            cluster.redis.kill9()
        else:
            cluster.redis.sigstop()
        await asyncio.sleep(hold)
        if fault == "kill -9":
            await asyncio.to_thread(cluster.start_redis)
        else:
            cluster.redis.sigcont()
        back_at = time.monotonic()
        while time.monotonic() - back_at < 60:
            if await _live(ctx, 2):
                recovered = time.monotonic() - back_at
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)
    finally:
        stop.set()
        await asyncio.gather(*tasks, poller, return_exceptions=True)
        ended = Counter(sub.ended or "still open (silent)" for sub in subs)
        late = [sub.ended_at - fault_at for sub in subs if sub.ended_at is not None] or [0.0]
        for sub in subs:
            await sub.close()
    during = [a for at, a in answers if fault_at <= at <= back_at]
    ok = sum(1 for a in during if a.outcome == "ok")
    p99 = percentile([a.seconds for a in during], 0.99)
    noticed = statuses(ready, fault_at + NOTICE, back_at)
    after_ready = [status for at, code, status, _ in ready if at >= back_at + (recovered or 0)]
    final = statuses(ready, ready[-1][0] - 1.0, ready[-1][0]) if ready else Counter()
    label = f"{fault} for {hold:.0f} s"
    interrupted = ended.get(INTERRUPTED, 0)
    recovered_text = "never (60 s)" if recovered is None else f"{recovered:.1f} s"
    return [
        Row(
            TITLE,
            f"{label}: mutations",
            f"{ok}/{len(during)} succeeded during the fault ({show(tally(during))});"
            f" p99 {p99 * 1000:.0f} ms",
            f"100 % succeed; p99 < {P99_LIMIT * 1000:.0f} ms (Redis calls are bounded by 0.5 s)",
            bool(during) and ok == len(during) and p99 < P99_LIMIT,
            sample(during, f"submit/decline during Redis {fault}"),
        ),
        Row(
            TITLE,
            f"{label}: open subscriptions",
            f"{interrupted}/{len(subs)} ended LIVE_UPDATES_INTERRUPTED (last after"
            f" {max(late):.1f} s); {show(ended)}; live before the fault: {baseline_live}",
            f"every one ends LIVE_UPDATES_INTERRUPTED within {NOTICE:.0f} s; none silent",
            baseline_live and interrupted == len(subs) and max(late) <= NOTICE,
            [f"subscription ended {how}" for how in ended if how != INTERRUPTED],
        ),
        Row(
            TITLE,
            f"{label}: recovery and /readyz",
            f"live updates again {recovered_text} after Redis returned; /readyz during:"
            f" {show(noticed)}; at the end: {show(final)}",
            f"live again < {RECOVERY_LIMIT:.0f} s; /readyz 200 degraded during, 200 ok after",
            recovered is not None
            and recovered < RECOVERY_LIMIT
            and set(noticed) == {"200 degraded"}
            and set(final) == {"200 ok"}
            and bool(after_ready),
            [],
        ),
    ]


async def run(ctx: Context) -> list[Row]:
    hold = ctx.pick(30.0, 8.0)
    rows = await _phase(ctx, "kill -9", hold)
    with contextlib.suppress(RuntimeError):
        await asyncio.to_thread(ctx.cluster.heal)
    rows += await _phase(ctx, "SIGSTOP", hold)
    return rows
