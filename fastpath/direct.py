"""Direct execution: a query document seen before runs straight on graphql-core.

Strawberry's `Schema.execute` runs every operation through its extension
machinery: for each of our six extensions a context manager per phase (operation,
parsing, validation, execution), each built from hooks looked up per request.
Measured under wrk, a signed-in `{ __typename }` went from 610 to 490 us of CPU
without it, and every list saves the same.

A document earns the direct lane by passing the standard one: once a query
(the text, the operation name, and whether the viewer may introspect, which
changes validation) has run there with no error at all, it is admitted. Later
requests for it skip parsing and validation, which gave that same answer, and
execute at once with the same executor. Whatever the direct lane is not sure
about goes the standard way: documents not admitted yet, mutations and
subscriptions, variables the standard lane refuses (`schema.variables`: it
words the error), and any answer with errors, which is discarded and made again by the
standard lane so errors are coded, masked and worded as always.

A query whose root fields each return an object with a compiled plan (in
fragments on Query too, as Relay sends them) goes further: each root resolver is
called and its value handed to its plan without graphql-core's operation
machinery (`ProjectingExecutor.execute_compiled_root`), about 60 us of a list
request's CPU; anything else there (a root field without a plan, an error, a
fallback) runs graphql-core's execution of the whole operation instead.

`EXECUTION_CHECK=true` (the test suite) runs each admitted query the direct
way right after its standard run and fails on any difference in the answer, and
checks every compiled-root answer against graphql-core's own execution.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Hashable
from inspect import isawaitable
from typing import Any, Protocol

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult

from fastpath.answers import CHECKING, same_answer
from fastpath.gate import GATE, Unconfirmed
from fastpath.keys import _frozen
from fastpath.prepared import build_prepared, raw_key
from fastpath.replay import RECORDING, Recording, Replays

_MAX_ADMITTED = 1024
_MAX_ADMITTED_TEXT = 64 * 1024  # as persisted queries: longer texts go the standard way
Key = tuple[str, str | None, Hashable]


class Policy(Protocol):
    """What the app decides for the direct lane (the standard lane's extensions decide
    the same for every other request)."""

    def validation_key(self, context: Any) -> Hashable:
        """What validation depends on beyond the text (may this viewer introspect?)."""

    def refuses(self, variables: dict[str, Any] | None) -> bool:
        """Variables the standard lane would refuse (it words the error)."""

    async def admits(
        self, context: Any, document: DocumentNode, operation_name: str | None, variables: Any
    ) -> bool:
        """May this request run now (a budget paid)? False: the standard lane words it."""

    def remembered(self, context: Any) -> object | None:
        """The viewer this request started from, where the app keeps it between requests
        (the same object each time) and the request's gate proves it (`fastpath.gate`);
        None for a viewer found afresh. Remembered statements are kept per such viewer
        (`fastpath.replay`)."""


class DirectQueries:
    """The admitted documents of one schema, and how to run them."""

    def __init__(
        self,
        schema: Any,
        policy: Policy,
        *,
        max_tokens: int,
        check: bool,
        replayable: Collection[str] = (),
    ) -> None:
        self.schema = schema
        self.policy = policy
        self.max_tokens = max_tokens
        self.check = check
        self._admitted: dict[Key, DocumentNode] = {}
        executor = schema.execution_context_class
        self._executor = {"executor_class": executor} if executor is not None else {}
        # An executor that answers queries of compiled root fields itself (fastpath.executor).
        self._compiled = executor if hasattr(executor, "execute_compiled_root") else None
        # Answers of introspection-only operations (`_introspection_key`).
        self._schema_answers: dict[Hashable, tuple[DocumentNode, dict[str, Any]]] = {}
        # Statements that answered a query, run again by themselves (fastpath.replay).
        self.replays = Replays(replayable)

    def admitted(self, context: Any, query: str, operation_name: str | None) -> bool:
        """Has this document been admitted (a query that once answered cleanly)?"""
        return (query, operation_name, self.policy.validation_key(context)) in self._admitted

    async def execute(
        self,
        context: Any,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        standard: Callable[[], Awaitable[ExecutionResult]],
    ) -> ExecutionResult:
        """The answer to this request: directly when admitted and clean, else `standard()`."""
        key = (query, operation_name, self.policy.validation_key(context))
        document = self._admitted.get(key)
        if document is not None and not self.policy.refuses(variables):
            direct = await self._run(document, context, variables, operation_name)
            if direct is not None:
                return direct
        result = await standard()
        admissible = len(query) <= _MAX_ADMITTED_TEXT and result.data is not None
        if document is None and admissible and not result.errors:
            document = self._admit(key, query, operation_name)
            if document is not None and self.check:
                await self._compare(document, context, variables, operation_name, result)
        return result

    def _admit(self, key: Key, query: str, operation_name: str | None) -> DocumentNode | None:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if len(self._admitted) >= _MAX_ADMITTED:
            self._admitted.clear()
        self._admitted[key] = document
        return document

    async def _run(
        self,
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult | None:
        """The operation's answer, or None when it had errors (the standard lane words them)."""
        context.start_operation()  # fresh loaders, as RequestPolicy gives every operation
        if not await self.policy.admits(context, document, operation_name, variables):
            return None  # refused: the standard lane words it
        schema_key = _introspection_key(document, operation_name, variables)
        if schema_key is not None:
            known = self._schema_answers.get(schema_key)
            if known is not None and known[0] is document:
                return ExecutionResult(data=known[1], errors=None)
        data = await self._compiled_root(document, context, variables, operation_name)
        if data is not None:
            if self.check and not CHECKING.get():
                await self._check_compiled_root(data, document, context, variables, operation_name)
            return ExecutionResult(data=data, errors=None)
        context.start_operation()  # whatever the attempt loaded is not this run's
        result = execute(
            self.schema._schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # as Strawberry passes it
            **self._executor,
        )
        answer = await result if isawaitable(result) else result
        if answer.errors:
            return None
        if schema_key is not None and answer.data is not None:
            # The schema's own description: the same for every request of this text.
            if len(self._schema_answers) >= _MAX_ADMITTED:
                self._schema_answers.clear()
            written = {name: orjson.Fragment(orjson.dumps(v)) for name, v in answer.data.items()}
            self._schema_answers[schema_key] = (document, written)
        return ExecutionResult(data=answer.data, errors=None)

    async def _compiled_root(
        self,
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> dict[str, Any] | None:
        """The data of a query whose root fields' plans are compiled, straight from their
        root resolvers to the plans (`ProjectingExecutor.execute_compiled_root`), or None."""
        compiled = self._compiled
        if compiled is None:
            return None
        key, viewer = self._replay_key(document, context, variables, operation_name)
        if key is not None:
            replay = self.replays.find(key, document, viewer)
            if replay is not None:
                try:
                    return await replay.data()
                except Unconfirmed:
                    raise  # the viewer did not hold: the view signs in afresh
                except Exception:
                    self.replays.forget(key)  # whatever failed, the usual way decides
                    context.start_operation()
        if not compiled.may_compile_root(self.schema._schema, document, operation_name):
            return None
        executor = build_prepared(
            compiled,
            self.schema._schema,
            document,
            context,
            variables,
            operation_name,
            optimized_is_awaitable,
        )
        if isinstance(executor, list):
            return None  # variables that do not coerce: the standard lane words it
        recording = Recording() if key is not None and executor.values_kept else None
        token = RECORDING.set(recording)
        try:
            data: dict[str, Any] | None = await executor.execute_compiled_root()
        finally:
            RECORDING.reset(token)
        if recording is not None and data is not None:
            fields = {root.name: root.nodes[0].name.value for root in executor._compiled_roots()}
            typename = self.schema._schema.query_type.name
            self.replays.keep(key, document, viewer, recording, data, fields, typename)
        return data

    def _replay_key(
        self,
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> tuple[Hashable | None, object | None]:
        """The key of this request's remembered statement (`fastpath.replay`) and its
        viewer; (None, None) where it may have none."""
        if not self.replays.replayable or GATE.get() is None:
            return None, None
        viewer = self.policy.remembered(context)
        raw = raw_key(variables) if viewer is not None else None
        if raw is None:
            return None, None
        return (id(document), operation_name, raw, id(viewer)), viewer

    async def _check_compiled_root(
        self,
        data: dict[str, Any],
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> None:
        """EXECUTION_CHECK: graphql-core's own execution must answer the same."""
        token = CHECKING.set(True)
        try:
            context.start_operation()
            result = execute(
                self.schema._schema,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                **self._executor,
            )
            expected = await result if isawaitable(result) else result
        finally:
            CHECKING.reset(token)
        if expected.errors or not same_answer(data, expected.data):
            raise AssertionError(f"compiled root differs: {data!r} != {expected.data!r}")

    async def _compare(
        self,
        document: DocumentNode,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        expected: ExecutionResult,
    ) -> None:
        token = CHECKING.set(True)  # not the request's own statements
        try:
            direct = await self._run(document, context, variables, operation_name)
        finally:
            CHECKING.reset(token)
        if direct is None or not same_answer(direct.data, expected.data):
            raise AssertionError(
                f"direct execution differs: {direct and direct.data!r} != {expected.data!r}"
            )


# Root fields that describe the schema: their answer depends on the document and its
# variables alone (the schema is fixed for the process; validation already admitted
# the text for this kind of viewer).
_SCHEMA_FIELDS = frozenset({"__schema", "__type", "__typename"})


# Per admitted document and operation name: (the document, does it describe the schema only?).
_schema_only: dict[tuple[int, str | None], tuple[DocumentNode, bool]] = {}


def _introspection_key(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> Hashable | None:
    """The key of an operation that selects only `__schema`, `__type` and `__typename`
    at its root, with no directive there (GraphiQL's and every client's introspection
    query), or None for any other operation."""
    known = _schema_only.get((id(document), operation_name))
    if known is None or known[0] is not document:
        if len(_schema_only) >= _MAX_ADMITTED:
            _schema_only.clear()
        known = (document, _describes_schema_only(document, operation_name))
        _schema_only[(id(document), operation_name)] = known
    if not known[1]:
        return None
    try:
        values = _frozen(variables or {})
    except TypeError:
        return None
    return (id(document), operation_name, values)


def _describes_schema_only(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    return all(
        isinstance(selection, FieldNode)
        and selection.name.value in _SCHEMA_FIELDS
        and not selection.directives
        for selection in operation.selection_set.selections
    )
