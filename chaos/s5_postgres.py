"""5. PostgreSQL restarted under load, a stand-in for a fail-over: first
`pg_ctl restart -m fast`, then `pg_ctl stop -m fast`, a few seconds down, and
`pg_ctl start` (a fail-over is not instant).

Measured: every error a client saw while the database was away (each must carry
a code a client can act on: no HTTP 500, no stack trace, no "Unexpected error"),
the time until both API processes answer mutations again, /readyz (503 while the
database is down, 200 after), and that no write the API confirmed was lost.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from chaos.audit import pk
from chaos.context import Context, readyz_poll, show, statuses, tally
from chaos.gql import Answer
from chaos.report import Row
from chaos.seed import DECLINE, SUBMIT

NAME = "postgres"
TITLE = "5. PostgreSQL restart"
RECOVERY_LIMIT = 10.0
NOTICE = 1.5  # seconds /readyz may still say 200 after the database went down


class Load:
    """Customers submit, reviewers decline, over both API processes, recording
    each answer with the API and the time it was sent."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.answers: list[tuple[float, int, Answer, str]] = []
        self.confirmed_submits: list[str] = []
        self.confirmed_declines: list[str] = []
        self.stop = asyncio.Event()

    async def worker(self, w: int) -> None:
        world = self.ctx.world
        customer = world.customer
        n = w
        while not self.stop.is_set():
            api = n % 2
            fields = {"siteId": customer.site_id, "serviceType": "REPAIR", "description": f"{n}"}
            started = time.monotonic()
            made = await world.clients[api].post(SUBMIT, {"input": fields}, customer.contact.token)
            self.answers.append((started, api, made, "submitServiceRequest"))
            request = (made.payload() or {}).get("serviceRequest")
            if made.outcome == "ok" and request:
                self.confirmed_submits.append(request["id"])
                reviewer = world.reviewers[n % len(world.reviewers)]
                variables = {"id": request["id"], "reason": "PostgreSQL restart test"}
                started = time.monotonic()
                decided = await world.clients[1 - api].post(DECLINE, variables, reviewer.token)
                self.answers.append((started, 1 - api, decided, "declineServiceRequest"))
                if decided.outcome == "ok":
                    self.confirmed_declines.append(request["id"])
            else:
                await asyncio.sleep(0.05)
            n += 4

    def recovered_after(self, back_at: float) -> float | None:
        """Seconds after `back_at` until every API has answered a mutation with success
        (counting only calls sent after `back_at`)."""
        firsts = []
        for api in (0, 1):
            done = [
                at + a.seconds
                for at, n, a, _ in self.answers
                if n == api and at >= back_at and a.outcome == "ok"
            ]
            if not done:
                return None
            firsts.append(min(done))
        return max(firsts) - back_at


async def _recover(load: Load, back_at: float) -> float | None:
    while time.monotonic() - back_at < 60:
        await asyncio.sleep(0.25)
        recovered = load.recovered_after(back_at)
        if recovered is not None:
            return recovered
    return None


async def _phase(ctx: Context, kind: str, times: int, hold: float) -> tuple[list[Row], Load]:
    """`times` restarts (or one stop, `hold` seconds down, start) under load."""
    cluster, world = ctx.cluster, ctx.world
    load = Load(ctx)
    ready: list[tuple[float, int, str, int]] = []
    tasks = [asyncio.create_task(load.worker(w)) for w in range(4)]
    poller = asyncio.create_task(readyz_poll(world.clients, load.stop, ready))
    recoveries: list[float | None] = []
    outages: list[float] = []
    down_from = down_until = time.monotonic()
    try:
        for _ in range(times):
            await asyncio.sleep(2)
            fault_at = time.monotonic()
            if kind == "restart":
                await cluster.pg_restart_fast()
            else:
                await cluster.pg_stop()
                down_from = time.monotonic()
                await asyncio.sleep(hold)
                down_until = time.monotonic()
                await cluster.pg_start()
            back_at = time.monotonic()
            outages.append(back_at - fault_at)
            recoveries.append(await _recover(load, back_at))
        await asyncio.sleep(2)
    finally:
        load.stop.set()
        await asyncio.gather(*tasks, poller, return_exceptions=True)
    # Every answer of the phase counts: a call sent just before the fault fails in it.
    window = [(a, what) for _, _, a, what in load.answers]
    unexpected = [(a, what) for a, what in window if a.unexpected]
    label = (
        f"restart -m fast x{times}"
        if kind == "restart"
        else f"stop -m fast, {hold:.0f} s down, start"
    )
    worst = None if None in recoveries else max(r for r in recoveries if r is not None)
    recovered_text = "never (60 s)" if worst is None else f"{worst:.1f} s"
    measured = (
        f"{len(window)} calls: {show(tally([a for a, _ in window]))};"
        f" both APIs answer mutations {recovered_text} after PostgreSQL is back"
        f" (fault to back: {max(outages):.1f} s)"
    )
    passed = worst is not None and worst < RECOVERY_LIMIT and not unexpected
    details = [
        f"{what} during pg_ctl {label}: {a.outcome} (HTTP {a.status}) {a.text[:300]}"
        for a, what in unexpected[:4]
    ]
    threshold = (
        "every error coded (no 5xx, trace or INTERNAL_SERVER_ERROR);"
        f" recovered < {RECOVERY_LIMIT:.0f} s"
    )
    rows = [
        Row(TITLE, f"{label}: client errors and recovery", measured, threshold, passed, details)
    ]
    if kind != "restart":
        down = statuses(ready, down_from + NOTICE, down_until)
        final = statuses(ready, ready[-1][0] - 1.0, ready[-1][0]) if ready else Counter()
        rows.append(
            Row(
                TITLE,
                f"{label}: /readyz",
                f"while down: {show(down)}; at the end: {show(final)}",
                "503 while the database is down, 200 after",
                bool(down) and all(k.startswith("503") for k in down) and set(final) == {"200 ok"},
                [],
            )
        )
    return rows, load


async def run(ctx: Context) -> list[Row]:
    rows, first = await _phase(ctx, "restart", ctx.pick(5, 1), 0)
    await asyncio.to_thread(ctx.cluster.heal)
    more, second = await _phase(ctx, "stop", 1, ctx.pick(5.0, 3.0))
    rows += more
    submits = first.confirmed_submits + second.confirmed_submits
    declines = set(first.confirmed_declines + second.confirmed_declines)
    found = await ctx.audit.decisions([pk(i) for i in submits])
    lost = [i for i in submits if pk(i) not in found]
    undone = [i for i in declines if found.get(pk(i), ("?", 0))[0] != "DECLINED"]
    rows.append(
        Row(
            TITLE,
            "no lost committed write",
            f"{len(submits)} confirmed submissions, {len(lost)} missing;"
            f" {len(declines)} confirmed declines, {len(undone)} not DECLINED",
            "0 confirmed writes missing",
            not lost and not undone and bool(submits),
            [f"service request {pk(i)} confirmed but missing" for i in lost]
            + [f"service request {pk(i)} decline confirmed but {found.get(pk(i))}" for i in undone],
        )
    )
    return rows
