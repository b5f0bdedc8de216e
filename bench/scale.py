"""The scale part: the same screens at 100,000 and at 1,000,000 account requests, one run.

    .venv/bin/python -m bench.scale [--duration 5] [--rounds 2] [--no-plans]

Seeds (or reuses) docket_bench and docket_bench_1m (bench.seed), starts one
`docket serve` on each (the environment of bench.run), checks each screen's
answer (no errors, its exact count equal to PostgreSQL's), then loads every
screen of bench.scale_screens with wrk at each size, alternating the sizes
round by round. Reports p50 / p99 / req/s per size, each screen's p50 against
the plain page's at the same size, the dashboard's at 1,000,000 against its
p50 at 100,000, and the issue's targets met or not. Then (unless --no-plans)
bench.scale_plans writes the EXPLAIN plans of the statements Docket sends at the
largest size into bench/plans/ and checks that they are index-backed.

bench.run wires it in with `scale.add_arguments(parser)` and
`scale.run(options, tools)`, which returns the Markdown lines for RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bench.common import SECRET_KEY
from bench.compare import post
from bench.generate import Size
from bench.load import lua_script, wrk
from bench.scale_report import Measured, report
from bench.scale_screens import Screen, expected_counts, screens
from bench.seed import seed, url_for

SIZES = (100_000, 1_000_000)
APPLICATION = "docket-scale"


def add_arguments(parser: argparse.ArgumentParser, prefix: str = "scale-") -> None:
    """The scale part's options (bench.run: --scale-duration ...; alone: --duration ...)."""
    parser.add_argument(f"--{prefix}duration", dest="scale_duration", type=int, default=5)
    parser.add_argument(f"--{prefix}rounds", dest="scale_rounds", type=int, default=2)
    parser.add_argument(f"--{prefix}warmup", dest="scale_warmup", type=int, default=2)
    parser.add_argument(
        f"--{prefix}sizes", dest="scale_sizes", type=int, nargs="+", default=list(SIZES)
    )
    parser.add_argument(
        f"--{prefix}only", dest="scale_only", nargs="*", help="screen names (default: all)"
    )
    parser.add_argument(
        f"--no-{prefix}plans", dest="scale_plans", action="store_false", help="skip bench/plans/"
    )


def server_env(url: str) -> dict[str, str]:
    """What bench.run gives `docket serve`."""
    return {
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        "QUERY_BUDGETS": "false",
        "DATABASE_URL": url,
        "BROKER_URL": "memory://",
        "MAIL_WORKER": "false",
        "WEBHOOK_WORKER": "false",
        "DOCKET_ENV": "production",
    }


def serve(url: str, tools: Any, work: Path) -> tuple[str, Any]:
    """`docket serve` on a free port against `url`, ready; its GraphQL URL and process.
    Its connections carry application_name docket-scale-<port> (see `settle`)."""
    port = tools.free_port()
    log = work / f"api-{port}.log"
    docket = str(Path(sys.executable).parent / "docket")
    named = f"{url}{'&' if '?' in url else '?'}application_name={APPLICATION}-{port}"
    process = tools.start(
        [docket, "serve", "--port", str(port), "--workers", "1"], server_env(named), log
    )
    try:
        tools.wait_ready(f"http://127.0.0.1:{port}/readyz", process, log)
    except BaseException:
        tools.stop(process)
        raise
    return f"http://127.0.0.1:{port}/graphql", process


async def _busy(url: str, application: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        busy: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
            " AND state = 'active'",
            application,
        )
        return busy
    finally:
        await conn.close()


def settle(url: str, api_url: str, timeout: float = 60) -> None:
    """Wait until no statement of this server runs any more: the requests wrk left
    in flight would otherwise load the next measurement."""
    application = f"{APPLICATION}-{urlsplit(api_url).port}"
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3 and time.monotonic() < deadline:
        quiet = quiet + 1 if asyncio.run(_busy(url, application)) == 0 else 0
        time.sleep(0.2)


def check(screen: Screen, api_url: str, expected: dict[str, int], label: str) -> None:
    """No errors, the items there, and the exact count PostgreSQL gives."""
    answer = post(api_url, screen.scenario.body())
    name = screen.scenario.name
    if answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"FAIL {name} at {label}: {answer.get('errors')}")
    if screen.count is not None:
        value: Any = answer["data"]
        for key in screen.count[0]:
            value = value[key]
        if value != expected[name]:
            raise SystemExit(
                f"FAIL {name} at {label}: count {value} != {expected[name]} in PostgreSQL"
            )


def measure(options: Any, tools: Any) -> tuple[list[int], list[Measured]]:
    sizes = list(getattr(options, "scale_sizes", None) or SIZES)
    only = getattr(options, "scale_only", None)
    chosen = [s for s in screens() if not only or s.scenario.name in only]
    duration = int(getattr(options, "scale_duration", 5))
    rounds = int(getattr(options, "scale_rounds", 2))
    warmup = int(getattr(options, "scale_warmup", 2))
    load = (int(getattr(options, "connections", 16)), int(getattr(options, "threads", 2)))
    urls = {size: url_for(Size.of(size)) for size in sizes}
    for size in sizes:
        asyncio.run(seed(urls[size], Size.of(size)))
    work = Path(tempfile.mkdtemp(prefix="docket-scale-"))
    servers: dict[int, tuple[str, Any]] = {}
    results = [Measured(screen) for screen in chosen]
    completed = False
    try:
        for size in sizes:
            servers[size] = serve(urls[size], tools, work)
            expected = asyncio.run(expected_counts(urls[size], chosen))
            for screen in chosen:
                check(screen, servers[size][0], expected, f"{size:,}")
        print(f"ok   scale: {len(chosen)} screens answer, counts exact", flush=True)
        for result in results:
            script = lua_script(result.screen.scenario, work)
            for size in sizes:
                wrk(servers[size][0], script, warmup, *load)
                settle(urls[size], servers[size][0])
            for n in range(rounds):
                # Alternate which size goes first, round by round.
                for size in sizes if n % 2 == 0 else sizes[::-1]:
                    done = wrk(servers[size][0], script, duration, *load)
                    settle(urls[size], servers[size][0])
                    result.rounds.setdefault(size, []).append(done)
            shown = ", ".join(
                f"{size:,}: p50 {result.median(size, 'p50_ms'):.1f} ms" for size in sizes
            )
            print(f"     scale {result.screen.scenario.name}: {shown}", flush=True)
        completed = True
    finally:
        for _, process in servers.values():
            tools.stop(process)
        if completed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"server logs kept in {work}", file=sys.stderr)
    return sizes, results


def run(options: Any, tools: Any) -> list[str]:
    """Measure, report, and (unless options.scale_plans is False) write bench/plans/.

    `tools` has start, stop, wait_ready and free_port (bench.processes; a
    bench.fanout.Processes will do). Returns Markdown lines for RESULTS.md."""
    sizes, results = measure(options, tools)
    lines = [
        f"Scale: the same screens at {', '.join(f'{s:,}' for s in sizes)} account requests "
        f"(`bench/scale.py`; {getattr(options, 'scale_rounds', 2)} rounds of "
        f"{getattr(options, 'scale_duration', 5)} s per size, alternating; "
        "p50 medians; x page: against the plain page at the same size).",
        "",
        *report(sizes, results),
    ]
    if getattr(options, "scale_plans", True):
        from bench import scale_plans

        lines.extend(scale_plans.write(url_for(Size.of(max(sizes))), tools))
    return lines


def main(argv: list[str] | None = None) -> int:
    from bench import processes

    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    add_arguments(parser, prefix="")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    print("\n".join(run(options, processes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
