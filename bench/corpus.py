"""The conformance corpus as clients send it: every screen, fast path against standard execution.

    .venv/bin/python -m bench.corpus [--duration 1] [--rounds 2] [--only NAME ...] [--every]

Reads tests/conformance/documents/manifest.json and sends every query operation of
its introspection/, apollo/, relay/ and multi/ entries verbatim (the Apollo-transformed
and Relay-compiled text, with `operationName`), its `{"ref": NAME}` variables mapped to
rows of the bench data (bench.corpus_refs). Two `docket serve` processes on the bench
database: the fast one started as bench.run starts it, the standard one with
COMPILED_PROJECTIONS=false DIRECT_QUERIES=false. Each operation's answers must be equal
on both (data and errors) before it is timed; one answering with errors is reported and
not timed. Then wrk loads both sides, alternating, for a few short rounds, and the table
gives req/s, the ratio, p50/p99 and how many objects the answer lists (its longest list):
a screen listing 20 or more must be >= 5x standard execution. Last, the Apollo-shaped
dashboard against the hand-written one (bench.run's DASHBOARD), same variables.

By default one variable set per (document, operation) is timed (the manifest's first);
the others are checked and listed; `--every` times them all.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from bench.common import ADMIN_TOKEN, ROOT, SECRET_KEY, database_url
from bench.compare import differences
from bench.corpus_dashboard import dashboard_lines
from bench.corpus_refs import bench_keys, describe, global_ids
from bench.load import Round, lua_script, wrk
from bench.scenario import Scenario

DOCUMENTS = ROOT / "tests" / "conformance" / "documents"
GROUPS = ("introspection/", "apollo/", "relay/", "multi/")
TARGET_OBJECTS = 20  # a screen listing this many objects or more ...
TARGET_RATIO = 5.0  # ... must be this many times standard execution's req/s
SIDES = ("fast", "standard")
MAX_ROUND = 5  # seconds: the longest round a slow screen gets


class Tools(Protocol):
    """bench.processes' helpers (bench.fanout.Processes carries them)."""

    @property
    def start(self) -> Any: ...
    @property
    def stop(self) -> Any: ...
    @property
    def wait_ready(self) -> Any: ...
    @property
    def free_port(self) -> Any: ...


@dataclass(frozen=True)
class Operation(Scenario):
    """One operation of a corpus document with its variables, sent by operationName."""

    operation: str = ""
    entry: str = ""
    file: str = ""

    def body(self) -> bytes:
        return orjson.dumps(
            {"query": self.query, "operationName": self.operation, "variables": self.variables}
        )


@dataclass
class Measured:
    op: Operation
    timed: bool
    objects: int = 0
    problem: str = ""  # errors in the answer, or the sides differing
    fast: list[Round] = field(default_factory=list)
    standard: list[Round] = field(default_factory=list)

    def median(self, side: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in getattr(self, side))


def _resolve(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return refs[value["ref"]]
        return {key: _resolve(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, refs) for item in value]
    return value


def operations(refs: dict[str, str]) -> list[tuple[Operation, bool]]:
    """Every distinct query operation of the corpus, and whether it is timed by default
    (the first variable set of its document and operation)."""
    manifest = json.loads((DOCUMENTS / "manifest.json").read_text())
    found: list[tuple[Operation, bool]] = []
    seen: set[tuple[str, str, bytes]] = set()
    first: set[tuple[str, str]] = set()
    for entry in manifest["documents"]:
        if not entry["file"].startswith(GROUPS):
            continue
        text = (DOCUMENTS / entry["file"]).read_text()
        several = len(entry["operations"]) > 1 or entry["file"].startswith("multi/")
        for sent in entry["operations"]:
            if sent["type"] != "query":
                continue
            variables = _resolve(sent["variables"], refs)
            sorted_variables = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
            key = (entry["file"], sent["name"], sorted_variables)
            if key in seen:
                continue
            seen.add(key)
            name = f"{entry['id']}:{sent['name']}" if several else entry["id"]
            op = Operation(name, text, variables, "", 0, sent["name"], entry["id"], entry["file"])
            found.append((op, (entry["file"], sent["name"]) not in first))
            first.add((entry["file"], sent["name"]))
    return found


def post(url: str, body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read() or b"null")


def longest_list(value: Any) -> int:
    """How many objects the answer lists: the length of its longest list."""
    if isinstance(value, dict):
        return max((longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(longest_list(v) for v in value)])
    return 0


def _errors(answer: Any) -> list[tuple[Any, ...]]:
    """The errors as compared: message, path and code (error IDs differ per answer)."""
    return [
        (e.get("message"), e.get("path"), (e.get("extensions") or {}).get("code"))
        for e in (answer or {}).get("errors") or []
    ]


def check(op: Operation, fast_url: str, standard_url: str) -> tuple[int, str]:
    """(objects listed, problem): the fast side twice (the second send takes the direct
    lane and cached plans), the standard side once; all three must be equal."""
    answers = [post(fast_url, op.body()), post(fast_url, op.body()), post(standard_url, op.body())]
    statuses = {status for status, _ in answers}
    if statuses != {200}:
        return 0, f"HTTP {sorted(statuses)}"
    bodies = [body for _, body in answers]
    for body, side in zip(bodies[:2], ("fast", "fast (second send)"), strict=True):
        data_diff = differences(body.get("data"), bodies[2].get("data"))
        if data_diff:
            return 0, f"{side} differs from standard: {'; '.join(data_diff[:3])}"
        if _errors(body) != _errors(bodies[2]):
            return 0, f"{side}'s errors differ from standard's: {_errors(body)}"
    objects = longest_list(bodies[2].get("data"))
    if bodies[2].get("errors"):
        shown = "; ".join(f"{m} ({code}, at {path})" for m, path, code in _errors(bodies[2])[:2])
        return objects, f"answers with errors (same on both): {shown}"
    return objects, ""


def measure(
    op: Operation, urls: tuple[str, str], work: Path, options: argparse.Namespace
) -> Measured:
    """Both sides alternating, `rounds` rounds of `duration` seconds each."""
    result = Measured(op, timed=True)
    result.objects, result.problem = check(op, *urls)
    if result.problem:
        result.timed = False
        return result
    script = lua_script(dataclasses.replace(op, name=re.sub(r"[^\w.-]", "_", op.name)), work)
    args = (options.connections, options.threads)
    started = time.perf_counter()
    post(urls[1], op.body())
    # A slow screen gets rounds long enough for about ten standard answers (5 s at most).
    seconds = max(options.duration, min(MAX_ROUND, math.ceil(10 * (time.perf_counter() - started))))
    for _ in range(options.rounds):
        result.fast.append(wrk(urls[0], script, seconds, *args))
        result.standard.append(wrk(urls[1], script, seconds, *args))
    return result


def _target(m: Measured) -> str:
    if not m.timed or m.objects < TARGET_OBJECTS:
        return "n/a"
    fast, std = m.median("fast", "rps"), m.median("standard", "rps")
    return "met" if fast >= TARGET_RATIO * std and fast > 0 else "**missed**"


def table(measured: list[Measured]) -> list[str]:
    lines = [
        "| Operation | objects | fast req/s | standard req/s | ratio | fast p50 / p99 "
        "| standard p50 / p99 | >= 5x (20+ objects) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in measured:
        if not m.timed:
            continue
        fast, std = m.median("fast", "rps"), m.median("standard", "rps")
        lines.append(
            f"| {m.op.name} | {m.objects} | {fast:,.1f} | {std:,.1f} "
            f"| {f'{fast / std:.1f}x' if std else 'n/a'} "
            f"| {m.median('fast', 'p50_ms'):.1f} / {m.median('fast', 'p99_ms'):.1f} ms "
            f"| {m.median('standard', 'p50_ms'):.1f} / {m.median('standard', 'p99_ms'):.1f} ms "
            f"| {_target(m)} |"
        )
    return lines


def summary(measured: list[Measured], checked_only: list[Measured]) -> list[str]:
    applies = [m for m in measured if m.timed and m.objects >= TARGET_OBJECTS]
    missed = [m.op.name for m in applies if _target(m) != "met"]
    lines = [
        f"- corpus: {sum(m.timed for m in measured)} operations timed, "
        f"{len(checked_only)} more checked equal and not timed (other variables of a timed "
        "document and operation; `--every` times them)",
        f"- corpus: every screen listing {TARGET_OBJECTS}+ objects >= {TARGET_RATIO:.0f}x "
        f"standard execution: {'yes' if applies and not missed else 'NO'} "
        f"({len(applies) - len(missed)} of {len(applies)} met"
        + (f"; missed: {', '.join(missed)})" if missed else ")"),
    ]
    for m in [*measured, *checked_only]:
        if m.problem:
            lines.append(f"- corpus: {m.op.name} not timed: {m.problem}")
    return lines


def run(url: str, options: argparse.Namespace, tools: Tools) -> list[str]:
    """Markdown lines for bench/RESULTS.md (the bench database must be seeded)."""
    options = parse_args([]) if options is None else options
    for name, default in vars(parse_args([])).items():
        if not hasattr(options, name):
            setattr(options, name, default)
    keys = asyncio.run(bench_keys(url))
    work = Path(tempfile.mkdtemp(prefix="docket-corpus-"))
    bin_dir = Path(sys.executable).parent
    env = {
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        "QUERY_BUDGETS": "false",
        "DATABASE_URL": url,
        "BROKER_URL": "memory://",
        "MAIL_WORKER": "false",
        "WEBHOOK_WORKER": "false",
        "DOCKET_ENV": "production",
        "INTROSPECTION": "true",  # GraphiQL's screen is part of the corpus
    }
    standard_env = {**env, "COMPILED_PROJECTIONS": "false", "DIRECT_QUERIES": "false"}
    ports = [tools.free_port(), tools.free_port()]
    servers = [
        tools.start(
            [str(bin_dir / "docket"), "serve", "--port", str(port), "--workers", "1"],
            side_env,
            work / f"{side}.log",
        )
        for port, side_env, side in zip(ports, (env, standard_env), SIDES, strict=True)
    ]
    urls = (f"http://127.0.0.1:{ports[0]}/graphql", f"http://127.0.0.1:{ports[1]}/graphql")
    completed = False
    try:
        for port, server, side in zip(ports, servers, SIDES, strict=True):
            tools.wait_ready(f"http://127.0.0.1:{port}/readyz", server, work / f"{side}.log")
        refs = global_ids(keys, urls[0])
        measured: list[Measured] = []
        checked_only: list[Measured] = []
        for op, timed in operations(refs):
            if options.only and not {op.name, op.entry, op.operation} & set(options.only):
                continue
            if timed or options.every:
                measured.append(measure(op, urls, work, options))
                m = measured[-1]
                shown = (
                    f"{m.median('fast', 'rps'):,.1f} vs {m.median('standard', 'rps'):,.1f} req/s"
                    if m.timed
                    else m.problem
                )
                print(f"     corpus {op.name} ({m.objects} objects): {shown}", flush=True)
            else:
                m = Measured(op, timed=False)
                m.objects, m.problem = check(op, *urls)
                checked_only.append(m)
                print(f"     corpus {op.name}: checked {m.problem or 'equal'}", flush=True)
        dashboard: list[str] = []
        if not options.only or "dashboard" in options.only:
            dashboard = dashboard_lines(urls, work, options, check, servers[0].pid)
        completed = True
    finally:
        for server in servers:
            tools.stop(server)
        if completed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"server logs kept in {work}", file=sys.stderr)
    return [
        "## The conformance corpus, fast path against standard execution",
        "",
        f"Each operation as its client sends it; {options.rounds} rounds of "
        f"{options.duration} s per side, alternating, {options.connections} connections; "
        "medians. Objects: the answer's longest list.",
        "",
        *table(measured),
        "",
        *summary(measured, checked_only),
        f"- corpus: {describe(keys)}",
        *(["", *dashboard] if dashboard else []),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duration", type=int, default=1, help="seconds per round (1)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--only",
        nargs="*",
        help="operations to run: names as in the table, entry ids or operation names; "
        "'dashboard' for the Apollo-vs-hand-written comparison",
    )
    parser.add_argument(
        "--every", action="store_true", help="time every variable set, not one per operation"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bench.fanout import Processes
    from bench.processes import free_port, peak_rss_mb, start, stop, wait_ready
    from bench.seed import seed

    options = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    url = database_url()
    asyncio.run(seed(url))
    lines = run(url, options, Processes(start, stop, wait_ready, free_port, peak_rss_mb))
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
