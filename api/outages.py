"""A dependency down is not a crash: clients get a coded 503, operators one line.

The dependencies are the database and the object store (the broker has its own
watchdog, api.redis_broker).

When PostgreSQL restarts or fails over, every request fails for a few seconds.
Masked as "Unexpected error" with a stack trace each, that was an HTTP 500 for the
first request that needed a sign-in check, and a log flood. Errors that mean "the
database did not answer" are answered with SERVICE_UNAVAILABLE (HTTP 503 with
Retry-After when nothing could be answered), and logged at ERROR at most once
every LOG_EVERY seconds with how many requests it cost.
"""

from __future__ import annotations

import logging
import sqlite3
import time

import asyncpg
from botocore.exceptions import ConnectionError as StoreConnectionError
from botocore.exceptions import ReadTimeoutError as StoreReadTimeout
from graphql import GraphQLError
from tortoise.exceptions import DBConnectionError

log = logging.getLogger("docket.outages")

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
MESSAGE = "A service Docket depends on is not answering. Try again in a moment."
RETRY_AFTER_SECONDS = 5
LOG_EVERY = 10.0

_OUTAGES = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,  # a pool closed under the request, a connection lost mid-query
    asyncpg.InternalClientError,  # a connection left mid-operation by a lost link
    StoreConnectionError,  # the object store (S3) refused or timed out
    StoreReadTimeout,
)


def is_outage(error: BaseException | None) -> bool:
    """Does this error (or one it was raised from) mean the database did not answer?"""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, _OUTAGES) or (isinstance(error, OSError) and error.errno is not None):
            return True
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class _Reporter:
    """One ERROR line per LOG_EVERY seconds of an outage, counting what it cost."""

    def __init__(self) -> None:
        self.last = 0.0
        self.since_last = 0

    def report(self, error: BaseException) -> None:
        self.since_last += 1
        at = time.monotonic()
        if at - self.last >= LOG_EVERY:
            log.error(
                "a dependency is not answering (%s: %s); %d operation(s) failed on it "
                "since the last report (clients get %s)",
                type(error).__name__,
                str(error)[:200],
                self.since_last,
                SERVICE_UNAVAILABLE,
            )
            self.last, self.since_last = at, 0


_reporter = _Reporter()


def report(error: BaseException) -> None:
    _reporter.report(error)


def as_graphql_error(error: GraphQLError) -> GraphQLError:
    """The coded error a client gets instead of `error` (whose cause is an outage)."""
    return GraphQLError(
        MESSAGE,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        extensions={"code": SERVICE_UNAVAILABLE, "retryAfter": RETRY_AFTER_SECONDS},
    )
