"""The report: the table, the targets met or not, machine facts, and bench/RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT
from bench.load import Round
from bench.scenario import Scenario

RESULTS = ROOT / "bench" / "RESULTS.md"


@dataclass
class Result:
    scenario: Scenario
    api: list[Round] = field(default_factory=list)
    floor: list[Round] = field(default_factory=list)
    limit: list[Round] = field(default_factory=list)  # the one-statement floor, list scenarios
    peak_rss_mb: float | None = None

    @staticmethod
    def median(rounds: list[Round], attr: str) -> float:
        return statistics.median(float(getattr(r, attr)) for r in rounds)


def table(results: list[Result]) -> str:
    lines = [
        "| Scenario | req/s | floor req/s | % of floor | one-statement req/s "
        "| % of one statement | p50 | p99 | floor p50 | one-statement p50 | peak RSS (API) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        api_rps = Result.median(result.api, "rps")
        floor_rps = Result.median(result.floor, "rps")
        rss = f"{result.peak_rss_mb:.0f} MB" if result.peak_rss_mb is not None else "n/a"
        if result.limit:
            limit_rps = Result.median(result.limit, "rps")
            limit = f"{limit_rps:,.0f} | {100 * api_rps / limit_rps:.1f} %"
            limit_p50 = f"{Result.median(result.limit, 'p50_ms'):.1f} ms"
        else:
            limit, limit_p50 = "n/a | n/a", "n/a"
        lines.append(
            f"| {result.scenario.name} | {api_rps:,.0f} | {floor_rps:,.0f} "
            f"| {100 * api_rps / floor_rps:.1f} % | {limit} "
            f"| {Result.median(result.api, 'p50_ms'):.1f} ms "
            f"| {Result.median(result.api, 'p99_ms'):.1f} ms "
            f"| {Result.median(result.floor, 'p50_ms'):.1f} ms "
            f"| {limit_p50} | {rss} |"
        )
    return "\n".join(lines)


# The share of the one-statement floor each list scenario must reach.
LIMIT_TARGETS = {"dashboard": 0.9, "review-queue": 0.8}


def targets(results: list[Result]) -> list[str]:
    """The issue's targets that this run measures, each met or not."""
    lines = []
    for result in results:
        name = result.scenario.name
        share = Result.median(result.api, "rps") / Result.median(result.floor, "rps")
        p50, p99 = Result.median(result.api, "p50_ms"), Result.median(result.api, "p99_ms")
        if name.startswith(("dashboard", "review-queue")):
            lines.append(f"- {name}: >= 50 % of floor: {mark(share >= 0.5)} ({100 * share:.1f} %)")
            goal = LIMIT_TARGETS[name.rsplit("-", 1)[0]]
            if result.limit:
                # Each round runs Docket then the floors back to back: the verdict is the
                # median of the rounds' own ratios, which a slower minute moves far less
                # than a ratio of the two sides' medians (shown beside it).
                limit = paired(result.api, result.limit)
                medians = Result.median(result.api, "rps") / Result.median(result.limit, "rps")
                lines.append(
                    f"- {name}: >= {100 * goal:.0f} % of the one-statement floor: "
                    f"{mark(limit >= goal)} ({100 * limit:.1f} %, the median of "
                    f"{len(result.limit)} rounds' ratios; of the medians {100 * medians:.1f} %)"
                )
            lines.append(f"- {name}: p99 <= 3x p50: {mark(p99 <= 3 * p50)} ({p99 / p50:.1f}x)")
        if name.startswith("dashboard") and result.peak_rss_mb is not None:
            met = result.peak_rss_mb <= 250
            lines.append(f"- {name}: peak RSS <= 250 MB: {mark(met)} ({result.peak_rss_mb:.0f} MB)")
    return lines


def paired(api: list[Round], floor: list[Round]) -> float:
    """The median of each round's API req/s over the floor's in the same round."""
    return statistics.median(a.rps / f.rps for a, f in zip(api, floor, strict=True))


def mark(ok: bool) -> str:
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
    sections: list[str] | None = None,
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
            f"{options.warmup} s warm-up); medians of the rounds. The one-statement targets "
            "are judged on the median of each round's own ratio (Docket and the floors run "
            "back to back in a round)",
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
            *(sections or []),
            "## Notes",
            "",
            "- The one-statement floor (`bench/floor_limit.py`) answers each list scenario "
            "with ONE SQL statement: it checks the bearer token and has PostgreSQL build the "
            "whole JSON answer (relations joined, `json_agg` in the page's order, global IDs "
            "and timestamps written as GraphQL writes them; the page size written into "
            "the statement's text, so PostgreSQL keeps its plan); Starlette passes the text "
            "through, and its connection goes back to the pool as it is (as Docket's pool "
            "lends it: since 2026-12-08, no reset round trip after each request). It is the "
            "physical limit for that screen on this machine; its answer is checked equal to "
            "the GraphQL `data` before timing.",
            "- The floor (`bench/floor.py`) is a bare Starlette + asyncpg + orjson endpoint "
            "that checks the same bearer token and runs the same statements as the API "
            "(sign-in in one statement; the page; one query per relation), selecting only the "
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
