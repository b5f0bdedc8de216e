"""7. The malicious-document catalogue (chaos/catalogue.py), sent by a signed-in
technician to API 0, each entry in three batches of sends in a row.

For each entry: the answer (HTTP status and error code, or the WebSocket close
code) and the CPU time API 0 spent per request: its threads' run time from /proc
around each batch, less what the idle process uses; the cheapest batch counts.
Every entry must be answered with a code (no 5xx, no "Unexpected error", no stack
trace, no dropped connection) within CPU_LIMIT of CPU (more for bodies so large that
reading their JSON costs more: CPU_PER_BODY_BYTE). Last, API 0's resident
memory after the whole catalogue must not have grown by more than RSS_LIMIT, and
it must still answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chaos.catalogue import Attack, attacks
from chaos.context import Context
from chaos.gql import PROTOCOL, Answer, Client, must
from chaos.report import Row
from chaos.seed import Person, create_user, login

NAME = "malicious"
TITLE = "7. malicious documents"
CPU_LIMIT = 0.005  # seconds of server CPU per request
# A body must be read before anything can be refused: orjson builds ~15 ms of Python
# objects per MB of small JSON values. Beyond CPU_LIMIT, that much more is allowed.
CPU_PER_BODY_BYTE = 0.015 / 2**20
RSS_LIMIT = 50 * 1024 * 1024
BAD_CLOSE = (None, 1006, 1011)
BATCHES = 3


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


async def _ws(url: str, size: int) -> tuple[str, bool, float]:
    """A frame of `size` bytes before connection_init: (what happened, coded, seconds)."""
    started = time.monotonic()
    code: int | None = None
    reason = ""
    try:
        async with connect(
            url,
            subprotocols=PROTOCOL,
            max_size=None,
            open_timeout=10,
            close_timeout=5,
        ) as ws:
            try:
                await asyncio.wait_for(ws.send("x" * size), 30)
                await asyncio.wait_for(ws.recv(), 15)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                reason = closed.rcvd.reason if closed.rcvd else ""
            except TimeoutError:
                return "no answer within 15 s (socket left open)", False, time.monotonic() - started
    except (OSError, ConnectionClosed, TimeoutError) as error:
        return f"connection failed: {type(error).__name__}", False, time.monotonic() - started
    return (
        f"WebSocket closed {code} {reason}".strip(),
        code not in BAD_CLOSE,
        time.monotonic() - started,
    )


async def _http(client: Client, attack: Attack, token: str) -> tuple[str, bool, float]:
    if attack.chunked:
        started = time.monotonic()
        try:
            response = await client.http.post(
                attack.path,
                content=_chunks(attack.body),
                headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
            )
        except Exception as error:  # httpx transport errors: the server cut us off
            return f"connection cut: {type(error).__name__}", False, time.monotonic() - started
        answer = Answer(response.status_code, _json(response), response.text[:500], 0.0)
        answer.seconds = time.monotonic() - started
    else:
        answer = await client.send(attack.body, token, attack.headers, attack.path, attack.method)
    shown = f"HTTP {answer.status} {answer.outcome}" if answer.status else answer.outcome
    coded = answer.transport is None and not answer.unexpected and answer.outcome != "uncoded"
    return shown, coded, answer.seconds


def _json(response: object) -> object:
    try:
        return response.json()  # type: ignore[attr-defined]
    except ValueError:
        return None


REPLAY = (
    "replay: python -m chaos.catalogue {n} | curl -s -H 'content-type: application/json'"
    ' -H "authorization: Bearer $TOKEN" --data-binary @- http://127.0.0.1:8000/graphql'
)


async def _measure(
    ctx: Context, client: Client, n: int, attack: Attack, token: str, idle: float
) -> Row:
    proc = ctx.cluster.apis[0]
    batch = ctx.pick(4, 2) if attack.big else ctx.pick(35, 10)
    marks = ctx.cluster.log_marks()
    rss = proc.rss_bytes()
    ws_url = ctx.cluster.urls[0].replace("http", "ws") + "/graphql"
    results = []
    costs = []
    # The best of three batches: a collection of an earlier entry's garbage, or a
    # neighbour on the machine, lands in one batch, not in all three.
    for _ in range(BATCHES):
        before, started = proc.cpu_seconds(), time.monotonic()
        for _ in range(batch):
            if attack.ws_frame_bytes:
                results.append(await _ws(ws_url, attack.ws_frame_bytes))
            else:
                results.append(await _http(client, attack, token))
        elapsed = time.monotonic() - started
        costs.append(max(0.0, proc.cpu_seconds() - before - idle * elapsed) / batch)
    cpu = min(costs)
    shown = sorted({what for what, _, _ in results})
    coded = all(ok for _, ok, _ in results)
    grew = (proc.rss_bytes() - rss) / 2**20 if proc.alive() else 0.0
    logged = sorted(set(ctx.cluster.errors_since(marks)))
    limit = max(CPU_LIMIT, CPU_PER_BODY_BYTE * len(attack.body))
    passed = coded and cpu < limit and proc.alive()
    replay = (
        [] if passed or attack.ws_frame_bytes or attack.method != "POST" else [REPLAY.format(n=n)]
    )
    return Row(
        TITLE,
        attack.name,
        f"{'; '.join(shown)[:160]}; {cpu * 1000:.2f} ms CPU/request (best of"
        f" {BATCHES} x {batch})" + (f"; RSS {grew:+.0f} MB" if abs(grew) >= 5 else ""),
        f"coded answer; < {limit * 1000:.1f} ms CPU"
        + (" (15 ms per MB of body: reading it)" if limit > CPU_LIMIT else ""),
        passed,
        replay
        + [f"{attack.name}: {what}" for what, ok, _ in results if not ok][:2]
        + [f"server log: {line}" for line in logged[:3]],
    )


async def run(ctx: Context) -> list[Row]:
    world, proc = ctx.world, ctx.cluster.apis[0]
    attacker = Person(email=f"attacker-{world.tag}@staff.docket.test")
    await create_user(world.clients[0], world.admin, attacker, "Mallory Tech", "TECHNICIAN")
    await login(ctx.cluster, attacker)
    client = Client(ctx.cluster.urls[0], attacker.address, timeout=60, connections=1)
    rows = []
    try:
        for _ in range(20):  # warm: the first requests build caches
            await client.post("{ __typename }", None, attacker.token)
        start_cpu = proc.cpu_seconds()
        await asyncio.sleep(2)
        idle = (proc.cpu_seconds() - start_cpu) / 2
        rss_before = peak = proc.rss_bytes()
        for n, attack in enumerate(attacks()):
            rows.append(await _measure(ctx, client, n, attack, attacker.token, idle))
            if not proc.alive():
                rows[-1].details.append("API 0 died")
                break
            peak = max(peak, proc.rss_bytes())
        rss_after = proc.rss_bytes() if proc.alive() else 0
        for _ in range(200):  # ordinary traffic: does the memory come back?
            await client.post("{ __typename }", None, attacker.token)
        await asyncio.sleep(2)
        rss_settled = proc.rss_bytes() if proc.alive() else 0
        alive = proc.alive() and await _still_answers(ctx, attacker.token)
    finally:
        await client.close()
    growth = rss_after - rss_before
    rows.append(
        Row(
            TITLE,
            "API 0 after the catalogue",
            f"RSS {rss_before / 2**20:.0f} MB before, {rss_after / 2**20:.0f} MB right after"
            f" ({growth / 2**20:+.0f} MB), peak {peak / 2**20:.0f} MB, {rss_settled / 2**20:.0f} MB"
            f" after 200 ordinary requests; answers normally: {alive}",
            f"RSS right after grows < {RSS_LIMIT / 2**20:.0f} MB; still answers",
            alive and growth < RSS_LIMIT,
            [],
        )
    )
    return rows


async def _still_answers(ctx: Context, token: str) -> bool:
    client = Client(ctx.cluster.urls[0], "10.250.0.1")
    try:
        data = await must(client, "{ me { __typename } }", {}, token)
    except RuntimeError:
        return False
    finally:
        await client.close()
    return bool(data)
