"""Input objects built from a plan made once per type, not re-derived per request.

Strawberry turns an input value into its Python class field by field, and for
every field of the type, present or not, it converts the field's name and
resolves its type annotation again: 124 us for the dashboard's `filter` and
`orderBy` arguments (graphql-core hands over all fourteen filter fields, most
of them null), measured with the whole list request at ~1,100 us for one row.

`plan_input_objects` gives every input type of a schema a `from_input`, the
hook Strawberry offers for types that build their own values: the names and
resolved types are looked up once, a null stays null, and every other value
is converted by Strawberry itself (`InputContext.convert`), so nested inputs,
lists, enums and scalars come out exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryMaybe, StrawberryObjectDefinition

FromInput = Callable[[type, Mapping[str, Any], InputContext], Any]


def plan_input_objects(schema: strawberry.Schema) -> None:
    """Install a planned `from_input` on each input type of `schema` that has none."""
    for graphql_type in schema.schema_converter.type_map.values():
        definition = graphql_type.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
        ):
            planned = _from_input(definition, schema)
            if planned is not None:
                definition.from_input = planned


def _from_input(
    definition: StrawberryObjectDefinition, schema: strawberry.Schema
) -> FromInput | None:
    name_of = schema.config.name_converter.from_field
    fields = [
        (name_of(field), field.python_name, field.resolve_type(type_definition=definition))
        for field in definition.fields
    ]
    # Strawberry's validation of `Maybe` nulls skips types with their own from_input.
    if any(isinstance(type_, StrawberryMaybe) for _, _, type_ in fields):
        return None
    # As Strawberry does: an implicit None for fields without a default of their own.
    implicit: dict[str, Any] = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }

    def from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        kwargs = dict(implicit)
        for graphql_name, python_name, type_ in fields:
            if graphql_name in value:
                given = value[graphql_name]
                kwargs[python_name] = (
                    None if given is None else context.convert(given, type_, graphql_name)
                )
        return cls(**kwargs)

    return from_input
