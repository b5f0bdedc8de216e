"""EXPLAIN (ANALYZE, BUFFERS) of the statements Docket sends for each scale screen.

    .venv/bin/python -m bench.scale_plans [--requests 1000000]

Turns on `log_statement = all` for the bench database alone (ALTER DATABASE, reset
on the way out), starts `docket serve` on it, sends each screen of
bench.scale_screens once to warm up and once to capture, and reads the statements
with their parameters from PostgreSQL's log. Each distinct statement is then run
again under EXPLAIN (ANALYZE, BUFFERS), its parameters in place, and written to
bench/plans/<screen>.txt; the statements every screen sends (signing in) go to
bench/plans/sign-in.txt. A plan is index-backed when it reads none of the big
tables with a Seq Scan.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
import tempfile
import time
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bench.common import ROOT
from bench.compare import post
from bench.scale_screens import screens

PLANS = ROOT / "bench" / "plans"
BIG_TABLES = ("account_requests", "account_request_events", "service_requests")
SEQ_SCAN = re.compile(r"Seq Scan on (" + "|".join(BIG_TABLES) + r")\b")
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] (\S*)@(\S*) (\w+):  ")
_PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
_PLACEHOLDER = re.compile(r"\$(\d+)\b")


@dataclass
class Statement:
    sql: str  # with $n placeholders, as Docket sends it
    parameters: dict[int, str]  # $n -> SQL literal, as the log shows it

    def literal(self) -> str:
        return _PLACEHOLDER.sub(
            lambda m: self.parameters.get(int(m.group(1)), m.group(0)), self.sql
        )


async def log_file(conn: asyncpg.Connection) -> Path:
    """Where this server logs: pg_current_logfile(), else Debian's stderr file."""
    current = await conn.fetchval("SELECT pg_current_logfile()")
    if current:
        directory = await conn.fetchval("SHOW data_directory")
        return Path(directory) / current
    version = str(await conn.fetchval("SHOW server_version")).split(".")[0]
    return Path(f"/var/log/postgresql/postgresql-{version}-main.log")


def statements(text: str, database: str) -> list[Statement]:
    """The executed statements of `database` in a piece of log, with their parameters."""
    found: list[Statement] = []
    entry: list[str] = []

    def flush() -> None:
        if not entry:
            return
        head = _ENTRY.match(entry[0])
        body = (
            "\n".join([entry[0][head.end() :], *(line[1:] for line in entry[1:])]) if head else ""
        )
        if head and head.group(2) == database:
            if head.group(3) == "LOG" and body.startswith(("execute ", "statement: ")):
                sql = body.split(": ", 1)[1]
                found.append(Statement(sql, {}))
            elif head.group(3) == "DETAIL" and body.startswith("parameters: ") and found:
                found[-1].parameters = {
                    int(m.group(1)): m.group(2) for m in _PARAMETER.finditer(body)
                }
        entry.clear()

    for line in text.splitlines():
        if _ENTRY.match(line):
            flush()
            entry.append(line)
        elif line.startswith("\t") and entry:
            entry.append(line)
    flush()
    return found


def capture(url: str, tools: Any) -> dict[str, list[Statement]]:
    """Each screen's statements, in order, distinct, sent by a fresh `docket serve`."""
    from bench.scale import serve

    database = urlsplit(url).path.lstrip("/")
    work = Path(tempfile.mkdtemp(prefix="docket-plans-"))

    async def set_logging(value: str | None) -> Path:
        conn = await asyncpg.connect(url)
        try:
            setting = f"SET log_statement = '{value}'" if value else "RESET log_statement"
            await conn.execute(f'ALTER DATABASE "{database}" {setting}')
            return await log_file(conn)
        finally:
            await conn.close()

    path = asyncio.run(set_logging("all"))
    if not path.exists():
        asyncio.run(set_logging(None))
        raise SystemExit(f"cannot read PostgreSQL's log ({path}) to capture the statements")
    captured: dict[str, list[Statement]] = {}
    try:
        api_url, process = serve(url, tools, work)
        try:
            for screen in screens():
                _send(api_url, screen.scenario.body(), work)  # warm: first-use statements
                time.sleep(0.2)
                start = path.stat().st_size
                _send(api_url, screen.scenario.body(), work)
                time.sleep(0.5)  # the log is written by the server process
                with path.open("rb") as log:
                    log.seek(start)
                    text = log.read().decode(errors="replace")
                distinct: dict[str, Statement] = {}
                for statement in statements(text, database):
                    distinct.setdefault(statement.sql, statement)
                captured[screen.scenario.name] = list(distinct.values())
        finally:
            tools.stop(process)
    finally:
        asyncio.run(set_logging(None))
        shutil.rmtree(work, ignore_errors=True)
    return captured


def _send(api_url: str, body: bytes, work: Path) -> None:
    try:
        post(api_url, body)
    except urllib.error.HTTPError as error:
        logs = "\n".join(log.read_text()[-3000:] for log in work.glob("*.log"))
        raise SystemExit(f"{api_url}: {error}: {error.read()[:500]!r}\n{logs}") from error


async def explain(url: str, sql: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        query = f"EXPLAIN (ANALYZE, BUFFERS) {sql}"
        await conn.fetch(query)  # warm the cache: the second run is the one kept
        return "\n".join(row[0] for row in await conn.fetch(query))
    finally:
        await conn.close()


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write(url: str, tools: Any) -> list[str]:
    """Capture, EXPLAIN, write bench/plans/*.txt; Markdown lines: index-backed or not."""
    captured = capture(url, tools)
    common = set.intersection(*({s.sql for s in found} for found in captured.values()))
    files: dict[str, list[Statement]] = {"sign-in": []}
    for name, found in captured.items():
        for statement in found:
            if statement.sql in common:
                if statement.sql not in {s.sql for s in files["sign-in"]}:
                    files["sign-in"].append(statement)
            else:
                files.setdefault(name, []).append(statement)
    PLANS.mkdir(exist_ok=True)
    for stale in PLANS.glob("*.txt"):
        stale.unlink()
    database = urlsplit(url).path.lstrip("/")
    offenders: list[str] = []
    slowest: list[tuple[float, str]] = []
    for name, found in files.items():
        parts = [
            f"-- {name}: the statements Docket sends, EXPLAIN (ANALYZE, BUFFERS) on {database}"
        ]
        for n, statement in enumerate(found, start=1):
            plan = asyncio.run(explain(url, statement.literal()))
            if scan := SEQ_SCAN.search(plan):
                offenders.append(f"{name} #{n}: {scan.group(0)}")
            took = re.search(r"Execution Time: ([\d.]+) ms", plan)
            if took:
                slowest.append((float(took.group(1)), f"{name} #{n}"))
            parameters = ", ".join(f"${k} = {v}" for k, v in sorted(statement.parameters.items()))
            parts += ["", f"-- #{n}", statement.sql, f"-- parameters: {parameters or 'none'}", plan]
        (PLANS / f"{slug(name)}.txt").write_text("\n".join(parts) + "\n")
    total = sum(len(found) for found in files.values())
    slowest.sort(reverse=True)
    lines = [
        f"- plans: {total} statements of {len(files)} files at {database} in `bench/plans/`; "
        f"index-backed (no Seq Scan on {', '.join(BIG_TABLES)}): "
        + ("met" if not offenders else f"NOT met ({'; '.join(offenders)})"),
        "- plans: slowest statements: "
        + ", ".join(f"{where} {ms:.1f} ms" for ms, where in slowest[:5]),
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    from bench import processes
    from bench.generate import Size
    from bench.seed import seed, url_for

    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_plans", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=1_000_000)
    options = parser.parse_args(argv)
    size = Size.of(options.requests)
    asyncio.run(seed(url_for(size), size))
    print("\n".join(write(url_for(size), processes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
