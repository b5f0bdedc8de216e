"""Seed a PostgreSQL database with a realistic volume for the benchmark.

    .venv/bin/python -m bench.seed          # BENCH_DATABASE_URL, default in bench.common

Creates the database if missing, applies the migrations, and fills it in one
transaction with COPY with the rows of bench.generate: 2,000 accounts (a site and
a contact each), 30 users, 8 request types, 100,000 account requests with 1-3
timeline events each, and 20,000 service requests. A marker table (`bench_seed`)
makes it reusable: a database already seeded at this SEED_VERSION is left as it is.
"""

from __future__ import annotations

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
from bench.generate import generate

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


async def _marker(conn: asyncpg.Connection) -> int | None:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_seed"
        " (version integer NOT NULL, seeded_at timestamptz NOT NULL, counts jsonb NOT NULL)"
    )
    version: int | None = await conn.fetchval("SELECT max(version) FROM bench_seed")
    return version


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


async def seed(url: str) -> None:
    from api.db import migrate

    started = time.perf_counter()
    await ensure_database(url)
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        if await _marker(conn) == SEED_VERSION:
            await _refresh_token(conn)
            print(f"seed: {urlsplit(url).path.lstrip('/')} already seeded (v{SEED_VERSION})")
            return
        rows = generate(datetime.now(UTC))
        async with conn.transaction():
            await conn.execute(f"TRUNCATE {', '.join(SEED_TABLES)} RESTART IDENTITY CASCADE")
            await conn.execute("DELETE FROM bench_seed")
            for table, (columns, records) in rows.tables.items():
                await conn.copy_records_to_table(table, records=records, columns=list(columns))
                if records:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
            await _refresh_token(conn)
            counts = {table: len(records) for table, (_, records) in rows.tables.items()}
            await conn.execute(
                "INSERT INTO bench_seed (version, seeded_at, counts) VALUES ($1, now(), $2)",
                SEED_VERSION,
                orjson.dumps(counts).decode(),
            )
        await conn.execute("ANALYZE")
        summary = ", ".join(f"{n:,} {table}" for table, n in counts.items())
        print(f"seed: {summary}")
        print(f"seed: done in {time.perf_counter() - started:.1f} s")
    finally:
        await conn.close()


def main() -> int:
    asyncio.run(seed(database_url()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
