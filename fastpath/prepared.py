"""An admitted document's executor, built from what does not change between its requests.

graphql-core's `Executor.build` looks, on every request, for the operation and the
fragments of the document, and coerces the request's variables against the
operation's definitions: for the Apollo dashboard (`filter` and `orderBy` as
variables) that coercion was ~3 % of the request's CPU, the same work for the same
text and the same values every time. Here the first build of a (document,
operation) is graphql-core's own, and what it found is kept: the operation, its
fragments, and the coerced values per raw values (a bounded cache). Later builds
make the executor straight from them, as `build` would; for kept values, from the
attributes of the first executor made with them (its constructor's work, ~1.5 % of
a dashboard request, done once), each execution's own state made anew.

Coerced values are kept only where coercing them is pure: every input type the
operation's variables can reach is an enum, an input object without an `out_type`
of its own, a list, graphql-core's specified scalars or a scalar the app names pure
(`accelerate(pure_scalars=...)`, kept by the executor class: its `parse_value`
depends on its input alone, has no effect, and makes an immutable value). The raw
values are keyed by their JSON text (1, 1.0 and true differ), kept only where that
text reads back as the same values (no NaN written as null, no enum as its value;
the direct lane's variables are decoded JSON). Values that do not coerce are never
kept: each such request coerces again, and the caller hands the errors to the
standard lane, which words them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    default_field_resolver,
    default_type_resolver,
    is_specified_scalar_type,
    type_from_ast,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.executor import CollectedErrors
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import FragmentDefinitionNode
from graphql.pyutils.ref_map import RefMap
from graphql.type import GraphQLNamedType, GraphQLResolveInfoHelpers

_MAX_DOCUMENTS = 1024
_MAX_VALUES = 64  # raw values kept per document; then forgotten all at once
_MAX_COERCION_ERRORS = 50  # graphql-core's default, as `execute` passes it
# Values that JSON writes as something else (subclasses, datetimes, dataclasses) raise.
_EXACT = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME
_EXACT |= orjson.OPT_PASSTHROUGH_DATACLASS

# What an executor holds for its own execution (graphql-core's `Executor` and
# `IncrementalExecutor`, Strawberry's): made anew for each one made from kept
# attributes, as their constructors make them.
_OWN: dict[str, Callable[[], Any]] = {
    "collected_errors": CollectedErrors,
    "pending_incremental_futures": set,
    "background_futures": set,
    "_relevant_sub_fields": dict,
    "_stream_usages": RefMap,
    "groups": list,
    "tasks": list,
    "streams": list,
    "_initial_execution_plans": RefMap,
    "_deferred_execution_plans": RefMap,
}
_NONE = ("async_work_finished_hook_task", "defer_usage_set", "operation_extensions")
_PER_REQUEST = ("context_value", "async_helpers")  # the request's; bound to the executor
# The same for every request of a document and its values: kept.
_SHARED = (
    "schema",
    "fragment_definitions",
    "fragments",
    "root_value",
    "operation",
    "variable_values",
    "field_resolver",
    "type_resolver",
    "subscribe_field_resolver",
    "enable_early_execution",
    "hide_suggestions",
    "abort_signal",
    "hooks",
    "middleware_manager",
    "error_propagation",
    "is_awaitable",
    "is_async_iterable",
    "one_operation",
    "values_kept",
)
_KNOWN = frozenset([*_OWN, *_NONE, *_PER_REQUEST, *_SHARED])


@dataclass
class Prepared:
    """What every build of one (document, operation) finds the same."""

    schema: GraphQLSchema
    document: DocumentNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]
    operation: OperationDefinitionNode
    one_operation: bool
    pure: bool  # its variables' coercion may be kept
    # Per raw values: their coerced values, and the shared attributes of an executor
    # made with them (None until one is, or where they may not be kept).
    values: dict[Hashable, tuple[VariableValues, dict[str, Any] | None]] = field(
        default_factory=dict
    )


_prepared: dict[tuple[int, str | None], Prepared] = {}


def build_prepared(
    executor_class: Any,
    schema: GraphQLSchema,
    document: DocumentNode,
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    is_awaitable: Callable[[Any], bool] | None,
) -> Any:
    """`executor_class.build(schema, document, None, context, variables, operation_name,
    is_awaitable=is_awaitable)`: the executor, or the list of errors."""
    key = (id(document), operation_name)
    prepared = _prepared.get(key)
    if prepared is None or prepared.document is not document or prepared.schema is not schema:
        built = executor_class.build(
            schema, document, None, context, variables, operation_name, is_awaitable=is_awaitable
        )
        if not isinstance(built, list) and _keepable(built):
            if len(_prepared) >= _MAX_DOCUMENTS:
                _prepared.clear()
            prepared = Prepared(
                schema,
                document,
                built.fragment_definitions,
                built.fragments,
                built.operation,
                built.one_operation,
                pure=_pure_operation(schema, built.operation, executor_class.pure_scalars),
            )
            _prepared[key] = prepared
            built.values_kept = _keep(prepared, variables, built.variable_values) is not None
        return built
    raw = raw_key(variables) if prepared.pure else None
    found = prepared.values.get(raw) if raw is not None else None
    if found is not None and found[1] is not None and found[1]["is_awaitable"] is is_awaitable:
        return _from_kept(executor_class, found[1], context)
    if found is not None:
        values: VariableValues | list[GraphQLError] = found[0]
    else:
        values = get_variable_values(
            schema,
            prepared.operation.variable_definitions or (),
            variables or {},
            max_errors=_MAX_COERCION_ERRORS,
        )
        if isinstance(values, list):
            return values
        if raw is not None:
            _keep(prepared, variables, values)
            found = prepared.values.get(raw)
    executor = executor_class(
        schema,
        prepared.fragment_definitions,
        prepared.fragments,
        None,  # root_value
        context,
        prepared.operation,
        values,
        default_field_resolver,
        default_type_resolver,
        default_field_resolver,  # subscribe_field_resolver
        False,  # enable_early_execution
        None,  # middleware_manager
        is_awaitable,
        None,  # is_async_iterable
    )
    executor.one_operation = prepared.one_operation
    executor.values_kept = found is not None
    if found is not None and is_awaitable is not None and _known_shape(executor):
        prepared.values[raw] = (found[0], {name: getattr(executor, name) for name in _SHARED})
    return executor


def _known_shape(executor: Any) -> bool:
    """Does this executor hold exactly what `_from_kept` makes (no attribute of
    another version's), with nothing running yet?"""
    state = vars(executor)
    return (
        state.keys() == _KNOWN
        and all(state[name] is None for name in _NONE)
        and all(not state[name] for name in _OWN if name != "collected_errors")
        and not executor.collected_errors.errors
    )


def _from_kept(executor_class: Any, shared: dict[str, Any], context: Any) -> Any:
    """An executor as the constructor makes it, from the attributes kept of another."""
    executor = object.__new__(executor_class)
    state = executor.__dict__
    state.update(shared)
    state["context_value"] = context
    for name, make in _OWN.items():
        state[name] = make()
    for name in _NONE:
        state[name] = None
    state["async_helpers"] = GraphQLResolveInfoHelpers(
        gather=executor.gather_async_work, track=executor.track_async_work
    )
    return executor


def _keepable(built: Any) -> bool:
    """Made as `build_prepared` remakes it: graphql-core's defaults, no fragment
    variables (whose signatures `build` checks per request)."""
    return (
        built.root_value is None
        and built.middleware_manager is None
        and built.field_resolver is default_field_resolver
        and built.type_resolver is default_type_resolver
        and built.subscribe_field_resolver is default_field_resolver
        and not built.enable_early_execution
        and not built.hide_suggestions
        and built.abort_signal is None
        and built.hooks is None
        and getattr(built, "operation_extensions", None) is None
        and all(details.variable_signatures is None for details in built.fragments.values())
    )


def _keep(
    prepared: Prepared, variables: dict[str, Any] | None, values: VariableValues
) -> Hashable | None:
    """Keep these values for their raw values, if they may be kept; their key."""
    raw = raw_key(variables) if prepared.pure else None
    if raw is None:
        return None
    if len(prepared.values) >= _MAX_VALUES:
        prepared.values.clear()
    prepared.values[raw] = (values, None)
    return raw


def raw_key(variables: dict[str, Any] | None) -> bytes | None:
    """The JSON text of these values, if it reads back as them; else None."""
    if not variables:
        return b"{}"  # coerced as {} (`build` coerces `raw_variable_values or {}`)
    try:
        text = orjson.dumps(variables, option=_EXACT)
    except TypeError:  # a value JSON has no exact text for
        return None
    return text if orjson.loads(text) == variables else None


def _pure_operation(
    schema: GraphQLSchema, operation: OperationDefinitionNode, scalars: Collection[str]
) -> bool:
    seen: set[str] = set()
    for definition in operation.variable_definitions or ():
        found = type_from_ast(schema, definition.type)
        if found is None or not _pure_type(found, scalars, seen):
            return False
    return True


def _pure_type(type_: Any, scalars: Collection[str], seen: set[str]) -> bool:
    """Is coercing a value of this type pure (see the module's doc)?"""
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    named: GraphQLNamedType = type_
    if named.name in seen:
        return True
    seen.add(named.name)
    if isinstance(named, GraphQLScalarType):
        return is_specified_scalar_type(named) or named.name in scalars
    if isinstance(named, GraphQLEnumType):
        return True
    if isinstance(named, GraphQLInputObjectType):
        return "out_type" not in vars(named) and all(
            _pure_type(input_field.type, scalars, seen) for input_field in named.fields.values()
        )
    return False
