"""An admitted document's executor, built from what does not change between its requests.

graphql-core's `Executor.build` looks, on every request, for the operation and the
fragments of the document, and coerces the request's variables against the
operation's definitions: for the Apollo dashboard (`filter` and `orderBy` as
variables) that coercion was ~3 % of the request's CPU, the same work for the same
text and the same values every time. Here the first build of a (document,
operation) is graphql-core's own, and what it found is kept: the operation, its
fragments, and the coerced values per raw values (a bounded cache). Later builds
make the executor straight from them, as `build` would.

Coerced values are kept only where coercing them is pure: every input type the
operation's variables can reach is an enum, an input object without an `out_type`
of its own, a list, graphql-core's specified scalars or a scalar the app names pure
(`accelerate(pure_scalars=...)`, kept by the executor class: its `parse_value`
depends on its input alone, has no effect, and makes an immutable value). The raw
values are keyed with their types (`keys._frozen`: 1, 1.0 and true differ), and a
value of any other kind is not kept. Values that do not coerce are never kept: each
such request coerces again, and the caller hands the errors to the standard lane,
which words them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from typing import Any

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
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import FragmentDefinitionNode
from graphql.type import GraphQLNamedType

from fastpath.keys import _frozen

_MAX_DOCUMENTS = 1024
_MAX_VALUES = 64  # raw values kept per document; then forgotten all at once
_MAX_COERCION_ERRORS = 50  # graphql-core's default, as `execute` passes it


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
    values: dict[Hashable, VariableValues] = field(default_factory=dict)


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
            built.values_kept = _keep(prepared, variables, built.variable_values)
        return built
    values, kept = _coerced(prepared, variables)
    if isinstance(values, list):
        return values
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
    executor.values_kept = kept
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


def _coerced(
    prepared: Prepared, variables: dict[str, Any] | None
) -> tuple[VariableValues | list[GraphQLError], bool]:
    """The coerced values (or the errors), and whether they are kept."""
    raw = _raw_key(variables) if prepared.pure else None
    if raw is not None:
        found = prepared.values.get(raw)
        if found is not None:
            return found, True
    values = get_variable_values(
        prepared.schema,
        prepared.operation.variable_definitions or (),
        variables or {},
        max_errors=_MAX_COERCION_ERRORS,
    )
    if isinstance(values, list):
        return values, False
    return values, _keep(prepared, variables, values)


def _keep(prepared: Prepared, variables: dict[str, Any] | None, values: VariableValues) -> bool:
    """Keep these values for their raw values, if they may be kept."""
    raw = _raw_key(variables) if prepared.pure else None
    if raw is None:
        return False
    if len(prepared.values) >= _MAX_VALUES:
        prepared.values.clear()
    prepared.values[raw] = values
    return True


def _raw_key(variables: dict[str, Any] | None) -> Hashable | None:
    try:
        return _frozen(variables or {})
    except TypeError:  # a value of another kind: coerced on every request
        return None


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
