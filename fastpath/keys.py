"""What a plan or a root's arguments may be keyed by: field nodes, variable values,
whether a document has directives or one root field."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    OperationType,
    VariableNode,
    get_nullable_type,
    get_operation_ast,
    is_object_type,
    visit,
)
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


def _root_candidate(
    schema: Any, document: Any, operation_name: str | None
) -> tuple[Any, Any] | None:
    """(object type, field node) of a directive-free query of one root field that
    returns an object type; None for any other document."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    if _has_directives(document):
        return None
    node = selections[0]
    query_type = schema.query_type
    field_def = query_type.fields.get(node.name.value) if query_type else None
    output = get_nullable_type(field_def.type) if field_def else None
    return (output, node) if is_object_type(output) else None


def _has_directives(document: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal found
            found = True

    visit(document, Finder())
    return found
