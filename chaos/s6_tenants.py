"""6. Tenant isolation: a portal contact of account A and the account manager of A
probe every ID of account B (which they may not see) through node, nodes, every
root list that filters by an ID, and the mutations that take one.

Each probe is sent twice: with B's real ID and with an ID of the same type that
does not exist. A leak is any of B's text in an answer (every text of B carries a
marker) or a mutation that succeeded; and the two answers must be identical once
the IDs are blanked out (same HTTP status, same body): another tenant's ID must
answer exactly like an ID that does not exist.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from dataclasses import dataclass
from typing import Any

from chaos.audit import forged
from chaos.context import Context
from chaos.gql import Answer, Client
from chaos.report import Row
from chaos.tenants_seed import Tenants, make_tenants

NAME = "tenants"
TITLE = "6. tenant isolation"
SELECT = """__typename id ... on Account { name number } ... on Site { name city }
 ... on Contact { name email } ... on ServiceRequest { description } ... on Job { description }
 ... on AccountRequest { note } ... on AccountRequestEvent { before after } ... on Task { title }
 ... on Appointment { notes } ... on ServiceRecord { description } ... on Invoice { number }
 ... on CreditMemo { reason } ... on CreditAccountRequest { note }
 ... on Notification { title body } ... on Photo { description }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ {SELECT} }} }}"
NODES = f"query($id: ID!, $own: ID!) {{ nodes(ids: [$own, $id]) {{ {SELECT} }} }}"
NAMED = f"query($id: ID!) {{ node(id: $id) {{ ...Probe }} }} fragment Probe on Node {{ {SELECT} }}"


def _list(field: str, filter_: str, select: str) -> str:
    return f"query($id: ID!) {{ {field}(filter: {{{filter_}}}) {{ {select} }} }}"


PAGE = "totalCount nodes { id }"
BY_ACCOUNT = [
    _list("accounts", "parentIds: [$id]", "totalCount nodes { id name }"),
    _list(
        "accountRequests",
        "accountIds: [$id], includeSubAccounts: true",
        "totalCount nodes { id note }",
    ),
    _list("accountRequestCounts", "accountIds: [$id]", "total byStatus { status count }"),
    _list("serviceRequests", "accountIds: [$id]", "totalCount nodes { id description }"),
    _list("jobs", "accountIds: [$id]", "totalCount nodes { id description }"),
    _list("creditAccountRequests", "accountIds: [$id]", "totalCount nodes { id note }"),
]
BY_USER = [
    _list("accounts", "managerIds: [$id]", "totalCount nodes { id name }"),
    _list("accountRequests", "assigneeIds: [$id]", PAGE),
    _list("jobs", "assigneeIds: [$id]", PAGE),
]
SUBMIT = """mutation($id: ID!) { submitServiceRequest(input: {siteId: $id, serviceType: OTHER,
  description: "probe"}) { serviceRequest { id } userErrors { code field message } } }"""
CREATE_REQUEST = """mutation($id: ID!, $type: ID!) { createAccountRequest(input: {accountId: $id,
  typeId: $type, note: "probe"}) { accountRequest { id } userErrors { code field message } } }"""
ON_BEHALF = """mutation($id: ID!, $type: ID!, $own: ID!) { createAccountRequest(input: {
  accountId: $own, typeId: $type, contactId: $id, note: "probe"}) { accountRequest { id }
  userErrors { code field message } } }"""
UPDATE_REQUEST = """mutation($id: ID!) { updateAccountRequest(input: {id: $id, note: "probe"}) {
  accountRequest { id note } userErrors { code field message } } }"""
PHOTO = """mutation($id: ID!) { createPhotoUpload(input: {accountRequestId: $id, filename: "p.jpg",
  contentType: "image/jpeg", byteSize: 10}) { photo { id } userErrors { code field message } } }"""
TASK = """mutation($id: ID!) { createTask(input: {accountId: $id, title: "probe"}) { task { id }
  userErrors { code field message } } }"""


@dataclass
class Probe:
    query: str
    target: str  # the foreign ID
    extra: dict[str, str]
    mutation: bool = False

    def variables(self, target: str) -> dict[str, Any]:
        return {"id": target, **self.extra}


def _type(global_id: str) -> str:
    padded = global_id + "=" * (-len(global_id) % 4)
    import base64

    return base64.urlsafe_b64decode(padded).decode().rsplit(":", 1)[0]


def _probes(t: Tenants, role: str) -> list[Probe]:
    probes: list[Probe] = []
    own = {"own": t.account_a}
    for target in t.foreign:
        probes += [Probe(NODE, target, {}), Probe(NODES, target, own), Probe(NAMED, target, {})]
    for target in (t.account_b, t.child_b):
        probes += [Probe(q, target, {}) for q in BY_ACCOUNT]
        probes.append(Probe(CREATE_REQUEST, target, {"type": t.type_id}, True))
        if role == "manager":
            probes.append(Probe(TASK, target, {}, True))
    probes += [Probe(q, t.manager_b, {}) for q in BY_USER]
    probes += [Probe(UPDATE_REQUEST, t.request_b, {}, True), Probe(PHOTO, t.request_b, {}, True)]
    if role == "portal":
        probes.append(Probe(SUBMIT, t.site_b, {}, True))
    else:
        contacts = [i for i in t.foreign if _type(i) == "Contact"]
        probes += [Probe(ON_BEHALF, c, {"type": t.type_id, **own}, True) for c in contacts]
    return probes


def _blank(answer: Answer, *ids: str) -> str:
    text = json.dumps(answer.body, sort_keys=True) if answer.body is not None else answer.text
    for value in ids:
        text = text.replace(value, "<ID>")
    return f"{answer.status} {text}"


async def _pair(client: Client, token: str, probe: Probe, n: int) -> tuple[Answer, Answer, str]:
    fake = forged(_type(probe.target), 2_000_000_000 + n)
    for _ in range(6):
        real = await client.post(probe.query, probe.variables(probe.target), token)
        ghost = await client.post(probe.query, probe.variables(fake), token)
        throttled = [a for a in (real, ghost) if a.outcome == "error:THROTTLED"]
        if not throttled:
            return real, ghost, fake
        await asyncio.sleep(
            float((throttled[0].body["errors"][0]["extensions"]).get("retryAfter", 1))
        )
    return real, ghost, fake


async def _role(ctx: Context, t: Tenants, role: str, count: int) -> Row:
    person = t.portal_a if role == "portal" else t.manager_a
    probes = _probes(t, role)
    plan = list(itertools.islice(itertools.cycle(probes), count))
    random.Random(7).shuffle(plan)
    clients = [Client(url, person.address) for url in ctx.cluster.urls]
    leaks: list[str] = []
    differ: list[str] = []
    unexpected: list[str] = []
    gate = asyncio.Semaphore(8)

    async def one(n: int, probe: Probe) -> None:
        async with gate:
            real, ghost, fake = await _pair(clients[n % 2], person.token, probe, n)
        name = probe.query.split("{", 2)[1].split("(")[0].strip()
        shown = f"{name} with {_type(probe.target)} {probe.target}"
        if t.marker in real.text or (probe.mutation and real.outcome == "ok"):
            leaks.append(f"{shown}: {real.text[:300]}")
        if _blank(real, probe.target) != _blank(ghost, fake):
            differ.append(
                f"{shown}: real -> {_blank(real, probe.target)[:200]} | missing ->"
                f" {_blank(ghost, fake)[:200]}"
            )
        for answer in (real, ghost):
            if answer.unexpected:
                unexpected.append(f"{shown}: {answer.outcome} {answer.text[:200]}")

    try:
        await asyncio.gather(*(one(n, p) for n, p in enumerate(plan)))
    finally:
        for client in clients:
            await client.close()
    who = "portal contact of A" if role == "portal" else "account manager of A"
    return Row(
        TITLE,
        f"{who} probing B",
        f"{count} probes ({len(probes)} distinct, {len(t.foreign)} IDs of B): {len(leaks)} leaks,"
        f" {len(differ)} answered unlike a missing ID, {len(unexpected)} unexpected errors",
        "0 leaks; every probe answers exactly like a missing ID; no crash",
        not leaks and not differ and not unexpected,
        sorted(set(leaks)) + sorted(set(differ)) + sorted(set(unexpected)),
    )


async def _control(ctx: Context, t: Tenants) -> tuple[int, int]:
    """The same read probes by B's own contact: they must show B's text, or the
    probes could not see a leak if there were one."""
    reads = [p for p in _probes(t, "portal") if not p.mutation]
    client = Client(ctx.cluster.urls[0], t.portal_b.address)
    try:
        answers = [
            await client.post(p.query, p.variables(p.target), t.portal_b.token) for p in reads
        ]
    finally:
        await client.close()
    return sum(1 for a in answers if t.marker in a.text), len(reads)


async def run(ctx: Context) -> list[Row]:
    tenants = await make_tenants(ctx)
    count = ctx.pick(1000, 100)
    rows = [await _role(ctx, tenants, role, count) for role in ("portal", "manager")]
    seen, reads = await _control(ctx, tenants)
    rows.append(
        Row(
            TITLE,
            "control: B's own contact, same probes",
            f"{seen}/{reads} read probes show B's text to B's own contact",
            "the probes do see B's data when allowed (> 25 % of them)",
            seen * 4 > reads,
            [],
        )
    )
    return rows
