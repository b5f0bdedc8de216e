"""PostgreSQL for Tortoise through a lean connection pool (the `engine` of api.db's config).

Tortoise borrows a pool connection for every statement: eight per dashboard
request. asyncpg's Pool lends one through an asyncio.Queue, a timeout context
and a shielded task on the way back: about 30 us of CPU per statement, measured
against 40 us for running the statement itself. `LeanPool` keeps idle
connections on a stack and hands a returned one straight to the longest waiter.

What asyncpg's release does that matters here, it does too: a connection
returned inside a transaction is rolled back, one that was closed or is still
cancelling a query is dropped (its slot goes to the next borrower, who opens a
new one). It sends nothing else: Docket keeps no session state (no SET, LISTEN,
advisory locks or cursors outside a transaction), so asyncpg's `RESET ALL`
round trip after every statement bought nothing.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

from fastpath import replay
from fastpath.gate import before_statement

# asyncpg.create_pool's own options; the rest are asyncpg.connect's.
_POOL_OPTIONS = frozenset(
    {
        "min_size",
        "max_size",
        "max_queries",
        "max_inactive_connection_lifetime",
        "setup",
        "init",
        "reset",
        "loop",
    }
)

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class LeanPool:
    """At most `max_size` connections of one event loop, lent last-in first-out."""

    def __init__(self, connect: Connect, *, min_size: int, max_size: int) -> None:
        self._connect = connect
        self._min_size = min(min_size, max_size)
        self._max_size = max_size
        self._size = 0  # open or opening, idle or lent
        self._idle: list[asyncpg.Connection] = []
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection | None]] = (
            collections.deque()
        )
        self._closed = False

    async def start(self) -> LeanPool:
        """Open `min_size` connections now, so the first requests find them ready."""
        opened = [await self.acquire() for _ in range(self._min_size)]
        for connection in opened:
            self._lend_or_keep(connection)
        return self

    async def acquire(self, *, passing: bool = False) -> asyncpg.Connection:
        """A connection, once the running request's gate opens (`fastpath.gate`);
        `passing`: for a statement that carries the gate's proof, which need not wait."""
        replay.statement_lent()
        if not passing:
            await before_statement()
        while True:
            if self._closed:
                raise asyncpg.InterfaceError("the pool is closed")
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._size -= 1
            if self._size < self._max_size:
                self._size += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._free_slot()
                    raise
            waiter: asyncio.Future[asyncpg.Connection | None] = (
                asyncio.get_running_loop().create_future()
            )
            self._waiters.append(waiter)
            try:
                connection = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    # Handed over just as the borrower gave up: pass it on.
                    given = waiter.result()
                    if given is None:
                        self._free_slot(taken=False)
                    else:
                        self._lend_or_keep(given)
                elif waiter in self._waiters:
                    self._waiters.remove(waiter)
                raise
            if connection is not None:
                return connection
            # None: a slot came free (a connection was dropped): open one ourselves.

    def discard(self, connection: asyncpg.Connection) -> None:
        """Drop a connection whose last operation broke off (the link failed mid-query):
        asyncpg may still count that operation as running, and the next borrower would
        get "cannot switch to state ...; another operation is in progress"."""
        connection.terminate()
        self._free_slot()

    async def release(self, connection: asyncpg.Connection) -> None:
        if connection.is_closed() or _cancelling(connection):
            connection.terminate()
            self._free_slot()
            return
        if connection.is_in_transaction():
            try:
                await connection.execute("ROLLBACK")
            except BaseException:
                connection.terminate()
                self._free_slot()
                raise
        if self._closed:
            await _close_quietly(connection)
            self._size -= 1
            return
        self._lend_or_keep(connection)

    def _lend_or_keep(self, connection: asyncpg.Connection) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _free_slot(self, *, taken: bool = True) -> None:
        """A connection is gone: its slot goes to the longest waiter, if any."""
        if taken:
            self._size -= 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def expire_connections(self) -> None:
        """Close the idle connections; the next borrowers open fresh ones."""
        idle, self._idle = self._idle, []
        self._size -= len(idle)
        for connection in idle:
            await _close_quietly(connection)

    async def close(self) -> None:
        """Close the idle connections now and every lent one as it comes back."""
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the pool is closed"))
        self._waiters.clear()
        await self.expire_connections()

    def terminate(self) -> None:
        self._closed = True
        for connection in self._idle:
            connection.terminate()
        self._size -= len(self._idle)
        self._idle = []


def _cancelling(connection: asyncpg.Connection) -> bool:
    # A query cancelled with its task leaves the connection busy until PostgreSQL
    # confirms; asyncpg's own pool waits for that, dropping it is simpler.
    is_cancelling = getattr(connection._protocol, "_is_cancelling", None)
    return bool(is_cancelling is not None and is_cancelling())


async def _close_quietly(connection: asyncpg.Connection) -> None:
    try:
        await asyncio.wait_for(connection.close(), 10)
    except Exception:  # a connection that cannot say goodbye is simply dropped
        connection.terminate()


class LeanPoolClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, borrowing its connections from a `LeanPool`.

    A SELECT outside a transaction (every read of a list request) borrows its
    connection straight from the pool: Tortoise's path through two exception-
    translating coroutines and a connection wrapper object cost about a fifth of
    the statement's CPU. Errors, logging and the statement's answer are Tortoise's.
    """

    async def execute_query(self, query: str, values: list[Any] | None = None) -> Any:
        pool = self._pool
        if not isinstance(pool, LeanPool) or not query.startswith("SELECT "):
            return await super().execute_query(query, values)
        return await self._select(pool, query, values, passing=False)

    def passes(self) -> bool:
        """Can `execute_passing` run its statements (a lean pool lends outside a
        transaction)?"""
        return isinstance(self._pool, LeanPool)

    async def execute_passing(self, query: str, values: list[Any]) -> Any:
        """`execute_query` of a SELECT that carries the running request's proof
        (`fastpath.gate`): it runs without waiting for the gate, in the running task."""
        pool = self._pool
        assert isinstance(pool, LeanPool) and query.startswith("SELECT ")
        return await self._select(pool, query, values, passing=True)

    async def _select(
        self, pool: LeanPool, query: str, values: list[Any] | None, *, passing: bool
    ) -> Any:
        connection = await pool.acquire(passing=passing)
        try:
            self.log.debug("%s: %s", query, values)
            rows = await connection.fetch(query, *(values or ()))
        except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as error:
            await pool.release(connection)
            raise OperationalError(error) from error
        except asyncpg.IntegrityConstraintViolationError as error:
            await pool.release(connection)
            raise IntegrityError(error) from error
        except asyncpg.InvalidTransactionStateError as error:
            await pool.release(connection)
            raise TransactionManagementError(error) from error
        except asyncpg.PostgresError:
            await pool.release(connection)  # the server answered: the link is sound
            raise
        except BaseException:
            pool.discard(connection)  # the link broke off, or the task was cancelled
            raise
        await pool.release(connection)
        return len(rows), rows

    async def create_pool(self, **kwargs: Any) -> Any:
        options = {key: value for key, value in kwargs.items() if key not in _POOL_OPTIONS}

        async def connect() -> asyncpg.Connection:
            return await asyncpg.connect(**options)

        pool = LeanPool(connect, min_size=kwargs["min_size"], max_size=kwargs["max_size"])
        return await pool.start()


# Tortoise reads the client class of an `engine` module from here.
client_class = LeanPoolClient
