"""Root fields answered side by side, their JSON-lane statements run as one.

A screen of four root fields (settings, a list of types, two pages) is four JSON-lane
statements, each a round trip and a statement's Python on the way. Where a query's
root fields run side by side (`ProjectingExecutor.execute_compiled_root`), each
statement of ONE row the lane writes is parked here instead of run; once every root
field is parked or done, the parked statements run as one, each as a scalar subquery
giving its row as JSON (its parameters renumbered after the ones before it), and
each root gets its row back as if it had run its own.

Nothing waits on anything but the roots of the same operation: a root that runs other
statements first is waited for (they do not wait for the parked ones). If the one
statement fails, every parked root gets the error, and the request runs again the
standard way, as for any error of the lane.
"""

from __future__ import annotations

import asyncio
import re
from contextvars import ContextVar, copy_context
from typing import Any

import orjson

from fastpath.gate import PASSING

# A statement parked by a root: its SQL, its values, whether it carries the request's
# proof, and where its rows go.
Parked = tuple[str, list[Any], bool, "asyncio.Future[list[Any]]"]


class Together:
    """The root fields of one operation, `roots` of them, side by side."""

    def __init__(self, roots: int) -> None:
        self.active = roots  # neither parked nor done
        self.parked: list[Parked] = []
        self.db: Any = None

    async def fetch(self, db: Any, sql: str, values: list[Any], *, passing: bool) -> list[Any]:
        """The one row of `sql` (a statement that gives exactly one), as a mapping of its
        columns; `passing`: it carries the request's proof (`fastpath.gate`)."""
        if self.db is not None and db is not self.db:
            return await alone(db, sql, values, passing=passing)
        self.db = db
        found: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.parked.append((sql, values, passing, found))
        self.active -= 1
        self._flush_if_all_waiting()
        return await found

    def done(self) -> None:
        """One root field is answered (or gave up): it parks nothing more."""
        self.active -= 1
        self._flush_if_all_waiting()

    def _flush_if_all_waiting(self) -> None:
        if self.active > 0 or not self.parked:
            return
        parked, self.parked = self.parked, []
        self.active += len(parked)
        db, self.db = self.db, None
        if len(parked) == 1:
            sql, values, passing, _ = parked[0]
            _run(alone(db, sql, values, passing=passing), parked, combined=False)
            return
        values = [value for _, given, _, _ in parked for value in given]
        sql = _combined(tuple((sql, len(given)) for sql, given, _, _ in parked))
        # Run past the gate only where every part carries the proof.
        passing = all(part[2] for part in parked)
        _run(alone(db, sql, values, passing=passing), parked, combined=True)


# The statements running for parked roots (a task is only weakly held by the loop).
_running: set[asyncio.Task[list[Any]]] = set()


def _run(statement: Any, parked: list[Parked], *, combined: bool) -> None:
    """Run `statement` in a task of its own and give each parked root its rows: the
    statement's own, or, `combined`, its part's row (column `r<position>`)."""
    task = asyncio.ensure_future(statement)
    _running.add(task)

    def share(ran: asyncio.Task[list[Any]]) -> None:
        _running.discard(ran)
        failed = None if ran.cancelled() else ran.exception()
        for at, (_, _, _, found) in enumerate(parked):
            if found.done():
                continue
            if ran.cancelled():
                found.cancel()
            elif failed is not None:
                found.set_exception(failed)
            elif not combined:
                found.set_result(ran.result())
            else:
                row = ran.result()[0][f"r{at}"]
                found.set_result([] if row is None else [orjson.loads(row)])

    task.add_done_callback(share)


async def alone(db: Any, sql: str, values: list[Any], *, passing: bool) -> list[Any]:
    """The rows of one statement; carrying the proof, it passes the gate: told so
    where the client can be (`LeanPoolClient.execute_passing`, no task to make),
    else in a task of its own that passes."""
    if not passing:
        return list((await db.execute_query(sql, values))[1])
    if getattr(db, "passes", None) is not None and db.passes() and sql.startswith("SELECT "):
        return list((await db.execute_passing(sql, values))[1])
    context = copy_context()
    context.run(PASSING.set, True)
    task = asyncio.get_running_loop().create_task(db.execute_query(sql, values), context=context)
    return list((await task)[1])


_written: dict[tuple[tuple[str, int], ...], str] = {}


def _combined(statements: tuple[tuple[str, int], ...]) -> str:
    """One statement of the parked ones (their SQL and how many parameters each has):
    each one's row as JSON text, `r0`, `r1` ...; written once for the same ones."""
    found = _written.get(statements)
    if found is None:
        parts, before = [], 0
        for at, (sql, count) in enumerate(statements):
            part = shifted(sql, before)
            parts.append(f"(SELECT row_to_json(s)::text FROM ({part}) s) AS r{at}")
            before += count
        found = f"SELECT {', '.join(parts)}"
        if len(_written) >= 256:
            _written.clear()
        _written[statements] = found
    return found


def shifted(sql: str, by: int) -> str:
    """`sql` with its parameters numbered after `by` others."""
    if not by:
        return sql
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + by}", sql)


# The running operation's root fields, where several run side by side.
TOGETHER: ContextVar[Together | None] = ContextVar("docket_fastpath_together", default=None)
