"""Subscription events executed once for every subscriber that would get the same answer.

graphql-core executes a subscription's selection for each subscriber and each
event. When a thousand dispatchers watch the review queue, that is a thousand
executions of the same document over the same event. A subscription resolver
that yields the same event object to all its subscribers (`live.shared_event`)
registers it here with a scope: what, besides the document and its variables,
the answer may depend on (the viewer's permissions, or the viewer). Subscribers
whose (document, variables, scope) match then share one execution; each gets
its own copy of the result, so nothing downstream can change another's.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from graphql import ExecutionResult, OperationType
from graphql.execution.values import VariableValues

Scope = Callable[[Any], Hashable]  # the GraphQL context -> the sharing key
T = TypeVar("T")


class _Held(asyncio.Future[T]):
    """A future its awaiters cannot cancel (see `held`)."""

    work: asyncio.Future[T]

    def cancel(self, msg: Any = None) -> bool:
        # An awaiter being cancelled tries to cancel what it awaits. Refusing
        # makes that awaiter end once the work is done, and the others still get it.
        return False


def held(work: Awaitable[T]) -> asyncio.Future[T]:
    """Run `work` once for many awaiters; one of them leaving never cancels it.

    This is what `asyncio.shield` gives each awaiter, without the extra future per
    awaiter that shielding costs (measurable with a thousand subscribers).
    """
    future: _Held[T] = _Held()
    future.work = asyncio.ensure_future(work)  # held here: the loop keeps tasks weakly
    future.work.add_done_callback(functools.partial(_settle, future))
    return future


def _settle(future: _Held[T], work: asyncio.Future[T]) -> None:
    if work.cancelled():
        asyncio.Future.cancel(future)
    elif (error := work.exception()) is not None:
        future.set_exception(error)
    else:
        future.set_result(work.result())


@dataclass
class _Event:
    event: weakref.ref[Any]
    scope: Scope
    # (id of the operation node, variables, scope) -> (the operation node, its execution)
    runs: dict[tuple[int, bytes, Hashable], tuple[Any, asyncio.Future[ExecutionResult]]] = field(
        default_factory=dict
    )


_EVENTS: dict[int, _Event] = {}


@dataclass
class Stats:
    """Executions per shared event, for tests and the benchmark."""

    executed: int = 0
    reused: int = 0


STATS = Stats()


def share_execution(event: object, scope: Scope) -> None:
    """Let every subscriber that receives this very `event` object share executions.

    Entries last as long as the event object: the subscribers that still hold it.
    """
    key = id(event)
    if key not in _EVENTS:
        _EVENTS[key] = _Event(weakref.ref(event), scope)
        weakref.finalize(event, _EVENTS.pop, key, None)


def variables_key(variables: dict[str, Any]) -> bytes | None:
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None  # coerced values JSON cannot express: execute on their own


class SharedEventExecution:
    """Executor mixin: a registered event's selection runs once per sharing key."""

    operation: Any
    variable_values: VariableValues
    context_value: Any
    _variables_key: bytes | None

    def build_per_event_executor(self, payload: Any) -> Any:
        build = super().build_per_event_executor  # type: ignore[misc]
        entry = _EVENTS.get(id(payload))
        if (
            entry is None
            or entry.event() is not payload
            or self.operation.operation is not OperationType.SUBSCRIPTION
        ):
            return build(payload)
        if "_variables_key" not in self.__dict__:  # the subscription's own: computed once
            self._variables_key = variables_key(self.variable_values.coerced)
        if self._variables_key is None:
            return build(payload)
        key = (id(self.operation), self._variables_key, entry.scope(self.context_value))
        return _SharedRun(entry, key, self.operation, lambda: build(payload))


@dataclass
class _SharedRun:
    """Stands in for graphql-core's per-event executor: the copy of the whole
    executor is made only by the subscriber that executes for its scope."""

    entry: _Event
    key: tuple[int, bytes, Hashable]
    operation: Any
    build: Callable[[], Any]

    def execute_operation(self, serially: bool | None = None) -> Any:
        run = self.entry.runs.get(self.key)
        if run is None or run[0] is not self.operation:
            STATS.executed += 1
            work = _awaited(self.build().execute_operation(serially))
            run = self.entry.runs[self.key] = (self.operation, held(work))
        else:
            STATS.reused += 1
        return _copy_of(run[1])


async def _awaited(value: Any) -> ExecutionResult:
    result: ExecutionResult = await value if inspect.isawaitable(value) else value
    return result


async def _copy_of(run: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    result = await run
    errors = list(result.errors) if result.errors else None
    return ExecutionResult(result.data, errors, result.extensions)
