"""What a plan or a root's arguments may be keyed by: field nodes, variable values,
whether a document has directives, and an operation's root fields."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_list_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields
from graphql.execution.values import VariableValues
from graphql.language import Visitor

_MAX_PLANS = 2048


def arguments_key(node: FieldNode, coerced: dict[str, Any]) -> Hashable | None:
    """The field node and the values of the variables its arguments use, or None
    where a value is not plain data."""
    used = _variables_of(node)
    try:
        values = tuple((name, name in coerced, _frozen(coerced.get(name))) for name in used)
    except TypeError:
        return None
    return (id(node), values)


_node_variables: dict[int, tuple[FieldNode, tuple[str, ...]]] = {}


def _variables_of(node: FieldNode) -> tuple[str, ...]:
    cached = _node_variables.get(id(node))
    if cached is None or cached[0] is not node:
        found: list[str] = []

        class Finder(Visitor):
            def enter_variable(self, variable: VariableNode, *_: Any) -> None:
                found.append(variable.name.value)

        for argument in node.arguments or ():
            visit(argument, Finder())
        if len(_node_variables) > _MAX_PLANS:
            _node_variables.clear()
        cached = (node, tuple(dict.fromkeys(found)))
        _node_variables[id(node)] = cached
    return cached[1]


def _frozen(value: Any) -> Hashable:
    """A key for a coerced variable value, with each value's type (1 and True differ)."""
    if isinstance(value, (str, int, float, bool, Enum, datetime, date, Decimal, type(None))):
        return (type(value), value)
    if isinstance(value, list):
        return (list, tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((name, _frozen(item)) for name, item in value.items()))
    raise TypeError(f"no key for a {type(value).__name__}")


# An operation's root fields: each response key with the field details graphql-core
# merges into it, in the document's order.
RootFields = tuple[tuple[str, tuple[FieldDetails, ...]], ...]

# Directive-free documents do not read variables to collect their fields.
_NO_VARIABLES = VariableValues({}, {})


def root_fields(
    schema: Any, fragments: dict[str, FragmentDetails], operation: Any, *, one_operation: bool
) -> RootFields | None:
    """The root fields of a DIRECTIVE-FREE query as graphql-core's `collect_fields`
    collects them (so they depend on the document alone). Fragments on Query are
    seen through only in a document of one operation: a fragment shared by several
    operations hands each the same field nodes, and plans keyed by those nodes
    must not depend on which operation spread them (`_plan_key`). None for a
    spread or inline fragment at the root of such a document, and for fragments
    taking arguments."""
    query_type = schema.query_type
    selections = operation.selection_set.selections
    if query_type is None or (
        not one_operation and not all(isinstance(node, FieldNode) for node in selections)
    ):
        return None
    try:
        collected = collect_fields(schema, fragments, _NO_VARIABLES, query_type, operation)
    except (GraphQLError, RecursionError):
        return None
    if collected.new_defer_usages:
        return None
    roots = tuple((name, tuple(details)) for name, details in collected.grouped_field_set.items())
    if any(
        detail.defer_usage is not None or detail.fragment_variable_values is not None
        for _, details in roots
        for detail in details
    ):
        return None
    return roots


def one_operation(document: Any) -> bool:
    """Does the document define exactly one operation?"""
    operations = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return next(operations, None) is not None and next(operations, None) is None


def _root_candidate(
    schema: Any, document: Any, operation_name: str | None
) -> tuple[tuple[Any, tuple[FieldNode, ...]], ...] | None:
    """Per root field of a directive-free query (`root_fields`): the object type or
    the list (of objects, interfaces or unions: `_named_output`) it returns (its
    nullable type) and its field nodes, or (None, nodes) for `__typename`; None for
    any other document, and where a root field returns anything else."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    if _has_directives(document):
        return None
    fragments = {
        definition.name.value: FragmentDetails(definition)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    roots = root_fields(schema, fragments, operation, one_operation=one_operation(document))
    if roots is None:
        return None
    query_type = schema.query_type
    found: list[tuple[Any, tuple[FieldNode, ...]]] = []
    for _, details in roots:
        nodes = tuple(detail.node for detail in details)
        name = nodes[0].name.value
        field_def = query_type.fields.get(name)
        output = get_nullable_type(field_def.type) if field_def else None
        if name == "__typename":
            output = None
        elif not is_object_type(output) and _named_output(output) is None:
            return None
        found.append((output, nodes))
    return tuple(found)


def _named_output(output: Any) -> Any:
    """The object, interface or union a list (of lists) holds, else None."""
    inner = get_nullable_type(output)
    if not is_list_type(inner):
        return None
    while is_list_type(inner):
        inner = get_nullable_type(inner.of_type)
    return inner if is_object_type(inner) or is_abstract_type(inner) else None


def _has_directives(document: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal found
            found = True

    visit(document, Finder())
    return found
