"""Remembered statements: a query answered by one JSON-lane statement, answered
again by that statement alone.

Most of a dashboard request's Python comes before its one statement: the root
resolver builds the list's query (visibility, filters, order: Tortoise clones a
QuerySet for each), the lane keys and finds its SQL, the executor walks to it. For
the same document, operation, variables and remembered viewer, all of that makes the
same statement again; only what the database reads changes, and the database reads
it afresh each time. So the direct lane keeps, per (document, operation, variables,
viewer), the statement the lane ran and how its rows made the answer
(`page_statement.PageStatement`), and a later request runs just that: the statement's
values as they were, the request's clock and the gate's proof read anew.

That is only right where nothing else went into the statement. A recording is kept
only where all of this held for the request that made it:

- its one root field (beside any `__typename`) is one the app names replayable
  (`accelerate(replayable=...)`): its resolver builds its list from its arguments,
  the viewer and the domain's clock alone, never from the request (headers, the
  client's address) or from state the process keeps;
- its variables coerce purely (`fastpath.prepared` keeps them per raw values);
- its viewer is one the app keeps between requests and the request's gate proves
  (`Policy.remembered`: the same object again; a changed token, user row or roles
  is another object), so the proof the replayed statement carries covers it;
- exactly one statement ran: the lane's. Every connection the pool lends is counted
  (`statement_lent`), so no row read in Python (sub-accounts, a search's matches, a
  count awaited apart) decided anything;
- the domain's clock was not read in Python (the app's clock tells `clock_read`):
  only as the statement's own parameter (`read_clock`), which is read anew;
- the page's items and count come from the statement alone (no batched field
  completed in Python, no count awaited after it).

A replayed statement that fails (the gate refusing aside) forgets its recording and
the request runs the usual way. EXECUTION_CHECK (the test suite) checks every
replayed answer against graphql-core's own execution, as every compiled root's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

_MAX_KEPT = 1024  # cursors and viewers make new keys: the memory stays bounded


class Replayable(Protocol):
    """A statement and how its rows make a root field's answer."""

    async def answer(self) -> Any:
        """Run the statement now and make the root field's answer of its rows."""


@dataclass
class Recording:
    """What one request did that a replay could not repeat, as it happened."""

    statements: int = 0  # connections lent
    impure: bool = False  # the clock read in Python
    offered: list[tuple[Replayable, Any]] = field(default_factory=list)  # with its answer
    reading_clock: bool = False  # a statement's own clock parameter is being read


RECORDING: ContextVar[Recording | None] = ContextVar("docket_fastpath_recording", default=None)


def statement_lent() -> None:
    """A connection is lent for a statement of the running request."""
    recording = RECORDING.get()
    if recording is not None:
        recording.statements += 1


def clock_read() -> None:
    """The domain's clock was read (the app's clock calls this)."""
    recording = RECORDING.get()
    if recording is not None and not recording.reading_clock:
        recording.impure = True


def read_clock(clock: Callable[[], T]) -> T:
    """`clock()` as a statement's own parameter: read anew by every replay."""
    recording = RECORDING.get()
    if recording is None:
        return clock()
    recording.reading_clock = True
    try:
        return clock()
    finally:
        recording.reading_clock = False


def offer(statement: Replayable, answer: Any) -> None:
    """The running root field's `answer` was made of this statement's rows alone."""
    recording = RECORDING.get()
    if recording is not None:
        recording.offered.append((statement, answer))


@dataclass(frozen=True)
class Replay:
    """A kept recording: what it is for (checked by identity) and how to answer."""

    document: Any
    viewer: object
    statement: Replayable
    names: tuple[str, ...]  # the operation's response keys, in order
    root: str  # the one the statement answers; the others are `__typename`
    typename: str

    async def data(self) -> dict[str, Any]:
        answer = await self.statement.answer()
        return {name: answer if name == self.root else self.typename for name in self.names}


class Replays:
    """The recordings of one app's direct lane."""

    def __init__(self, replayable: Collection[str]) -> None:
        self.replayable = frozenset(replayable)
        self._kept: dict[Hashable, Replay] = {}

    def find(self, key: Hashable, document: Any, viewer: object) -> Replay | None:
        found = self._kept.get(key)
        if found is None or found.document is not document or found.viewer is not viewer:
            return None
        return found

    def forget(self, key: Hashable) -> None:
        self._kept.pop(key, None)

    def keep(
        self,
        key: Hashable,
        document: Any,
        viewer: object,
        recording: Recording,
        data: dict[str, Any],
        fields: dict[str, str],
        typename: str,
    ) -> bool:
        """Keep what `recording` saw, if a replay may repeat it (see the module);
        `fields`: each response key's field name."""
        if recording.impure or recording.statements != 1 or len(recording.offered) != 1:
            return False
        statement, made = recording.offered[0]
        roots = [name for name, value in data.items() if value is made]
        if len(roots) != 1 or fields.get(roots[0]) not in self.replayable:
            return False
        if any(
            name != roots[0] and (fields.get(name) != "__typename" or value != typename)
            for name, value in data.items()
        ):
            return False
        if len(self._kept) >= _MAX_KEPT:
            self._kept.clear()
        self._kept[key] = Replay(document, viewer, statement, tuple(data), roots[0], typename)
        return True
