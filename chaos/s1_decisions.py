"""1. Exactly-once decisions: fifty reviewers race the same final decision.

Each round a pending service request is raced by every reviewer at once (half
approve, half decline, over both API processes, each on its own already open
connection), then a pending credit request (half accept, half reject). Per race:
exactly one success, exactly one job for an approval (none for a decline),
exactly one mail in the outbox and exactly one delivered to the sink, and every
loser answered with a coded userError (ALREADY_DECIDED), never a crash.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chaos.audit import pk
from chaos.context import Context, sample, show
from chaos.gql import Answer, Client, must
from chaos.report import Row
from chaos.seed import ACCEPT, APPROVE, CREATE_ACCOUNT, DECLINE, ME, REJECT, REQUEST_CREDIT, submit

NAME = "decisions"
TITLE = "1. exactly-once decisions"
LOSER = "user:ALREADY_DECIDED"
MAIL_WAIT = 90.0


@dataclass
class Race:
    kind: str  # "service" or "credit"
    round: int
    target: str  # global ID
    answers: list[Answer] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # what each client asked

    def winners(self) -> list[int]:
        return [n for n, a in enumerate(self.answers) if a.outcome == "ok"]

    def losers_other(self) -> list[Answer]:
        return [a for a in self.answers if a.outcome not in ("ok", LOSER)]


async def _race(clients: list[Client], tokens: list[str], race: Race) -> None:
    calls = []
    for n, _ in enumerate(clients):
        first = (n + race.round) % 2 == 0
        if race.kind == "service":
            if first:
                calls.append(("approve", APPROVE, {"id": race.target, "skills": [f"call {n}"]}))
            else:
                reason = f"Declined by call {n}"
                calls.append(("decline", DECLINE, {"id": race.target, "reason": reason}))
        elif first:
            calls.append(("accept", ACCEPT, {"id": race.target, "note": f"call {n}"}))
        else:
            calls.append(("reject", REJECT, {"id": race.target, "reason": f"Rejected by {n}"}))
    race.calls = [c[0] for c in calls]
    race.answers = list(
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    client.post(query, variables, token)
                    for client, token, (_, query, variables) in zip(
                        clients, tokens, calls, strict=True
                    )
                )
            ),
            120,
        )
    )


def _race_row(kind: str, races: list[Race]) -> Row:
    single = sum(1 for r in races if len(r.winners()) == 1)
    others = [a for r in races for a in r.losers_other()]
    losers = Counter(a.outcome for r in races for a in r.answers if a.outcome != "ok")
    details = [
        f"round {r.round} {kind} {r.target}: {len(r.winners())} winners "
        f"({[r.calls[n] for n in r.winners()]})"
        for r in races
        if len(r.winners()) != 1
    ]
    for r in races:
        details += sample(r.answers, f"round {r.round} {kind} race on {r.target}", 2)
    latencies = sorted(a.seconds for r in races for a in r.answers)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return Row(
        TITLE,
        f"{kind}: winners and losers",
        f"{single}/{len(races)} races with exactly 1 winner; losers: {show(losers)};"
        f" answer p99 {p99 * 1000:.0f} ms",
        "exactly 1 winner per race; every loser ALREADY_DECIDED; no crash, no 5xx",
        single == len(races) and not others,
        details,
    )


async def _service_outcome(ctx: Context, races: list[Race]) -> Row:
    ids = [pk(r.target) for r in races]
    decided = await ctx.audit.decisions(ids)
    problems: dict[int, list[str]] = {}
    mails = []
    for race, request_id in zip(races, ids, strict=True):
        status, jobs = decided.get(request_id, ("missing", 0))
        if jobs != (1 if status == "APPROVED" else 0) or status not in ("APPROVED", "DECLINED"):
            problems.setdefault(race.round, []).append(
                f"round {race.round} request #{request_id}: {status} with {jobs} jobs"
            )
        mail = await ctx.audit.request_mail(request_id)
        mails.append(mail)
        if len(mail) != 1:
            problems.setdefault(race.round, []).append(
                f"round {race.round} request #{request_id}: {len(mail)} outbox rows"
            )
    return _mail_row(
        ctx,
        "service: jobs and mail",
        "per race: 1 job if approved (0 if declined), 1 outbox mail, delivered once",
        races,
        mails,
        problems,
    )


def _mail_row(
    ctx: Context,
    check: str,
    threshold: str,
    races: list[Race],
    mails: list[list[Any]],
    problems: dict[int, list[str]],
) -> Row:
    seen = ctx.audit.delivered()
    for race, mail in zip(races, mails, strict=True):
        for row in mail:
            count = seen.get(str(row["message_id"]), 0)
            if count != 1:
                problems.setdefault(race.round, []).append(
                    f"round {race.round}: {row['message_id']} ({row['status']},"
                    f" {row['attempts']} attempts) delivered {count}x"
                )
    clean = len(races) - len(problems)
    return Row(
        TITLE,
        check,
        f"{clean}/{len(races)} races clean",
        threshold,
        clean == len(races),
        [line for lines in problems.values() for line in lines],
    )


async def _credit_outcome(ctx: Context, races: list[Race], names: list[str]) -> Row:
    problems: dict[int, list[str]] = {}
    mails = []
    for race, name in zip(races, names, strict=True):
        mail = await ctx.audit.outbox(
            "subject LIKE $1 AND template IN ('credit_accepted', 'credit_rejected')",
            f"Credit for {name} %",
        )
        mails.append(mail)
        if len(mail) != 1:
            problems.setdefault(race.round, []).append(
                f"round {race.round} {race.target}: {len(mail)} outbox rows"
            )
        status = await ctx.audit.value(
            "SELECT status FROM credit_account_requests WHERE id = $1", pk(race.target)
        )
        if status not in ("ACCEPTED", "REJECTED"):
            problems.setdefault(race.round, []).append(
                f"round {race.round} {race.target}: status {status}"
            )
    return _mail_row(
        ctx,
        "credit: decision and mail",
        "per race: decided once, 1 outbox mail to the requester, delivered once",
        races,
        mails,
        problems,
    )


async def run(ctx: Context) -> list[Row]:
    world = ctx.world
    rounds = ctx.pick(100, 5)
    reviewers = world.reviewers
    clients = [
        Client(ctx.cluster.urls[n % 2], person.address, timeout=60, connections=1)
        for n, person in enumerate(reviewers)
    ]
    tokens = [person.token for person in reviewers]
    admin = world.admin.token
    try:
        # Open every connection first so the decisions leave together.
        await asyncio.gather(*(c.post(ME, None, t) for c, t in zip(clients, tokens, strict=True)))
        names = [f"Chaos Credit {world.tag} {r:03d}" for r in range(rounds)]
        accounts = []
        for name in names:
            made = await must(world.clients[0], CREATE_ACCOUNT, {"input": {"name": name}}, admin)
            accounts.append(made["account"]["id"])
        service, credit = [], []
        for r in range(rounds):
            request = await submit(world, f"Race {r}: the boiler is leaking", api=r % 2)
            race = Race("service", r, request["id"])
            await _race(clients, tokens, race)
            service.append(race)
            fields = {"accountId": accounts[r], "requestedLimit": f"{1000 + r}.00"}
            asked = await must(
                world.clients[r % 2], REQUEST_CREDIT, {"input": fields}, world.requester.token
            )
            race = Race("credit", r, asked["creditAccountRequest"]["id"])
            await _race(clients, tokens, race)
            credit.append(race)
    finally:
        for client in clients:
            await client.close()
    waited = await ctx.audit.wait_delivered(MAIL_WAIT)
    rows = [
        _race_row("service", service),
        await _service_outcome(ctx, service),
        _race_row("credit", credit),
        await _credit_outcome(ctx, credit, names),
    ]
    if waited is None:
        rows[-1].details.append(f"outbox not fully SENT after {MAIL_WAIT:.0f} s")
        rows[-1].passed = False
    return rows
