"""4. An API process killed (kill -9) while approvals are in flight through it.

Pending service requests are approved all at once through API 0 by as many
reviewers; once a tenth have answered, API 0 is killed. Its clients retry what
was cut off on API 1 (answered: approved, or ALREADY_DECIDED when the cut-off call
had committed). Afterwards nothing may be half-written anywhere in the database
(every APPROVED request has exactly one job, no job belongs to a request that is
not approved, every decision has its mail), and every approval's mail is
delivered exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from chaos.audit import pk
from chaos.context import Context, sample, show, tally
from chaos.gql import Answer, Client
from chaos.report import Row
from chaos.seed import APPROVE, ME, submit

NAME = "crash"
TITLE = "4. API killed mid-mutation"
RETRY_OK = ("ok", "user:ALREADY_DECIDED")


async def run(ctx: Context) -> list[Row]:
    world, cluster, audit = ctx.world, ctx.cluster, ctx.audit
    count = ctx.pick(60, 20)
    if await audit.wait_delivered(60) is None:
        raise RuntimeError("the outbox did not drain before the crash")
    requests = [(await submit(world, f"Crash test {n}"))["id"] for n in range(count)]
    reviewers = [world.reviewers[n % len(world.reviewers)] for n in range(count)]
    clients = [Client(cluster.urls[0], r.address, timeout=30, connections=1) for r in reviewers]
    try:
        await asyncio.gather(
            *(c.post(ME, None, r.token) for c, r in zip(clients, reviewers, strict=True))
        )
        first_answers = asyncio.Event()
        tasks = [
            asyncio.create_task(c.post(APPROVE, {"id": rid, "skills": ["crash"]}, r.token))
            for c, r, rid in zip(clients, reviewers, requests, strict=True)
        ]

        def answered(_: object) -> None:
            if sum(t.done() for t in tasks) >= max(1, count // 10):
                first_answers.set()

        for task in tasks:
            task.add_done_callback(answered)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first_answers.wait(), 10)
        answered_before = sum(t.done() for t in tasks)
        cluster.apis[0].kill9()
        first: list[Answer] = list(await asyncio.wait_for(asyncio.gather(*tasks), 60))
    finally:
        for client in clients:
            await client.close()
    restart_started = time.monotonic()
    await asyncio.to_thread(cluster.start_api, 0)
    restart = time.monotonic() - restart_started
    cut = [n for n, a in enumerate(first) if a.outcome != "ok"]
    retries: dict[int, Answer] = {}
    for n in cut:
        retries[n] = await world.clients[1].post(
            APPROVE, {"id": requests[n], "skills": ["retry"]}, reviewers[n].token
        )
    committed = sum(1 for a in retries.values() if a.outcome == "user:ALREADY_DECIDED")
    bad_retries = [a for a in retries.values() if a.outcome not in RETRY_OK]
    waited = await audit.wait_delivered(90)
    broken = await audit.half_written()
    ids = [pk(rid) for rid in requests]
    decided = await audit.decisions(ids)
    not_approved = [
        f"#{i}: {decided.get(i)}" for i in ids if decided.get(i, ("?", 0))[0] != "APPROVED"
    ]
    seen = audit.delivered()
    mail_problems = []
    for request_id in ids:
        mail = await audit.request_mail(request_id)
        counts = [seen.get(str(row["message_id"]), 0) for row in mail]
        if counts != [1]:
            mail_problems.append(f"request #{request_id}: outbox rows delivered {counts} times")
    if waited is None:
        mail_problems.append("the outbox was not fully SENT within 90 s")
    return [
        Row(
            TITLE,
            "no half-written state",
            f"{count} approvals, {answered_before} answered before the kill, {len(cut)} cut"
            f" off ({show(tally([first[n] for n in cut]))}): {committed} had committed,"
            f" {len(cut) - committed} had not; " + ", ".join(f"{v} {k}" for k, v in broken.items()),
            "0 approved without exactly one job, 0 orphan jobs, 0 decisions without mail",
            not any(broken.values()) and bool(cut),
            [f"{k}: {v}" for k, v in broken.items() if v]
            + ([] if cut else ["the kill cut off no call: nothing was in flight"]),
        ),
        Row(
            TITLE,
            "retries on the surviving process",
            f"{len(retries)} retried on API 1: {show(tally(list(retries.values())))};"
            f" {count - len(not_approved)}/{count} approved in the end;"
            f" API 0 ready again {restart:.1f} s after restart",
            "each retry approves or answers ALREADY_DECIDED; every request approved once",
            not bad_retries and not not_approved,
            not_approved + sample(bad_retries, "approveServiceRequest retried on API 1"),
        ),
        Row(
            TITLE,
            "no mail lost",
            f"{count - len(mail_problems)}/{count} approvals with exactly one mail, delivered once",
            "every approval's mail in the outbox and delivered exactly once",
            not mail_problems,
            mail_problems,
        ),
    ]
