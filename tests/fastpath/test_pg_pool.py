"""`api.pg_pool.LeanPool` against the test PostgreSQL: lending, waiting, clean hand-backs."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from api.settings import Settings
from fastpath.gate import GATE, Gate
from fastpath.pg_pool import LeanPool, LeanPoolClient
from fastpath.together import alone
from tests.conftest import StatementCounter

pytestmark = pytest.mark.services_only


def _pool(settings: Settings, *, min_size: int = 0, max_size: int = 2) -> LeanPool:
    url = settings.database_url.replace("postgres://", "postgresql://", 1)

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(url)

    return LeanPool(connect, min_size=min_size, max_size=max_size)


async def _backend_pid(connection: asyncpg.Connection) -> int:
    pid: int = await connection.fetchval("SELECT pg_backend_pid()")
    return pid


async def test_the_api_borrows_from_a_lean_pool(settings: Settings) -> None:
    # given the API's database on PostgreSQL
    client = connections.get("default")
    await client.execute_query("SELECT 1")
    # then Tortoise's connections come from the lean pool
    assert isinstance(client, LeanPoolClient)
    assert isinstance(client._pool, LeanPool)


async def test_a_borrower_beyond_the_limit_waits_for_a_returned_connection(
    settings: Settings,
) -> None:
    # given a pool of two, both lent
    pool = await _pool(settings, min_size=1, max_size=2).start()
    first, second = await pool.acquire(), await pool.acquire()
    # when a third borrower asks, it waits
    third = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0.05)
    assert not third.done()
    # then it gets the connection returned first, and no third connection is opened
    await pool.release(second)
    assert await asyncio.wait_for(third, 5) is second
    assert {await _backend_pid(first), await _backend_pid(second)} == {
        await _backend_pid(c) for c in (first, await third)
    }
    await pool.release(first)
    await pool.release(second)
    await pool.close()


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(
    settings: Settings,
) -> None:
    # given a connection that began a transaction and wrote in it
    pool = await _pool(settings, max_size=1).start()
    connection = await pool.acquire()
    await connection.execute("CREATE TABLE IF NOT EXISTS pool_probe (id int)")
    await connection.execute("BEGIN")
    await connection.execute("INSERT INTO pool_probe VALUES (1)")
    # when it goes back to the pool without a commit
    await pool.release(connection)
    # then the next borrower gets it outside any transaction, and nothing was written
    again = await pool.acquire()
    assert again is connection
    assert not again.is_in_transaction()
    assert await again.fetchval("SELECT count(*) FROM pool_probe") == 0
    await again.execute("DROP TABLE pool_probe")
    await pool.release(again)
    await pool.close()


async def test_a_closed_connection_is_dropped_and_its_slot_goes_to_a_waiter(
    settings: Settings,
) -> None:
    # given a pool of one, lent, and a borrower waiting
    pool = await _pool(settings, max_size=1).start()
    broken = await pool.acquire()
    waiting = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0.05)
    # when the lent connection dies and comes back
    broken.terminate()
    await pool.release(broken)
    # then the waiter opens a fresh one, which works
    fresh = await asyncio.wait_for(waiting, 5)
    assert fresh is not broken and not fresh.is_closed()
    assert await fresh.fetchval("SELECT 1") == 1
    await pool.release(fresh)
    await pool.close()


async def test_a_connection_cancelled_mid_query_is_never_lent_again(settings: Settings) -> None:
    # given a connection whose query is cancelled with its task
    pool = await _pool(settings, max_size=1).start()
    connection = await pool.acquire()
    query = asyncio.ensure_future(connection.execute("SELECT pg_sleep(30)"))
    await asyncio.sleep(0.1)
    query.cancel()
    with pytest.raises(asyncio.CancelledError):
        await query
    # when it goes back
    await pool.release(connection)
    # then the next borrower gets another connection that answers at once
    other = await asyncio.wait_for(pool.acquire(), 5)
    assert other is not connection
    assert await asyncio.wait_for(other.fetchval("SELECT 2"), 5) == 2
    await pool.release(other)
    await pool.close()


async def test_a_borrower_that_gives_up_waiting_takes_no_slot(settings: Settings) -> None:
    # given a pool of one, lent, and a borrower that stops waiting
    pool = await _pool(settings, max_size=1).start()
    lent = await pool.acquire()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pool.acquire(), 0.05)
    # when the connection comes back
    await pool.release(lent)
    # then the next borrower gets it at once
    assert await asyncio.wait_for(pool.acquire(), 1) is lent
    await pool.release(lent)
    await pool.close()


async def test_a_closed_pool_refuses_borrowers_and_closes_what_comes_back(
    settings: Settings,
) -> None:
    # given a pool with one connection lent
    pool = await _pool(settings, max_size=2).start()
    lent = await pool.acquire()
    # when the pool closes
    await pool.close()
    # then nobody borrows any more, and the lent connection is closed on its return
    with pytest.raises(asyncpg.InterfaceError):
        await pool.acquire()
    await pool.release(lent)
    assert lent.is_closed()


async def test_a_select_on_the_short_path_answers_logs_and_fails_as_tortoise_does(
    settings: Settings, count_statements: StatementCounter
) -> None:
    # given the API's client
    client = connections.get("default")
    idle = len(client._pool._idle)
    # when a SELECT runs outside a transaction, it answers and is logged like any statement
    count, rows = await client.execute_query("SELECT $1::int AS answer", [42])
    assert (count, [row["answer"] for row in rows]) == (1, [42])
    assert count_statements.statements == ["SELECT $1::int AS answer: [42]"]
    # and a bad one raises Tortoise's error, its connection back in the pool
    with pytest.raises(OperationalError):
        await client.execute_query("SELECT * FROM no_such_table")
    with pytest.raises(OperationalError):
        await client.execute_query("SELECT 1 / $1::int", [0])
    assert len(client._pool._idle) == max(idle, 1)


async def test_a_select_inside_a_transaction_uses_the_transactions_connection(
    settings: Settings,
) -> None:
    # given a transaction that created a table nobody else can see yet
    async with in_transaction() as transaction:
        await transaction.execute_script("CREATE TABLE pending_only (n int)")
        # when a SELECT runs through it, it reads that table (the same connection)
        count, _ = await transaction.execute_query("SELECT n FROM pending_only")
        assert count == 0
        await transaction.rollback()


async def test_a_statement_carrying_the_proof_passes_the_gate_in_the_running_task(
    settings: Settings,
) -> None:
    # given the API's client and a request's gate that nothing has settled yet
    client = connections.get("default")
    await client.execute_query("SELECT 1")  # the pool is open
    asked: list[bool] = []

    async def confirm() -> bool:
        asked.append(True)
        return True

    gate = Gate(confirm, proof=("TRUE", []))
    loop = asyncio.get_running_loop()
    made: list[object] = []
    factory = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> Any:
        made.append(coro)
        return asyncio.Task(coro, loop=loop, **options)

    token = GATE.set(gate)
    loop.set_task_factory(counting)
    try:
        # when the JSON lane runs the statement that carries the proof
        rows = await alone(client, "SELECT TRUE AS proof_", [], passing=True)
        # then it ran at once, without asking the gate and without a task of its own
        assert rows[0]["proof_"] is True
        assert (asked, gate.state, made) == ([], None, [])
        # while a statement without the proof waits for the gate, which asks then
        await client.execute_query("SELECT 1")
        assert (asked, gate.state) == ([True], True)
    finally:
        loop.set_task_factory(factory)
        GATE.reset(token)
