"""Run the benchmark: `docket serve` against its floor, same run, same machine.

    make bench                           # or: .venv/bin/python -m bench.run [--help]

Seeds the database (bench.seed, reused when already seeded), starts one
`docket serve` worker and the floor app (bench.floor) on free ports, and for
each scenario first checks that the GraphQL `data` equals the floor's answer,
then loads both with wrk (16 connections, 2 threads) for several rounds,
alternating. Prints medians (req/s, p50, p99), % of the floor and the peak RSS
of the API process, and writes bench/RESULTS.md.

The parts: bench.processes (servers, RSS, the soak), bench.load (wrk),
bench.compare (answers against the floor's), bench.report (table, RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import asyncpg

from bench import corpus, fanout, scale
from bench.common import ROOT, SECRET_KEY, database_url
from bench.compare import check
from bench.load import lua_script, wrk
from bench.processes import (
    free_port,
    peak_rss_mb,
    reset_peak_rss,
    soak,
    start,
    stop,
    wait_ready,
)
from bench.report import RESULTS, Result, table, targets, write_results
from bench.scenario import Scenario
from bench.seed import seed
from schema.relay.ids import encode_id

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
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side (5)")
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
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["corpus", "scale", "fan-out"],
        help="parts to leave out (the conformance corpus, the 1,000,000-row scale, fan-out)",
    )
    scale.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if shutil.which("wrk") is None and not options.check_only:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    url = database_url()
    node_id, pg_version = asyncio.run(prepare(url))
    chosen = [s for s in scenarios(node_id) if not options.only or s.name in options.only]
    wanted = not options.check_only and not options.only
    with_fanout = not options.check_only and (not options.only or "fan-out" in options.only)
    with_fanout = with_fanout and "fan-out" not in options.skip
    with_corpus = (wanted or "corpus" in (options.only or [])) and "corpus" not in options.skip
    with_scale = (wanted or "scale" in (options.only or [])) and "scale" not in options.skip
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
            "WEBHOOK_WORKER": "false",
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
            if scenario.limit_path is not None:
                check(scenario, api_url, floor_url, scenario.limit_path)
                print(f"ok   {scenario.name}: GraphQL data equals the one-statement floor's")
        if options.check_only:
            completed = True
            return 0
        for scenario in chosen:
            result = Result(scenario)
            script = lua_script(scenario, work)
            floor_target = floor_url + scenario.floor_path
            args = (options.connections, options.threads)
            limit_target = floor_url + scenario.limit_path if scenario.limit_path else None
            wrk(api_url, script, options.warmup, *args)
            wrk(floor_target, script, options.warmup, *args)
            if limit_target:
                wrk(limit_target, script, options.warmup, *args)
            reset_peak_rss(api.pid)
            for n in range(options.rounds):
                result.api.append(wrk(api_url, script, options.duration, *args))
                result.floor.append(wrk(floor_target, script, options.duration, *args))
                if limit_target:
                    result.limit.append(wrk(limit_target, script, options.duration, *args))
                limit = f", one statement {result.limit[-1].rps:,.0f}" if result.limit else ""
                print(
                    f"     {scenario.name} round {n + 1}: {result.api[-1].rps:,.0f} req/s, "
                    f"floor {result.floor[-1].rps:,.0f} req/s{limit}",
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
        print(f"     fan-out: {options.subscribers} subscribers on two processes ...", flush=True)
        tools = fanout.Processes(start, stop, wait_ready, free_port, peak_rss_mb)
        measured = fanout.run(url, options.subscribers, options.fanout_rounds, tools)
        fanout_lines = fanout.report(measured)
    sections: list[str] = []
    tools = fanout.Processes(start, stop, wait_ready, free_port, peak_rss_mb)
    if with_corpus:
        print("     corpus: every screen of the conformance corpus ...", flush=True)
        corpus_lines = corpus.run(url, corpus.parse_args([]), tools)
        sections += [*corpus_lines, ""]  # under its own heading
    if with_scale:
        print("     scale: 100,000 and 1,000,000 account requests ...", flush=True)
        scale_lines = scale.run(options, tools)
        sections += ["## Scale", "", *scale_lines, ""]
    print()
    print(table(results))
    print()
    print("\n".join([*targets(results), *soak_lines]))
    print()
    print("\n".join(fanout_lines) if fanout_lines else "fan-out: not run")
    print("\n".join(sections))
    write_results(results, options, pg_version, fanout_lines, soak_lines, sections)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
