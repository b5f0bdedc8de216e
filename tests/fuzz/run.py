"""The long fuzz run (`make fuzz`): `python -m tests.fuzz.run --help`.

Starts the fast app (uvicorn, EXECUTION_CHECK on) and the standard app on one
database, seeds the company, then sends generated requests for the given time,
round-robin over the eight viewers: queries under the differential property,
and a few mutations (fast app only) under the no-crash property. Each failing
request is one JSON line in the output file as soon as it is found; the run
goes on to the end and prints what it ran and what failed.

`--replay FILE` sends the requests of a failures file again, on a freshly seeded
database (the seed is deterministic, so its IDs are the same), and says which
still fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from api.db import migrate
from api.settings import Settings, load_settings
from tests.conftest import Server
from tests.factories import SECRET
from tests.fuzz.documents import Case, Generator, dumps, sample
from tests.fuzz.harvest import heal
from tests.fuzz.lanes import Failure, Lanes, standard_client, summary
from tests.fuzz.seed import ROLES, Company, seed
from tests.fuzz.values import IdPool

BATCH = 16  # queries drawn at a time (one Hypothesis run each, with its own seed)
MUTATIONS_PER_BATCH = 2


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__)
    parser.add_argument("--minutes", type=float, default=20.0, help="how long to fuzz")
    parser.add_argument("--out", type=Path, default=Path("var/fuzz/failures.jsonl"))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="default TEST_DATABASE_URL, else SQLite in a temporary folder; "
        "a PostgreSQL database's public schema is DROPPED first",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("TEST_REDIS_URL"),
        help="default TEST_REDIS_URL, else the in-process broker",
    )
    parser.add_argument("--seed", type=int, default=None, help="first Hypothesis seed")
    parser.add_argument("--replay", type=Path, help="a failures file to send again")
    return parser.parse_args(argv)


def _settings(args: argparse.Namespace, var: Path) -> Settings:
    database_url = args.database_url or f"sqlite://{var}/fuzz.sqlite3"
    return load_settings(
        var_dir=var,
        storage_url=f"file://{var}/uploads",
        secret_key=SECRET,
        smtp_url="",
        docket_env="development",
        execution_check=True,
        # as tests/conftest.py: many requests a second from one address and few users
        anonymous_points_burst=1e9,
        anonymous_points_per_second=1e9,
        query_points_burst=1e9,
        query_points_per_second=1e9,
        database_url=database_url,
        broker_url=args.redis_url or "memory://",
    )


async def _empty_database(settings: Settings) -> None:
    if settings.uses_sqlite:
        return
    import asyncpg

    connection = await asyncpg.connect(
        settings.database_url.replace("postgres://", "postgresql://")
    )
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


def _line(failure: Failure) -> str:
    return dumps(failure.record(), ensure_ascii=False, default=str)


class Tally:
    """What ran and what failed, for the closing summary."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.failures: list[Failure] = []
        self.kinds: Counter[str] = Counter()

    def add(self, role: str, kind: str, failures: list[Failure]) -> None:
        self.sent[f"{role} {kind}"] += 1
        for failure in failures:
            self.failures.append(failure)
            self.kinds.update(set(failure.reasons))

    def report(self, clean: Counter[str], varies: Counter[str]) -> str:
        lines = ["requests run, per viewer and kind:"]
        lines += [f"  {key}: {count}" for key, count in sorted(self.sent.items())]
        lines.append("queries answered without any error (these take the direct lane):")
        lines += [f"  {role}: {clean[role]}" for role in ROLES]
        lines.append("differences the standard app also gives when asked again (not failed):")
        lines += [f"  x{count} {what}" for what, count in varies.most_common(10)]
        lines.append(f"failing requests: {len(self.failures)}; failures per kind:")
        lines += [f"  {kind}: {count}" for kind, count in self.kinds.most_common()]
        if self.failures:
            lines.append(summary(self.failures, limit=40))
        return "\n".join(lines)


async def _fuzz(args: argparse.Namespace, lanes: Lanes, company: Company, out: Any) -> Tally:
    generator = Generator(IdPool(company.all_ids(), company.cursors))
    deadline = time.monotonic() + args.minutes * 60
    first_seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"hypothesis seeds from {first_seed}", flush=True)
    tally, turn, batch, last_report = Tally(), 0, 0, time.monotonic()
    while time.monotonic() < deadline:
        seed_now = first_seed + batch
        batch += 1
        work = [(c, False) for c in sample(generator.queries(), BATCH, seed=seed_now)]
        work += [
            (c, True) for c in sample(generator.mutations(), MUTATIONS_PER_BATCH, seed=seed_now)
        ]
        for case, mutates in work:
            if time.monotonic() >= deadline:
                break
            role = ROLES[turn % len(ROLES)]
            turn += 1
            token = company.tokens[role]
            if mutates:
                failure = await lanes.check_mutation(case, role, token)
                failures = [failure] if failure else []
            else:
                failures = await lanes.check_query(case, role, token)
            tally.add(role, case.kind, failures)
            for failure in failures:
                out.write(_line(failure) + "\n")
                out.flush()
        await heal(company)  # mutations may have signed a viewer out or taken its roles
        if time.monotonic() - last_report > 60:
            last_report = time.monotonic()
            print(f"{sum(tally.sent.values())} requests, {len(tally.failures)} failing", flush=True)
    return tally


async def _replay(args: argparse.Namespace, lanes: Lanes, company: Company) -> None:
    still = 0
    lines = args.replay.read_text().splitlines()
    for number, line in enumerate(lines, 1):
        record = json.loads(line)
        case = Case(
            record["kind"], record["document"], record["variables"], record["operationName"]
        )
        token = company.tokens[record["role"]]
        for earlier in record.get("sentBefore", []):  # the same document's other operations
            await lanes.check_operation(replace(case, operation_name=earlier), "", token)
        check = lanes.check_mutation if record["kind"] == "mutation" else lanes.check_operation
        failure = await check(case, record["role"], token)
        if failure is None:
            print(f"line {number}: passes now (was {', '.join(record['reasons'])})")
        else:
            still += 1
            print(f"line {number}: fails: {failure.signature()}")
            for label, detail in failure.detail.items():
                print(f"  {label}: {detail}")
    print(f"{still} of {len(lines)} still fail")


def _quiet() -> None:
    """Errors reach the failures file; the terminal keeps the progress lines."""
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    logging.getLogger("uvicorn.error").propagate = False
    logging.getLogger("docket").propagate = False


async def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="docket-fuzz-") as folder:
        settings = _settings(args, Path(folder))
        where = "PostgreSQL" if not settings.uses_sqlite else "SQLite"
        print(
            f"fuzzing on {where} ({settings.database_url.split('@')[-1]}), broker "
            f"{settings.broker_url.split('@')[-1]}",
            flush=True,
        )
        await _empty_database(settings)
        await migrate(settings.database_url)
        server = Server(settings)
        await server.start()
        _quiet()
        try:
            async with (
                standard_client(settings, server.url) as standard,
                httpx.AsyncClient(base_url=server.url, timeout=60) as fast,
            ):
                company = await seed(standard)
                lanes = Lanes(fast, standard)
                with lanes.log:
                    if args.replay:
                        await _replay(args, lanes, company)
                        return 0
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    with args.out.open("w") as out:
                        tally = await _fuzz(args, lanes, company, out)
            print(tally.report(lanes.clean, lanes.varies))
            print(f"failing requests written to {args.out}")
            return 1 if tally.failures else 0
        finally:
            await server.stop()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
