"""The gate: what must be confirmed before a request's first statement.

A request may start from something remembered rather than read (the app's viewer of
a bearer token, taken from memory instead of one more statement per request). The
gate makes that safe without trusting memory: no statement of the request runs
before the remembered thing is confirmed. `LeanPool.acquire` (every PostgreSQL
connection lent, transactions included) waits on the request's gate; the first to
wait runs `confirm()` once, in a task of its own whose statements pass, and every
other statement of the request waits for its answer. A statement may instead carry
the proof itself (`proof`: a condition the database checks beside what it reads, as
the JSON lane does) and settle the gate with what it found, so a request answered by
one statement makes one round trip.

Refused (`settle(False)`, or `confirm()` answering False), every later statement
raises `Unconfirmed`: nothing more is read under what memory said, and the caller
throws the request's answer away and starts again the usual way. A request that ran
no statement at all is confirmed by the caller before it answers (`confirmed()`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")


class Unconfirmed(Exception):
    """What the request was started from did not hold: its answer must not be used."""


class Gate:
    """One request's gate (see the module). `proof` is `(sql, values)`: a condition in
    PostgreSQL, its parameters numbered from $1, true while what is remembered holds."""

    def __init__(
        self, confirm: Callable[[], Awaitable[bool]], proof: tuple[str, list[Any]] | None
    ) -> None:
        self._confirm = confirm
        self.proof = proof
        self.state: bool | None = None  # None: not known yet
        self._running: asyncio.Task[bool] | None = None

    async def wait(self) -> None:
        """Return once confirmed; raise `Unconfirmed` if refused."""
        if self.state is None:
            if self._running is None:
                self._running = asyncio.get_running_loop().create_task(self._run())
            await asyncio.shield(self._running)
        if self.state is not True:
            raise Unconfirmed

    async def _run(self) -> bool:
        PASSING.set(True)  # this task's own statements (it is a task of its own)
        try:
            self.settle(await self._confirm())
        finally:
            self._running = None if self.state is None else self._running
        return bool(self.state)

    def settle(self, holds: bool) -> None:
        """What a statement carrying the proof found; a refusal is final."""
        if self.state is not False:
            self.state = holds

    async def confirmed(self) -> bool:
        """Confirmed (asking now if no statement did): may the answer be used?"""
        try:
            await self.wait()
        except Unconfirmed:
            return False
        return True


# The running request's gate, if it started from memory.
GATE: ContextVar[Gate | None] = ContextVar("docket_fastpath_gate", default=None)
# True in a task whose statements need not wait: the confirmation itself, or a
# statement carrying the proof.
PASSING: ContextVar[bool] = ContextVar("docket_fastpath_gate_passing", default=False)


async def before_statement() -> None:
    """Wait for the running request's gate, if it has one that is not open yet."""
    gate = GATE.get()
    if gate is not None and gate.state is not True and not PASSING.get():
        await gate.wait()


async def behind(gate: Gate, run: Callable[[], Awaitable[T]]) -> T | None:
    """`run()`'s answer with `gate` as the running request's, if the gate is confirmed
    by the end of it (asking then if nothing did); None if it was refused."""
    token = GATE.set(gate)
    try:
        answer = await run()
        return answer if await gate.confirmed() else None
    except Unconfirmed:
        return None
    finally:
        GATE.reset(token)
