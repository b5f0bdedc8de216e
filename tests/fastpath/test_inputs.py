"""`schema.inputs`: every input type is built from its plan, exactly as Strawberry builds it."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    coerce_input_value,
)
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from api.settings import load_settings
from schema import build_schema

SAMPLES = {
    "String": "text",
    "ID": "QWNjb3VudDox",
    "Int": 3,
    "Float": 1.5,
    "Boolean": True,
    "Date": "2026-03-04",
    "DateTime": "2026-03-04T05:06:07+00:00",
    "Decimal": "12.50",
}


def _sample(type_: GraphQLInputType, *, nulls: bool, depth: int = 0) -> Any:
    """An input value with every field given: nulls where allowed (if `nulls`)."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type, nulls=False, depth=depth)
    if nulls:
        return None
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type, nulls=False, depth=depth)]
    if isinstance(type_, GraphQLEnumType):
        return list(type_.values)[-1]
    if isinstance(type_, GraphQLScalarType):
        return SAMPLES[type_.name]
    assert isinstance(type_, GraphQLInputObjectType)
    if depth > 3:
        return None
    return {
        name: _sample(field.type, nulls=False, depth=depth + 1)
        for name, field in type_.fields.items()
    }


def _input_types(schema: Any) -> list[tuple[GraphQLInputObjectType, StrawberryObjectDefinition]]:
    found = []
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, GraphQLInputObjectType):
            definition = schema.schema_converter.type_map[graphql_type.name].definition
            found.append((graphql_type, definition))
    return found


def test_every_input_type_has_a_plan() -> None:
    schema = build_schema(load_settings())
    types = _input_types(schema)
    assert len(types) > 40
    assert [graphql.name for graphql, definition in types if definition.from_input is None] == []


@pytest.mark.parametrize("nulls", [False, True], ids=["values", "nulls"])
def test_planned_inputs_equal_strawberrys_own(nulls: bool) -> None:
    # given every input type of the schema, with a value for every field (or null)
    schema = build_schema(load_settings())
    context = InputContext(
        info=None,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
        path=(),
    )
    compared = 0
    for graphql_type, definition in _input_types(schema):
        raw = {
            name: _sample(field.type, nulls=nulls) for name, field in graphql_type.fields.items()
        }
        value = coerce_input_value(raw, graphql_type)
        planned = definition.from_input
        assert planned is not None
        # when one is built from its plan and one the way Strawberry builds it itself
        got = planned(definition.origin, value, context)
        definition.from_input = None
        try:
            expected = convert_argument(
                value, definition.origin, context.scalar_registry, schema.config
            )
        finally:
            definition.from_input = planned
        # then they are equal, field for field
        assert got == expected, graphql_type.name
        compared += 1
    assert compared > 40
