"""Instructions per request, counted: Docket's request path against the one-statement floor's.

    make bench-instructions                  # or: .venv/bin/python -m bench.instructions

wrk's rounds on a shared machine swing by 20-30 %; a change of a few percent of the
server's CPU does not show there. This counts instead: each side's ASGI app runs in
process under valgrind (callgrind), the same requests as `make bench` sends, 16 at a
time, after a warm-up (plans kept, the document admitted, the viewer remembered), and
valgrind counts the instructions of the timed requests only. The counts repeat to
about 0.3 %. They leave out what both sides share outside the app (uvicorn's HTTP
parsing and socket writes) and PostgreSQL's work, so they are the Python side of a
request alone: compare runs of one machine, not absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop

from bench.common import ADMIN_TOKEN, SECRET_KEY, database_url
from bench.run import prepare, scenarios
from bench.scenario import Scenario

CONCURRENT = 16
WARM_UP = 20  # requests per concurrent client before counting
_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _app(side: str) -> App:
    if side == "floor":
        os.environ["BENCH_DATABASE_URL"] = database_url()
        from bench.floor import create_app

        return create_app()
    os.environ.update(
        SECRET_KEY=SECRET_KEY,
        LOG_LEVEL="WARNING",
        QUERY_BUDGETS="false",
        DATABASE_URL=database_url(),
        BROKER_URL="memory://",
        MAIL_WORKER="false",
        WEBHOOK_WORKER="false",
        DOCKET_ENV="production",
    )
    from api.app import app_from_environment

    return app_from_environment()


async def _request(app: App, path: str, body: bytes) -> None:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {ADMIN_TOKEN}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays until the answer is sent
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if not sent or sent[0].get("status") != 200:
        raise SystemExit(f"{path}: not answered with 200: {sent[:1]}")


async def _child(side: str, scenario: Scenario, requests: int) -> None:
    """Run in valgrind: warm up, count `requests` requests, stop counting."""
    app = _app(side)
    path = "/graphql" if side == "docket" else scenario.limit_path
    assert path is not None
    body = scenario.body()
    startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, startup.get, replies.put)
    )
    started = await replies.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"{side} did not start: {started}")

    async def client(count: int) -> None:
        for _ in range(count):
            await _request(app, path, body)

    await asyncio.gather(*(client(WARM_UP) for _ in range(CONCURRENT)))
    _counting(True)
    await asyncio.gather(*(client(requests // CONCURRENT) for _ in range(CONCURRENT)))
    _counting(False)
    await startup.put({"type": "lifespan.shutdown"})
    await replies.get()
    await lifespan


def _counting(on: bool) -> None:
    """Switch valgrind's counting in this process; blocking on purpose: nothing else
    may run (and be counted, or not) while it switches."""
    command = ["callgrind_control", f"--instr={'on' if on else 'off'}", str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)


def count(side: str, scenario: Scenario, requests: int) -> float:
    """Instructions per request of `side` answering `scenario`, counted by callgrind."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--child",
        side,
        scenario.name,
        str(requests),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind {side} {scenario.name} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", "")) / (requests // CONCURRENT * CONCURRENT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=["dashboard-50", "review-queue-50"])
    parser.add_argument("--requests", type=int, default=160, help="counted per side (160)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        side, name, requests = options.child
        chosen = next(s for s in scenarios(0) if s.name == name)
        uvloop.run(_child(side, chosen, int(requests)))  # the loop `docket serve` runs
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (apt-get install -y valgrind)")
    node_id, _ = asyncio.run(prepare(database_url()))
    wanted = [s for s in scenarios(node_id) if s.name in options.only and s.limit_path]
    print("| Scenario | Docket instructions / request | one-statement floor | x floor |")
    print("|---|---:|---:|---:|")
    for scenario in wanted:
        docket = count("docket", scenario, options.requests)
        floor = count("floor", scenario, options.requests)
        print(f"| {scenario.name} | {docket:,.0f} | {floor:,.0f} | {docket / floor:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
