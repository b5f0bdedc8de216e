"""The runtime object type of a value of an interface or union, found as graphql-core's
`complete_abstract_value` finds it: the abstract type's `resolve_type`, else the
executor's type resolver (each possible type's `is_type_of`), checked as its
`ensure_valid_runtime_type` checks the answer. Whatever graphql-core would report
as an error, or would have to await, is left to it (`Fallback`)."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, is_object_type

from fastpath.plans import Abstract, Fallback


def runtime_type(
    abstract: Abstract, value: Any, info: Any, schema: GraphQLSchema, type_resolver: Any
) -> GraphQLObjectType:
    """The object type `value` is completed as; `info` is the field's resolve info."""
    resolve = abstract.type.resolve_type or type_resolver
    try:
        name = resolve(value, info, abstract.type)
    except Exception:
        raise Fallback from None  # graphql-core reports it at the value's path
    if not isinstance(name, str):
        # None (no type), an awaitable, or not a type's name: graphql-core's to await
        # or to report.
        if asyncio.iscoroutine(name):
            name.close()
        raise Fallback
    found = abstract.valid.get(name)
    if found is None:
        candidate = schema.get_type(name)
        if not is_object_type(candidate) or not schema.is_sub_type(abstract.type, candidate):
            raise Fallback  # unknown, not an object type, or not a possible type
        assert isinstance(candidate, GraphQLObjectType)
        abstract.valid[name] = found = candidate
    return found
