"""Plans: how to complete the objects of one root field, compiled once per document."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLObjectType,
    Undefined,
)

from fastpath.assemble import Assemble, Slot, assembler
from fastpath.declare import Batched, Derived, LoadedBy
from fastpath.narrow import NarrowItems, NarrowRows


class Fallback(Exception):
    """This object is completed by standard execution instead."""


# --- plans ---------------------------------------------------------------------


@dataclass
class Completer:
    """How to complete a value of one output type (after its resolver ran)."""

    non_null: bool
    leaf: Any = None  # a GraphQLLeafType
    item: Completer | None = None  # for lists
    plan: ObjectPlan | None = None  # for objects
    # Leaves: values of exactly this type are their own output (str for String and ID).
    same: type | None = None
    coerce: Callable[[Any], Any] | None = None
    # Strawberry's enums: the members' class, and each member's name.
    enum: type | None = None
    names: dict[Any, str] | None = None
    # Objects: made by the plan itself as instances of the type's own class (a related
    # row's `from_row`), so graphql-core's check of their type is known to pass.
    trusted: bool = False
    # Interfaces and unions: each value's runtime type, then that type's plan.
    abstract: Abstract | None = None


@dataclass
class Abstract:
    """How to complete values of an interface or union: the field they are the value
    of (its resolve info is what `resolve_type` is given), and the field details the
    plan of each runtime object type is collected from (fragments on other types
    drop out), compiled when a value of that type is first met (None: it has none)."""

    type: GraphQLAbstractType
    field_def: GraphQLField
    parent_type: GraphQLObjectType
    details: Any  # the field details list, as graphql-core's collect_subfields takes it
    plans: dict[str, ObjectPlan | None] = field(default_factory=dict)
    # Runtime type names checked as graphql-core's ensure_valid_runtime_type checks them.
    valid: dict[str, GraphQLObjectType] = field(default_factory=dict)
    # A root list's runtime types as the JSON lane writes them (`fastpath.json_nodes`).
    lane: dict[Any, Any] = field(default_factory=dict)


@dataclass
class FieldPlan:
    response_name: str
    completer: Completer | None  # None for __typename
    typename: str | None = None
    attribute: str | None = None
    loaded: LoadedBy | None = None
    convert: Callable[[Any], Any] | None = None
    field_def: GraphQLField | None = None
    field_nodes: list[Any] = field(default_factory=list)
    fragment_variables: Any = None
    # Checked once per batch; then `definition`'s resolver is called per object,
    # or `batch` once for all of them.
    gate: list[Any] | None = None
    definition: Any = None
    batch: Batched | None = None
    # A leaf its resolver computes from the object's columns, also given as SQL.
    derived: Derived | None = None
    # A related field whose selection reads only columns (see fastpath.narrow), and
    # where that selection is leaves only, its answers made straight from the records.
    narrow: NarrowRows | None = None
    answers: Assemble | None = None


@dataclass
class ObjectPlan:
    type: GraphQLObjectType
    fields: list[FieldPlan]
    # A root connection's narrow page reads, by `from_row` and sort column (narrow_page).
    pages: dict[Any, NarrowItems | None] = field(default_factory=dict)
    # The Python names of the fields it reads (connection_reads), worked out once.
    reads: frozenset[str] | None = None
    # The fields resolved and completed before assembling (not constants, not leaves
    # read from the source), and the generated code assembling the answers.
    computed: list[FieldPlan] = field(init=False)
    assemble: Assemble = field(init=False)

    def __post_init__(self) -> None:
        slots = [_slot(field_plan) for field_plan in self.fields]
        self.computed = [
            field_plan
            for field_plan, slot in zip(self.fields, slots, strict=True)
            if slot.typename is None and slot.attribute is None
        ]
        self.assemble = assembler(slots, Fallback)


class NotCompilable(Exception):
    pass


class NoPages(dict[Any, Any]):
    """The `pages` of a plan that reaches objects through an interface or union: what
    its items show is not known before their runtime types are, so neither a narrow
    page nor the JSON lane reads them (whatever is worked out for it is None)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, None)


def _slot(field_plan: FieldPlan) -> Slot:
    """Where a field's value comes from when its object's answer is assembled."""
    completer = field_plan.completer
    name = field_plan.response_name
    if field_plan.typename is not None:
        return Slot(name, typename=field_plan.typename)
    if field_plan.attribute is None or completer is None or completer.leaf is None:
        return Slot(name)
    return Slot(
        name,
        attribute=field_plan.attribute,
        same=completer.same,
        names=completer.names,
        enum=completer.enum,
        coerce=completer.coerce,
        slow=functools.partial(_leaf_value, completer),
    )


def _plan_key(return_type: Any, nodes: Sequence[Any]) -> Hashable:
    """A root field's plan key: the identities of its object type (two schemas never
    share a plan) and of ALL its field nodes (the parser cache hands out the same
    nodes for the same text). One node is not enough: operations of one document
    that spread the same fragment on Query share its field node, but each merges
    other selections into it. The nodes also fix whether the operation has one root
    field (`_keep_safe_narrowing`): a fragment's node is seen through as the root
    selection only in a document of one operation (`keys.root_fields`), so it still
    belongs to that operation alone, as does a node of the operation's own selection
    set."""
    if len(nodes) == 1:
        return (id(return_type), id(nodes[0]))
    return (id(return_type), *map(id, nodes))


def _same_nodes(kept: Sequence[Any], nodes: Sequence[Any]) -> bool:
    return len(kept) == len(nodes) and all(map(operator.is_, kept, nodes))


def _present(completer: Completer, value: Any) -> bool:
    """Is there a value to complete? A null where none is allowed, or an error,
    is left to standard execution, which reports it."""
    if value is None or value is Undefined:
        if completer.non_null:
            raise Fallback
        return False
    if isinstance(value, Exception):
        raise Fallback
    return True


def _leaf_value(completer: Completer, value: Any) -> Any:
    """One leaf value completed as `_complete_leaves` completes each."""
    if type(value) is completer.same:
        return value
    if not _present(completer, value):
        return None
    assert completer.coerce is not None
    coerced = completer.coerce(value)
    if coerced is None or coerced is Undefined:
        raise Fallback
    return coerced
