"""Completing leaves and the small pieces completion shares."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLString,
)

from fastpath.assemble import Assemble, assembler
from fastpath.interleave import interleave
from fastpath.narrow import NarrowRows, narrow_rows
from fastpath.plans import Completer, Fallback, FieldPlan, ObjectPlan, _leaf_value, _slot


class _Path:
    """The path handed to batch resolve infos (resolvers do not read it)."""

    prev = None
    key = "projection"
    typename = None

    def as_list(self) -> list[str]:
        return ["projection"]


_ROOT_PATH: Any = _Path()


_NO_INFO: Any = None  # Strawberry's is_type_of ignores the info


def _complete_leaves(completer: Completer, values: list[Any]) -> list[Any]:
    """Scalars and enums, coerced by their GraphQL type (a null only where allowed)."""
    return [_leaf_value(completer, value) for value in values]


# Built-in scalars whose coercion hands back a value of this exact type unchanged.
_OWN_OUTPUT: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


def _enum_names(leaf: Any) -> tuple[type | None, dict[Any, str] | None]:
    """A Strawberry enum's members' class and each member's GraphQL name."""
    members = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or members is None:
        return None, None
    names = {
        member: name
        for member in members
        for name, value in leaf.values.items()
        if member.value == value.value
    }
    return members, names


def _leaf_coercer(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's output coercion; for Strawberry's enums, one dict look-up.

    Strawberry's enum type finds a member's name by comparing it with every value
    of the enum; the names of the members are looked up once here instead.
    """
    coerce: Callable[[Any], Any] = leaf.coerce_output_value
    members, names = _enum_names(leaf)
    if members is None or names is None:
        return coerce

    def coerce_enum(value: Any) -> Any:
        name = names.get(value) if type(value) is members else None
        return coerce(value) if name is None else name

    return coerce_enum


def _close_all(values: list[Any]) -> None:
    """Never leave a resolver's coroutine un-awaited."""
    for value in values:
        if asyncio.iscoroutine(value):
            value.close()


class _Answered(list[Any]):
    """A related field's values that are answers already (made from its records)."""


def _record_answers(narrow: NarrowRows | None, plan: ObjectPlan | None) -> Assemble | None:
    """Records -> the answers of a related field whose selection is leaves read from
    columns only (and `__typename`), or None: no object is filled, then read again."""
    if narrow is None or plan is None:
        return None
    slots = []
    for field_plan in plan.fields:
        slot = _slot(field_plan)
        if slot.typename is None:
            read = narrow.reads.get(slot.attribute or "")
            if read is None:
                return None  # not a leaf read from a column
            column, convert, utc_time, id_of = read
            slot = dataclasses.replace(
                slot, column=column, convert=convert, utc_time=utc_time, id_of=id_of
            )
        slots.append(slot)
    return assembler(slots, Fallback)


def _made_by(convert: Callable[[Any], Any], plan: ObjectPlan | None) -> bool:
    """Does `convert` (a `from_row`, also what narrow reads fill) make instances of the
    plan's own class, which Strawberry's type check always passes?"""
    origin = _origin(plan)
    return origin is not None and getattr(convert, "__self__", None) is origin


def _origin(plan: ObjectPlan | None) -> type | None:
    """The plan's type's own Python class (not a generic's specialization), if any."""
    if plan is None:
        return None
    definition = plan.type.extensions.get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type) or getattr(definition, "concrete_of", None) is not None:
        return None
    return origin


def _completer_of(field_plan: FieldPlan) -> Completer:
    assert field_plan.completer is not None
    return field_plan.completer


async def _together(work: list[Any]) -> list[Any]:
    """Await side by side; after all have finished, the first failure is raised.

    Nothing is cancelled: a cancelled task would cancel the loader futures it
    awaits, which the loaders cache and the standard fallback then reads.
    """
    if len(work) == 1:
        return [await work[0]]
    return await interleave(work)


def _narrow(convert: Callable[[Any], Any], completer: Completer) -> NarrowRows | None:
    """Columns to read for a related object whose selection is attributes only."""
    plan = completer.plan
    if plan is None:
        return None
    attributes = []
    for field_plan in plan.fields:
        if field_plan.typename is not None:
            continue
        if field_plan.attribute is None or _completer_of(field_plan).leaf is None:
            return None
        attributes.append(field_plan.attribute)
    return narrow_rows(convert, attributes)
