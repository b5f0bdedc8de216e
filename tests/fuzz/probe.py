"""Probes: one root field, its arguments all valid but for one hostile leaf.

A hostile value stops a request where it is first checked; in a document full
of random values that is nearly always coercion or paging, so the resolvers and
the database rarely see one. A probe reaches every scalar leaf of every
argument of every root field (filters, orders, cursors, mutation inputs, three
input objects deep) with a bad value of the leaf's own type: NUL in text,
100,000 characters, years 1 and 9999 that leave datetime's range in UTC,
Decimals such as `NaN` or 35 digits, forged IDs, cursors past any column's
range. Everything else in the request is valid and names real objects.
"""

from __future__ import annotations

from typing import Any

import graphql
from graphql import OperationType
from hypothesis import strategies as st

from tests.fuzz.values import SPIKED, JsonValues

Path = tuple[str | int, ...]
Leaf = tuple[str, str, Path, str]  # root field, argument, path in its value, scalar type
_PAGING = ("first", "after", "last", "before")


def leaf_paths(type_: Any, depth: int = 0) -> list[tuple[Path, str]]:
    """Paths to the scalar leaves (of the types that reach SQL) inside a value of `type_`."""
    inner = graphql.get_nullable_type(type_)
    if isinstance(inner, graphql.GraphQLList):
        return [((0, *path), kind) for path, kind in leaf_paths(inner.of_type, depth + 1)]
    if isinstance(inner, graphql.GraphQLInputObjectType) and depth < 3:
        return [
            ((name, *path), kind)
            for name, field in sorted(inner.fields.items())
            for path, kind in leaf_paths(field.type, depth + 1)
        ]
    if isinstance(inner, graphql.GraphQLScalarType) and inner.name in SPIKED:
        return [((), inner.name)]
    return []


def leaves(root: graphql.GraphQLObjectType) -> list[Leaf]:
    return [
        (field_name, argument_name, path, kind)
        for field_name, field in sorted(root.fields.items())
        for argument_name, argument in sorted(field.args.items())
        for path, kind in leaf_paths(argument.type)
    ]


def put(value: Any, path: Path, bad: Any) -> Any:
    """`value` with `bad` at `path`, making the objects and one-item lists on the way."""
    if not path:
        return bad
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        items = value if isinstance(value, list) and value else [None]
        return [put(items[0], rest, bad), *items[1:]]
    made = dict(value) if isinstance(value, dict) else {}
    made[step] = put(made.get(step), rest, bad)
    return made


def probe_document(
    draw: st.DrawFn,
    values: JsonValues,
    kind: OperationType,
    root: graphql.GraphQLObjectType,
    leaf: Leaf,
    selection: graphql.SelectionSetNode | None,
) -> tuple[str, dict[str, Any]]:
    """The request probing `leaf`: the document and its variables."""
    field_name, probed, path, scalar = leaf
    definition = root.fields[field_name]
    variables: dict[str, Any] = {}
    definitions, arguments = [], []
    for name, argument in sorted(definition.args.items()):
        required = isinstance(argument.type, graphql.GraphQLNonNull)
        if name == probed:
            hint = next((step for step in reversed(path) if isinstance(step, str)), name)
            value = draw(values.of(argument.type, name, tame=True))
            value = put(value, path, draw(values.bad(scalar, hint)))
        elif required or (name not in _PAGING and draw(st.integers(0, 2)) == 0):
            value = draw(values.of(argument.type, name, tame=True))
        else:
            continue
        variables[name] = value
        definitions.append(f"${name}: {argument.type}")
        arguments.append(f"{name}: ${name}")
    head = f"({', '.join(definitions)})" if definitions else ""
    call = f"{field_name}({', '.join(arguments)})" if arguments else field_name
    body = graphql.print_ast(selection) if selection is not None else ""
    operation = "query" if kind is OperationType.QUERY else "mutation"
    return f"{operation} Probe{head} {{ {call} {body} }}", variables
