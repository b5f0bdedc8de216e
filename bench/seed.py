"""Seed a PostgreSQL database with a realistic volume for the benchmark.

    .venv/bin/python -m bench.seed                      # BENCH_DATABASE_URL (docket_bench)
    .venv/bin/python -m bench.seed --requests 1000000   # docket_bench_1m beside it

Creates the database if missing, applies the migrations, and fills it in one
transaction with COPY, chunk by chunk as bench.generate makes them: 2,000 accounts
(a site and a contact each), 30 users, 8 request types, 100,000 account requests
with 1-3 timeline events each, and 20,000 service requests; other sizes scale the
requests, service requests and notifications (bench.generate.Size.of), in a
database of their own (`docket_bench_1m`). Then VACUUM ANALYZE, so that plans and
index-only scans are those of a settled database. A marker table (`bench_seed`)
makes it reusable: a database already seeded at this SEED_VERSION and size is left
as it is. 1,000,000 requests take a few minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

from bench.common import ADMIN_TOKEN, SECRET_KEY, SEED_VERSION, database_url
from bench.generate import Size, stream

SEED_TABLES = (
    "auth_tokens",
    "jobs",
    "service_requests",
    "account_request_events",
    "account_requests",
    "account_request_types",
    "notifications",
    "outbox_emails",
    "company_settings",
    "team_members",
    "teams",
    "contacts",
    "sites",
    "accounts",
    "user_roles",
    "login_attempts",
    "users",
)


def token_hash(token: str = ADMIN_TOKEN, secret: str = SECRET_KEY) -> str:
    """What models.auth stores for a bearer token: HMAC-SHA256(secret, token), hex."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


async def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await server.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    finally:
        await server.close()


def url_for(size: Size, base: str | None = None) -> str:
    """The default size's database is BENCH_DATABASE_URL's; another size's is beside it,
    named after the size (docket_bench_1m)."""
    base = base or database_url()
    if size == Size():
        return base
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{size.label}"))


async def _seeded(conn: asyncpg.Connection, size: Size) -> bool:
    """Whether the marker says: this SEED_VERSION, this many requests."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_seed"
        " (version integer NOT NULL, seeded_at timestamptz NOT NULL, counts jsonb NOT NULL)"
    )
    found = await conn.fetchval(
        "SELECT count(*) FROM bench_seed WHERE version = $1"
        " AND (counts->>'account_requests')::int = $2",
        SEED_VERSION,
        size.requests,
    )
    return bool(found)


async def _refresh_token(conn: asyncpg.Connection) -> None:
    """The admin's bearer token, valid for years (re-set on every run)."""
    now = datetime.now(UTC)
    await conn.execute(
        "INSERT INTO auth_tokens (token_hash, created_at, expires_at, user_id)"
        " VALUES ($1, $2, $3, 1) ON CONFLICT (token_hash)"
        " DO UPDATE SET expires_at = EXCLUDED.expires_at, revoked_at = NULL",
        token_hash(),
        now,
        now + timedelta(days=3650),
    )


async def seed(url: str, size: Size | None = None) -> None:
    from api.db import migrate

    size = size or Size()
    name = urlsplit(url).path.lstrip("/")
    started = time.perf_counter()
    await ensure_database(url)
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        if await _seeded(conn, size):
            await _refresh_token(conn)
            print(f"seed: {name} already seeded (v{SEED_VERSION}, {size.requests:,} requests)")
            return
        print(f"seed: {name}: {size.requests:,} account requests ...", flush=True)
        counts = await _fill(conn, size)
        loaded = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        summary = ", ".join(f"{n:,} {table}" for table, n in counts.items())
        print(f"seed: {summary}")
        print(
            f"seed: {name} done in {time.perf_counter() - started:.1f} s"
            f" (VACUUM ANALYZE {time.perf_counter() - loaded:.1f} s)"
        )
    finally:
        await conn.close()


async def _fill(conn: asyncpg.Connection, size: Size) -> dict[str, int]:
    """Replace the rows in one transaction; the generated rows keep the foreign keys,
    so their triggers are skipped while copying (session_replication_role)."""
    counts: dict[str, int] = {}
    async with conn.transaction():
        await conn.execute(f"TRUNCATE {', '.join(SEED_TABLES)} RESTART IDENTITY CASCADE")
        await conn.execute("DELETE FROM bench_seed")
        await conn.execute("SET LOCAL session_replication_role = replica")
        for table, columns, records in stream(datetime.now(UTC), size):
            await conn.copy_records_to_table(table, records=records, columns=columns)
            counts[table] = counts.get(table, 0) + len(records)
        await conn.execute("SET LOCAL session_replication_role = origin")
        for table in counts:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        # The triggers that keep the request tallies (account and service requests) were
        # skipped while copying: fill them as the migrations do.
        await conn.execute("DELETE FROM account_request_tallies")
        await conn.execute(
            "INSERT INTO account_request_tallies"
            " (status, type_id, assignee_id, source, internal, n)"
            " SELECT status, type_id, COALESCE(assignee_id, 0), source, internal, COUNT(*)"
            " FROM account_requests"
            " GROUP BY status, type_id, COALESCE(assignee_id, 0), source, internal"
        )
        await conn.execute("DELETE FROM service_request_tallies")
        await conn.execute(
            "INSERT INTO service_request_tallies (status, urgency, service_type, n)"
            " SELECT status, urgency, service_type, COUNT(*) FROM service_requests"
            " GROUP BY status, urgency, service_type"
        )
        await _refresh_token(conn)
        await conn.execute(
            "INSERT INTO bench_seed (version, seeded_at, counts) VALUES ($1, now(), $2)",
            SEED_VERSION,
            orjson.dumps(counts).decode(),
        )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--requests", type=int, default=Size().requests, help="account requests (100000)"
    )
    parser.add_argument(
        "--database-url",
        help="default: BENCH_DATABASE_URL for 100000 requests, else beside it (docket_bench_1m)",
    )
    options = parser.parse_args(argv)
    size = Size.of(options.requests)
    asyncio.run(seed(options.database_url or url_for(size), size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
