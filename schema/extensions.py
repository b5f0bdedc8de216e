"""Schema extensions: error masking, introspection gating, input-list caps, loaders."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Hashable, Iterator
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, ListValueNode, OperationDefinitionNode, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.types.execution import StreamExecutionResult
from strawberry.utils.await_maybe import await_maybe

import fastpath
from api import outages
from api.context import REMEMBERED
from fastpath.gate import Unconfirmed
from models.errors import AccessError
from models.permissions import Role
from models.validation import MAX_LIST_ITEMS
from schema import budgets, document_limits, resume, variables

log = logging.getLogger("docket.graphql")
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    # Validation and syntax errors have no original error; ours carry a code.
    return original is not None and not isinstance(original, (AccessError, GraphQLError))


class MaskUnexpectedErrors(MaskErrors):
    """Hide crashes behind a generic message; log the real one with an error ID."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Unexpected error.")

    def _process_result(self, result: object) -> None:
        # Most results have no errors; skip the base class's isinstance check
        # against a runtime Protocol, which cost ~10 % of a subscription event.
        if getattr(result, "errors", None):
            super()._process_result(result)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if isinstance(error.original_error, Unconfirmed):
            # A remembered viewer did not hold: the view throws this answer away and
            # answers again after a fresh sign-in (fastpath.gate). Nothing to log.
            masked = super().anonymise_error(error)
            masked.extensions = {"code": "UNCONFIRMED"}
            return masked
        if outages.is_outage(error.original_error):
            assert error.original_error is not None
            outages.report(error.original_error)
            return outages.as_graphql_error(error)
        error_id = uuid.uuid4().hex[:16]
        log.error(
            "unexpected error %s at %s",
            error_id,
            ".".join(str(p) for p in error.path or []),
            exc_info=error.original_error,
            extra={"error_id": error_id},
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id}
        return masked


class MaxInputListSize(ValidationRule):
    """No list literal in a document may hold more than 100 items."""

    def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
        if len(node.values) > MAX_LIST_ITEMS:
            self.report_error(
                GraphQLError(f"Input lists take at most {MAX_LIST_ITEMS} items.", node)
            )


def may_introspect(context: Any) -> bool:
    if context.settings.introspection:
        return True
    return bool(context.viewer.has_role(Role.ADMIN))


class RequestPolicy(SchemaExtension):
    """Per-operation rules that depend on the viewer and the variables.

    - on WebSockets, the token is checked again before every operation, so a
      logout, deactivation or password change ends the socket's access at once;
    - fresh loaders for every operation (also on WebSockets);
    - introspection and field suggestions only where allowed (DESIGN §5);
    - variables no input can take refused (`schema.variables`): over-long lists,
      too deep nesting, NUL characters; NUL characters in literals too;
    - every operation priced and paid from the caller's budget (`schema.budgets`).
    """

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        await context.refresh_viewer()
        context.start_operation()
        self.executing = False  # until on_execute: errors are of the document
        introspects = may_introspect(context)
        rules: tuple[type[ValidationRule], ...] = (MaxInputListSize, variables.NoNulInStrings)
        if not introspects:
            rules += (NoSchemaIntrospectionCustomRule,)
        self.execution_context.validation_rules = (
            variables.NumbersThatFit,
            *self.execution_context.validation_rules,
            *rules,
        )
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        if errors:
            _code_request_errors(self.execution_context, errors, executed=self.executing)
        if not introspects:
            for error in errors:
                error.message = _SUGGESTION.sub("", error.message)

    async def on_execute(self) -> AsyncIterator[None]:
        self.executing = True
        execution = self.execution_context
        refused = variables.refusal(execution.variables) or _unnamed_choice(execution)
        if refused is None:
            refused = await budgets.charge(
                execution.context,
                execution.schema._schema,
                execution.graphql_document,
                execution.operation_name,
                execution.variables,
            )
        if refused is not None:
            # Answered without executing, and without raising: a raised error's
            # traceback would hold this frame, and with it the request's variables,
            # in a cycle the collector reaches late (100,000-item lists piled up).
            execution.result = GraphQLExecutionResult(data=None, errors=[refused])
        yield


def _unnamed_choice(context: ExecutionContext) -> GraphQLError | None:
    """A document of several operations needs `operationName` (the GraphQL spec);
    Strawberry would run the first one."""
    if getattr(context, "_provided_operation_name", None) is not None:
        return None
    document = context.graphql_document
    operations = sum(
        isinstance(definition, OperationDefinitionNode)
        for definition in (document.definitions if document is not None else ())
    )
    if operations < 2:
        return None
    return GraphQLError(
        "This document holds several operations: name the one to run in `operationName`.",
        extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
    )


def _code_request_errors(
    context: ExecutionContext, errors: list[GraphQLError], *, executed: bool
) -> None:
    """Errors of the request itself (no path) get a code like all others, as Apollo
    Server words them: the text does not parse, the document is not valid for the
    schema, or (once execution began) the variables' values do not fit their types."""
    for error in errors:
        if error.path is not None or (error.extensions or {}).get("code"):
            continue
        if executed:
            code = "BAD_USER_INPUT"  # graphql-core coercing the variables
        elif context.graphql_document is None:
            code = "GRAPHQL_PARSE_FAILED"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**(error.extensions or {}), "code": code}


_OVERRIDES: dict[tuple[type, str], bool] = {}


def _overrides(extension: SchemaExtension, hook: str) -> bool:
    """Does this extension's class bring its own `hook` (looked up once per class)?"""
    key = (type(extension), hook)
    found = _OVERRIDES.get(key)
    if found is None:
        found = _OVERRIDES[key] = getattr(key[0], hook) is not getattr(SchemaExtension, hook)
    return found


class LeanExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner, without per-result calls that cannot change the result, and
    with the cursor of each subscription event (`schema.resume`) in its extensions.

    For every subscription event and subscriber, Strawberry asks each extension
    for results and enters each one's stream-result hook: with our six extensions
    that was ~15 % of an event's CPU. Here only extensions that have results are
    asked, and a result without errors skips the hooks of extensions that only
    mask errors (MaskErrors re-checks the last result when the operation ends).
    """

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if _overrides(extension, "get_results"):
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        cursor = resume.CURSOR.get()  # set only while a subscription sends an event
        if cursor is not None:
            data["cursor"] = cursor
        return data

    def on_stream_result(self, result: StreamExecutionResult) -> Any:
        if not getattr(result, "errors", None) and not any(
            _overrides(extension, "on_stream_result") and not isinstance(extension, MaskErrors)
            for extension in self.extensions
        ):
            return _NOTHING
        return super().on_stream_result(result)


_NOTHING = contextlib.nullcontext()


class CodedParserCache(ParserCache):
    """Strawberry's parser cache, whose syntax errors (token limit included) carry a
    code like every other error. It parses while entering the parsing hook, so its
    errors skip the operation hooks' handling of results (`RequestPolicy`). Documents
    too large to be worth parsing are refused first (`document_limits.precheck`)."""

    def __init__(self, *, maxsize: int, max_chars: int, max_tokens: int, max_string: int) -> None:
        super().__init__(maxsize=maxsize)
        self.max_chars = max_chars
        self.max_tokens = max_tokens
        self.max_string = max_string

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and self.execution_context.graphql_document is None:
            refused = document_limits.precheck(
                query,
                max_chars=self.max_chars,
                max_tokens=self.max_tokens,
                max_string=self.max_string,
            )
            if refused is not None:
                raise refused
        try:
            yield from super().on_parse()
        except GraphQLError as error:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_PARSE_FAILED"}
            raise


class DirectPolicy:
    """What the engine's direct lane asks of the app (`fastpath.Policy`): the same
    rules RequestPolicy applies to every other request."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema

    def validation_key(self, context: Any) -> Hashable:
        return may_introspect(context)  # validation differs with introspection

    def refuses(self, values: dict[str, Any] | None) -> bool:
        return variables.refusal(values) is not None

    async def admits(
        self, context: Any, document: Any, operation_name: str | None, values: Any
    ) -> bool:
        refused = await budgets.charge(
            context, self.schema._schema, document, operation_name, values
        )
        return refused is None

    def remembered(self, context: Any) -> object | None:
        return context.extra.get(REMEMBERED)  # set by api.remembered_queries


class DocketSchema(strawberry.Schema):
    """The schema, run by `LeanExtensionsRunner`, with its engine (`build_schema`)."""

    engine: fastpath.Engine | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error of every answer at ERROR. Refusals (a document
        that does not validate, a value that does not fit, a viewer who may not) are
        the client's business and are answered with a code: DEBUG here. Crashes are
        logged at ERROR by MaskUnexpectedErrors, with the error ID the client sees."""
        for error in errors:
            log.debug("refused: %s", error.message)

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)
