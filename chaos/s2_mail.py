"""2. Mail through an SMTP outage: the sink is killed (kill -9) while customers keep
submitting service requests and reviewers keep declining them (each decline
queues one mail). The sink comes back; within a bounded time every mail queued
during the outage must be delivered exactly once (counted per Message-ID), none
FAILED, and the mutations must never have noticed the mail server was gone.
"""

from __future__ import annotations

import time

from chaos.cluster import MAIL_RETRY_BASE_SECONDS
from chaos.context import Context, load, sample, show, tally
from chaos.gql import Answer, percentile
from chaos.report import Row
from chaos.seed import DECLINE, SUBMIT

NAME = "mail"
TITLE = "2. mail through an SMTP outage"


async def run(ctx: Context) -> list[Row]:
    world, cluster, audit = ctx.world, ctx.cluster, ctx.audit
    outage = ctx.pick(60.0, 10.0)
    bound = max(outage, MAIL_RETRY_BASE_SECONDS) + 15.0
    if await audit.wait_delivered(60) is None:
        raise RuntimeError("the outbox did not drain before the outage")
    mark = int(await audit.value("SELECT coalesce(max(id), 0) FROM outbox_emails"))
    customer = world.customer
    submits: list[tuple[float, Answer]] = []

    async def step(n: int) -> Answer:
        api = world.clients[n % 2]
        fields = {"siteId": customer.site_id, "serviceType": "REPAIR", "description": f"Out {n}"}
        made = await api.post(SUBMIT, {"input": fields}, customer.contact.token)
        submits.append((time.monotonic(), made))
        payload = made.payload() or {}
        if made.outcome != "ok" or not payload.get("serviceRequest"):
            return made
        reviewer = world.reviewers[n % len(world.reviewers)]
        variables = {"id": payload["serviceRequest"]["id"], "reason": f"Outage test {n}"}
        return await world.clients[(n + 1) % 2].post(DECLINE, variables, reviewer.token)

    cluster.sink.kill9()
    declines: list[tuple[float, Answer]] = []
    await load(outage, 2, step, declines)
    cluster.start_sink()
    back = time.monotonic()
    waited = await audit.wait_delivered(bound + 5)
    after_return = time.monotonic() - back if waited is not None else None
    rows = await audit.outbox("id > $1", mark)
    checked = await audit.mail_check(rows)
    answers = [a for _, a in declines] + [a for _, a in submits]
    ok = sum(1 for a in answers if a.outcome == "ok")
    p99 = percentile([a.seconds for a in answers], 0.99)
    seen = audit.delivered()
    problems = [
        f"{row['message_id']} to {row['to_address']}: {row['status']},"
        f" {row['attempts']} attempts, delivered {seen.get(row['message_id'], 0)}x"
        for row in rows
        if row["status"] != "SENT" or seen.get(row["message_id"], 0) != 1
    ]
    delivered_in = "never" if after_return is None else f"{after_return:.1f} s"
    return [
        Row(
            TITLE,
            "mutations during the outage",
            f"{ok}/{len(answers)} succeeded ({show(tally(answers))}); p99 {p99 * 1000:.0f} ms"
            f" over {outage:.0f} s",
            "100 % succeed: mail is queued, never sent inline",
            ok == len(answers) and bool(answers),
            sample(answers, "submit/decline during the SMTP outage"),
        ),
        Row(
            TITLE,
            "every mail delivered once",
            f"{checked['queued']} queued: {checked['delivered once']} delivered once,"
            f" {checked['missing']} missing, {checked['duplicated']} duplicated,"
            f" {checked['failed rows']} FAILED; all SENT {delivered_in} after the sink returned",
            f"0 missing, 0 duplicated, 0 FAILED, all within {bound:.0f} s of the return"
            f" (retries back off from {MAIL_RETRY_BASE_SECONDS:.0f} s, doubling)",
            checked["queued"] > 0
            and checked["delivered once"] == checked["queued"]
            and checked["failed rows"] == 0
            and after_return is not None
            and after_return <= bound,
            problems,
        ),
    ]
