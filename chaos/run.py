"""Start the throwaway cluster, seed it, run the scenarios, print the table, write
docs/chaos.md, tear everything down. Exit status 1 when any row failed."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
import traceback
import uuid
from pathlib import Path
from types import FrameType, ModuleType

from chaos import (
    procs,
    report,
    s1_decisions,
    s2_mail,
    s3_redis,
    s4_crash,
    s5_postgres,
    s6_tenants,
    s7_malicious,
)
from chaos.audit import Audit
from chaos.cluster import REPO, Cluster
from chaos.context import Context
from chaos.report import Row
from chaos.seed import build_world

SCENARIOS: list[ModuleType] = [
    s1_decisions,
    s2_mail,
    s3_redis,
    s4_crash,
    s5_postgres,
    s6_tenants,
    s7_malicious,
]
# Seconds a scenario may take before it is stopped and failed (full run, --quick).
BUDGETS = {
    "decisions": (900, 240),
    "mail": (360, 150),
    "redis": (420, 180),
    "crash": (240, 120),
    "postgres": (240, 120),
    "tenants": (600, 120),
    "malicious": (600, 180),
}
REVIEWERS = 50
DEFAULT_OUTPUT = REPO / "docs" / "chaos.md"


def parse(argv: list[str]) -> argparse.Namespace:
    names = [s.NAME for s in SCENARIOS]
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this scenario (repeatable): {', '.join(names)}",
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts: a smoke run")
    parser.add_argument("--keep", action="store_true", help="leave the temp dir (logs, data)")
    parser.add_argument(
        "--output",
        type=Path,
        help="write the Markdown table here (default: docs/chaos.md on a full run only, "
        "so the committed table is always a full run's)",
    )
    return parser.parse_args(argv)


def _versions(cluster: Cluster) -> str:
    try:
        pg = procs.run([str(cluster.pg_bin / "postgres"), "--version"]).strip()
        redis = procs.run(["redis-server", "--version"]).split(" sha=")[0].strip()
    except (RuntimeError, OSError):
        return "?"
    return f"{pg}; {redis}"


def _crashed(scenario: ModuleType, error: BaseException) -> Row:
    kind = "timed out" if isinstance(error, TimeoutError) else "crashed"
    lines = "".join(traceback.format_exception(error)).strip().splitlines()[-5:]
    return Row(
        scenario.TITLE,
        "scenario ran to the end",
        f"{kind}: {type(error).__name__}: {str(error)[:200]}",
        "the scenario completes within its time budget",
        False,
        [" / ".join(line.strip() for line in lines)],
    )


async def _scenarios(cluster: Cluster, selected: list[ModuleType], quick: bool) -> list[Row]:
    print("seeding through the API ...", flush=True)
    world = await asyncio.wait_for(build_world(cluster, REVIEWERS, uuid.uuid4().hex[:6]), 300)
    ctx = Context(cluster, world, Audit(cluster.database_url, cluster.mail_file), quick)
    rows: list[Row] = []
    try:
        for scenario in selected:
            print(f"== {scenario.TITLE}", flush=True)
            marks = cluster.log_marks()
            started = time.monotonic()
            budget = BUDGETS[scenario.NAME][1 if quick else 0]
            try:
                found = await asyncio.wait_for(scenario.run(ctx), budget)
            except Exception as error:
                found = [_crashed(scenario, error)]
            for row in found:
                print(row.line(), flush=True)
            rows += found
            logged = cluster.errors_since(marks)
            failing = [row for row in found if not row.passed]
            annotated = any(d.startswith("server log:") for row in found for d in row.details)
            if failing and logged and not annotated:
                failing[0].details += [f"server log: {line}" for line in sorted(set(logged))]
            print(
                f"   ({time.monotonic() - started:.0f} s; {len(logged)} ERROR log lines"
                f"{': ' + '; '.join(sorted(set(logged))[:4]) if logged else ''})",
                flush=True,
            )
            try:
                await asyncio.wait_for(asyncio.to_thread(cluster.heal), 180)
            except Exception as error:
                rows.append(_crashed(scenario, error))
                rows[-1].check = "cluster healthy again afterwards"
                print(rows[-1].line(), "\n   the cluster is broken: stopping here", flush=True)
                break
    finally:
        await world.close()
    return rows


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds into the teardown


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    selected = [s for s in SCENARIOS if not args.only or s.NAME in args.only]
    signal.signal(signal.SIGTERM, _on_term)
    started = time.monotonic()
    cluster = Cluster(keep=args.keep)
    rows: list[Row] = []
    try:
        print(f"starting the cluster in {cluster.root} ...", flush=True)
        cluster.start()
        versions = _versions(cluster)
        rows = asyncio.run(_scenarios(cluster, selected, args.quick))
    except KeyboardInterrupt:
        print("interrupted: tearing down", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        for proc in [*cluster.apis, cluster.worker]:
            tail = "\n".join(line[:300] for line in proc.tail(5).splitlines())
            print(f"--- {proc.name} log tail:\n{tail}", file=sys.stderr)
        return 2
    finally:
        cluster.teardown()
    seconds = time.monotonic() - started
    print("\n" + report.console_table(rows))
    failed = [r for r in rows if not r.passed]
    if failed:
        print("\nFailures:\n" + report.details(rows, markdown=False))
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed in {seconds / 60:.1f} min")
    output = args.output or (None if args.quick or args.only else DEFAULT_OUTPUT)
    if output is not None:
        options = " ".join(sys.argv[1:] if argv is None else argv)
        output.parent.mkdir(parents=True, exist_ok=True)
        text = report.markdown(rows, options=options, versions=versions, seconds=seconds)
        output.write_text(text)
        print(f"wrote {output}")
    return 1 if failed else 0
