"""Run the benchmark: `docket serve` against its floor, same run, same machine.

    make bench                           # or: .venv/bin/python -m bench.run [--help]

Seeds the database (bench.seed, reused when already seeded), starts one
`docket serve` worker and the floor app (bench.floor) on free ports, and for
each scenario first checks that the GraphQL `data` equals the floor's answer,
then loads both with wrk (16 connections, 2 threads) for several rounds,
alternating. Prints medians (req/s, p50, p99), % of the floor and the peak RSS
of the API process, and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.common import ADMIN_TOKEN, SECRET_KEY, database_url
from bench.seed import seed
from schema.relay.ids import encode_id

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
# Values computed from the clock at answer time (now + SLA hours): equal within this.
CLOCK_FIELDS = {"slaDueAt"}
CLOCK_TOLERANCE = timedelta(seconds=60)

DASHBOARD = """query Dashboard($first: Int!) {
  accountRequests(first: $first, filter: {statuses: [OPEN]},
                  orderBy: {field: UPDATED_AT, direction: DESC}) {
    nodes { id status note createdAt updatedAt type { name } account { name number }
            assignee { name } contact { name email } }
  }
}"""
REVIEW_QUEUE = """query ReviewQueue($first: Int!) {
  serviceRequests(first: $first, filter: {statuses: [PENDING]}) {
    nodes { id description urgency status account { name } site { name city }
            jobDraft { priority slaDueAt } }
  }
}"""
# The least a signed-in request costs: no list, only sign-in and the GraphQL stack.
SIGN_IN = "query SignIn { __typename }"
NODE = """query Node($id: ID!) {
  node(id: $id) {
    ... on AccountRequest { id status note timeline(first: 20) { nodes { kind createdAt } } }
  }
}"""


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    variables: dict[str, Any]
    floor_path: str
    items: int  # how many list items (or timeline events) the answer must hold

    def body(self) -> bytes:
        return orjson.dumps({"query": self.query, "variables": self.variables})


@dataclass
class Round:
    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class Result:
    scenario: Scenario
    api: list[Round] = field(default_factory=list)
    floor: list[Round] = field(default_factory=list)
    peak_rss_mb: float | None = None

    @staticmethod
    def median(rounds: list[Round], attr: str) -> float:
        return statistics.median(float(getattr(r, attr)) for r in rounds)


# --- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"{url}: the process exited ({process.returncode}):\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (the floor has no GET route)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()}")


def reset_peak_rss(pid: int) -> None:
    """Start a new peak (Linux >= 4.0: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):  # then the peak is since start-up
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Soak:
    """RSS of the API process sampled under the dashboard load."""

    seconds: int
    samples: list[tuple[float, float]]  # (seconds since start, MB)

    def lines(self) -> list[str]:
        settled = [mb for t, mb in self.samples if t >= 60] or [self.samples[-1][1]]
        first, last, peak = settled[0], self.samples[-1][1], max(mb for _, mb in self.samples)
        growth = 100 * (last - first) / first
        return [
            f"- soak: {self.seconds} s of dashboard-50 load; RSS at 1 min {first:.0f} MB, "
            f"at the end {last:.0f} MB, peak {peak:.0f} MB",
            f"- soak: peak RSS <= 250 MB: {_mark(peak <= 250)} ({peak:.0f} MB)",
            f"- soak: RSS growth after the first minute < 5 %: {_mark(growth < 5)} "
            f"({growth:+.1f} %)",
        ]


def soak(url: str, script: Path, seconds: int, pid: int, connections: int, threads: int) -> Soak:
    """Load the API for `seconds` with wrk while sampling its RSS every 5 s."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    load = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    samples: list[tuple[float, float]] = []
    while load.poll() is None:
        samples.append((time.monotonic() - started, rss_mb(pid)))
        time.sleep(5)
    return Soak(seconds, samples)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --- answers ---------------------------------------------------------------------------


def post(url: str, body: bytes) -> Any:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return orjson.loads(response.read())


def differences(a: Any, b: Any, path: str = "data") -> list[str]:
    """Where two JSON values differ, key order included."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        return [d for key in a for d in differences(a[key], b[key], f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    if path.rsplit(".", 1)[-1] in CLOCK_FIELDS and isinstance(a, str) and isinstance(b, str):
        gap = abs(datetime.fromisoformat(a) - datetime.fromisoformat(b))
        return [] if gap <= CLOCK_TOLERANCE else [f"{path}: {a} != {b} (clock field)"]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} != {b!r}"]
    return []


def count_items(data: Any) -> int:
    """List items of a list answer, timeline events of a node answer."""
    (value,) = data.values()
    if value is None or isinstance(value, str):
        return 0
    if "nodes" in value:
        return len(value["nodes"])
    return len(value["timeline"]["nodes"])


def check(scenario: Scenario, api_url: str, floor_url: str) -> None:
    """The GraphQL answer and the floor's must be equal; stop loudly if not."""
    answer = post(api_url, scenario.body())
    floor = post(floor_url + scenario.floor_path, scenario.body())
    problems: list[str] = []
    if answer.get("errors") or set(answer) != {"data"}:
        problems.append(f"GraphQL answered with errors: {answer.get('errors')}")
    else:
        problems.extend(differences(answer["data"], floor.get("data")))
        if not problems and count_items(answer["data"]) != scenario.items:
            problems.append(
                f"expected {scenario.items} items, got {count_items(answer['data'])}: "
                "is the database seeded?"
            )
    if problems:
        shown = "\n  ".join(problems[:10])
        raise SystemExit(
            f"FAIL {scenario.name}: GraphQL and floor answers differ "
            f"({len(problems)} differences):\n  {shown}"
        )


# --- wrk -------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def lua_script(scenario: Scenario, directory: Path) -> Path:
    path = directory / f"{scenario.name}.lua"
    body = scenario.body().decode()
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{body}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {ADMIN_TOKEN}"\n'
    )
    return path


def wrk(url: str, script: Path, seconds: int, connections: int, threads: int) -> Round:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = _NON_2XX.search(output)
    if bad:
        raise SystemExit(f"wrk {url}: {bad.group(1)} responses were not 2xx:\n{output}")
    rps = _RPS.search(output)
    latency = {
        m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _LATENCY.finditer(output)
    }
    if rps is None or set(latency) != {"50", "99"}:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    return Round(rps=float(rps.group(1)), p50_ms=latency["50"], p99_ms=latency["99"])


# --- report ----------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| Scenario | req/s | floor req/s | % of floor | p50 | p99 | floor p50 | floor p99 "
        "| peak RSS (API) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        api_rps = Result.median(result.api, "rps")
        floor_rps = Result.median(result.floor, "rps")
        rss = f"{result.peak_rss_mb:.0f} MB" if result.peak_rss_mb is not None else "n/a"
        lines.append(
            f"| {result.scenario.name} | {api_rps:,.0f} | {floor_rps:,.0f} "
            f"| {100 * api_rps / floor_rps:.1f} % "
            f"| {Result.median(result.api, 'p50_ms'):.1f} ms "
            f"| {Result.median(result.api, 'p99_ms'):.1f} ms "
            f"| {Result.median(result.floor, 'p50_ms'):.1f} ms "
            f"| {Result.median(result.floor, 'p99_ms'):.1f} ms | {rss} |"
        )
    return "\n".join(lines)


def targets(results: list[Result]) -> list[str]:
    """The issue's targets that this run measures, each met or not."""
    lines = []
    for result in results:
        name = result.scenario.name
        share = Result.median(result.api, "rps") / Result.median(result.floor, "rps")
        p50, p99 = Result.median(result.api, "p50_ms"), Result.median(result.api, "p99_ms")
        if name.startswith(("dashboard", "review-queue")):
            lines.append(f"- {name}: >= 50 % of floor: {_mark(share >= 0.5)} ({100 * share:.1f} %)")
            lines.append(f"- {name}: p99 <= 3x p50: {_mark(p99 <= 3 * p50)} ({p99 / p50:.1f}x)")
        if name.startswith("dashboard") and result.peak_rss_mb is not None:
            met = result.peak_rss_mb <= 250
            lines.append(
                f"- {name}: peak RSS <= 250 MB: {_mark(met)} ({result.peak_rss_mb:.0f} MB)"
            )
    return lines


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _command(*command: str) -> str:
    """The first line a command prints (wrk -v exits non-zero), or "unknown"."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def machine(pg_version: str) -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    wrk_version = _command("wrk", "-v").split(" [")[0]
    uname = platform.uname()
    commit = _command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    return [
        f"- Machine: {uname.system} {uname.release} {uname.machine}",
        f"- CPUs: {os.cpu_count()} x {cpu}",
        f"- Python {platform.python_version()}, PostgreSQL {pg_version}, {wrk_version}",
        f"- Commit: {commit} (HEAD; the working tree may hold uncommitted changes)",
    ]


def write_results(
    results: list[Result],
    options: argparse.Namespace,
    pg_version: str,
    fanout_lines: list[str] | None = None,
    soak_lines: list[str] | None = None,
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            f"Latest `make bench`, {when}. Ratios matter, not absolute numbers: the floor",
            "runs in the same run on the same machine (load generator, API and PostgreSQL",
            "share its CPUs).",
            "",
            *machine(pg_version),
            f"- Load: wrk, {options.connections} connections, {options.threads} threads, "
            f"{options.rounds} rounds x {options.duration} s per side (alternating, after a "
            f"{options.warmup} s warm-up); medians of the rounds",
            "- API: `docket serve --workers 1` (DOCKET_ENV=production, BROKER_URL=memory://, "
            "MAIL_WORKER=false, LOG_LEVEL=WARNING)",
            "- Data: 2,000 accounts, 30 users, 8 types, 100,000 account requests with "
            "timelines, 20,000 service requests (`bench/seed.py`)",
            "",
            table(results),
            "",
            "## Targets measured by this run",
            "",
            *targets(results),
            *(soak_lines or ["- soak: not run"]),
            "",
            "## Fan-out",
            "",
            *(
                [
                    f"{options.subscribers:,} WebSocket subscribers of "
                    "`serviceRequestQueueChanged`, half on each of two `docket serve` "
                    "processes sharing Redis; each of "
                    f"{options.fanout_rounds} events is a reviewer declining a pending service "
                    "request (medians of the events). Latency runs from the mutation's "
                    "response to each subscriber's message; CPU is what the two server "
                    "processes spent per delivered message (all their threads, read from "
                    "/proc/<pid>/task/*/schedstat; the mutation itself is included). The "
                    "floor (`bench/floor_ws.py`) pushes the same message to the same sockets "
                    "with no GraphQL, on the same WebSocket stack as `docket serve` "
                    "(websockets-sansio, no permessage-deflate).",
                    "",
                    *fanout_lines,
                ]
                if fanout_lines
                else ["Not run (`--only` left it out)."]
            ),
            "",
            "## Notes",
            "",
            "- The floor (`bench/floor.py`) is a bare Starlette + asyncpg + orjson endpoint "
            "that checks the same bearer token and runs the same statements as the API "
            "(token, user, roles; the page; one query per relation), selecting only the "
            "columns the answer needs. Before timing, the runner checks that its answer "
            "equals the GraphQL `data` (keys, order, values; `slaDueAt` is computed from the "
            "clock and compared within 60 s).",
            "- sign-in (`{ __typename }` with the bearer token) has no target: it is the "
            "least any signed-in request costs through the HTTP and GraphQL stack, so its "
            "share of the floor bounds what the list scenarios can reach.",
            "- Peak RSS is VmHWM of the API process, reset before each scenario.",
            "- SQL statements per request at first: 10/50/100 are asserted by the test "
            "suite (tests/account_requests/test_statement_counts.py and the other "
            "statement-count tests), not timed here.",
            "",
        ]
    )
    RESULTS.write_text(text)
    return text


# --- main ------------------------------------------------------------------------------


async def prepare(url: str) -> tuple[int, str]:
    """Seed (or reuse) the database; return a request with 3 events, and PG's version."""
    await seed(url)
    conn = await asyncpg.connect(url)
    try:
        request_id = await conn.fetchval(
            "SELECT request_id FROM account_request_events GROUP BY request_id"
            " HAVING count(*) = 3 ORDER BY request_id LIMIT 1"
        )
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return int(request_id), str(version).split()[0]


def scenarios(node_id: int) -> list[Scenario]:
    return [
        Scenario("sign-in", SIGN_IN, {}, "/sign-in", 0),
        Scenario("dashboard-50", DASHBOARD, {"first": 50}, "/dashboard", 50),
        Scenario("dashboard-100", DASHBOARD, {"first": 100}, "/dashboard", 100),
        Scenario("review-queue-50", REVIEW_QUEUE, {"first": 50}, "/review-queue", 50),
        Scenario("node", NODE, {"id": encode_id("AccountRequest", node_id)}, "/node", 3),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per round (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (3)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per side (3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="scenario names to run (default: all)")
    parser.add_argument(
        "--check-only", action="store_true", help="compare the answers, time nothing"
    )
    parser.add_argument(
        "--subscribers", type=int, default=1000, help="WebSocket subscribers for fan-out (1000)"
    )
    parser.add_argument("--fanout-rounds", type=int, default=5, help="events for fan-out (5)")
    parser.add_argument(
        "--soak", type=int, default=300, help="seconds of dashboard load for the RSS soak (300)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if shutil.which("wrk") is None and not options.check_only:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    url = database_url()
    node_id, pg_version = asyncio.run(prepare(url))
    chosen = [s for s in scenarios(node_id) if not options.only or s.name in options.only]
    with_fanout = not options.check_only and (not options.only or "fan-out" in options.only)
    api_port, floor_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}/graphql"
    floor_url = f"http://127.0.0.1:{floor_port}"
    bin_dir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="docket-bench-"))
    # One token sends thousands of requests a second: no budget is meant for that.
    env = {"SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "WARNING", "QUERY_BUDGETS": "false"}
    api = start(
        [str(bin_dir / "docket"), "serve", "--port", str(api_port), "--workers", "1"],
        {
            **env,
            "DATABASE_URL": url,
            "BROKER_URL": "memory://",
            "MAIL_WORKER": "false",
            "DOCKET_ENV": "production",
        },
        work / "api.log",
    )
    floor = start(
        [
            sys.executable,
            *("-m", "uvicorn", "--factory", "bench.floor:create_app"),
            *("--port", str(floor_port), "--workers", "1"),
            *("--no-access-log", "--log-level", "warning"),
        ],
        {**env, "BENCH_DATABASE_URL": url},
        work / "floor.log",
    )
    results: list[Result] = []
    soak_lines: list[str] = []
    completed = False
    try:
        wait_ready(f"http://127.0.0.1:{api_port}/readyz", api, work / "api.log")
        wait_ready(floor_url + "/", floor, work / "floor.log")
        for scenario in chosen:
            check(scenario, api_url, floor_url)
            print(f"ok   {scenario.name}: GraphQL data equals the floor's")
        if options.check_only:
            completed = True
            return 0
        for scenario in chosen:
            result = Result(scenario)
            script = lua_script(scenario, work)
            floor_target = floor_url + scenario.floor_path
            args = (options.connections, options.threads)
            wrk(api_url, script, options.warmup, *args)
            wrk(floor_target, script, options.warmup, *args)
            reset_peak_rss(api.pid)
            for n in range(options.rounds):
                result.api.append(wrk(api_url, script, options.duration, *args))
                result.floor.append(wrk(floor_target, script, options.duration, *args))
                print(
                    f"     {scenario.name} round {n + 1}: {result.api[-1].rps:,.0f} req/s, "
                    f"floor {result.floor[-1].rps:,.0f} req/s",
                    flush=True,
                )
            result.peak_rss_mb = peak_rss_mb(api.pid)
            check(scenario, api_url, floor_url)  # still equal after the load
            results.append(result)
        dashboard = next((s for s in chosen if s.name == "dashboard-50"), None)
        if dashboard is not None and options.soak > 0:
            print(f"     soak: {options.soak} s of dashboard-50 ...", flush=True)
            soaked = soak(
                api_url,
                lua_script(dashboard, work),
                options.soak,
                api.pid,
                options.connections,
                options.threads,
            )
            soak_lines = soaked.lines()
        completed = True
    finally:
        stop(api)
        stop(floor)
        if completed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"server logs kept in {work}", file=sys.stderr)
    fanout_lines: list[str] = []
    if with_fanout:
        from bench import fanout

        print(f"     fan-out: {options.subscribers} subscribers on two processes ...", flush=True)
        tools = fanout.Processes(start, stop, wait_ready, free_port, peak_rss_mb)
        measured = fanout.run(url, options.subscribers, options.fanout_rounds, tools)
        fanout_lines = fanout.report(measured)
    print()
    print(table(results))
    print()
    print("\n".join([*targets(results), *soak_lines]))
    print()
    print("\n".join(fanout_lines) if fanout_lines else "fan-out: not run")
    write_results(results, options, pg_version, fanout_lines, soak_lines)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
