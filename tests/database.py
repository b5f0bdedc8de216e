"""The test database: per-worker URLs, an empty schema per session, counting statements."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit, urlunsplit

from api.settings import Settings
from fastpath import CHECKING


def worker_urls(database_url: str, redis_url: str) -> tuple[str, str]:
    """Under pytest-xdist each worker needs its own database, as the `server` fixture drops
    its schema at start: `<name>_gw0`, `<name>_gw1`, ... And its own Redis database number
    (TEST_REDIS_URL's plus the worker's index), as broker channels and throttle counters
    are named after that number. Without xdist both URLs are used as given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return database_url, redis_url
    database = urlsplit(database_url)
    database_url = urlunsplit(database._replace(path=f"{database.path.rstrip('/')}_{worker}"))
    redis = urlsplit(redis_url)
    number = int(redis.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return database_url, urlunsplit(redis._replace(path=f"/{number}"))


async def reset_schema(settings: Settings) -> None:
    """Start the session from an empty database, then apply the committed migrations."""
    if settings.uses_sqlite:
        return  # a fresh file per session
    import asyncpg

    url = settings.database_url.replace("postgres://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            raise  # TEST_DATABASE_URL itself is never made up: a typo should fail
        # an xdist worker's own database, named by worker_urls: made on first use
        parts = urlsplit(url)
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            name = parts.path.lstrip("/").replace('"', '""')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends while active."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if CHECKING.get():
            return  # the execution check's second run, not the request's own SQL
        text = record.getMessage().lstrip().upper()
        if text.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(record.getMessage())

    @property
    def count(self) -> int:
        return len(self.statements)
