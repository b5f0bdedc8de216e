"""What a root list may leave out, known from its compiled plan: edges nobody reads, and
the columns its items do not show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    get_nullable_type,
)

from fastpath.compiler import Compiler
from fastpath.narrow import NarrowItems, narrow_items
from fastpath.plans import FieldPlan, ObjectPlan


def connection_reads(info: Any) -> frozenset[str] | None:
    """The Python names of the fields of a root field's object its compiled plan reads
    (for a connection: `nodes`, `edges`, `page_info`, `total_count` ...), or None
    while no plan exists (the first request of a document, or one a plan cannot
    answer). Standard execution of the same selection reads no other, so a list may
    leave out what is not among them (edges nobody reads)."""
    raw = getattr(info, "_raw_info", info)
    plan = Compiler.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
    if plan is None:
        return None
    if plan.reads is None:
        plan.reads = frozenset(
            field_plan.attribute or _python_name(field_plan)
            for field_plan in plan.fields
            if field_plan.typename is None
        )
    return plan.reads


def _python_name(field_plan: FieldPlan) -> str:
    assert field_plan.field_def is not None
    definition = field_plan.field_def.extensions.get("strawberry-definition")
    return str(getattr(definition, "python_name", field_plan.response_name))


def narrow_page(info: Any, convert: Callable[[Any], Any], sort: str) -> NarrowItems | None:
    """How a root connection field may read its page column by column: only the
    columns its items show, where its plan (compiled for this document by an earlier
    request) reads nothing of them but columns `convert` copies and keys of related
    fields. `sort` is the model attribute the page's cursors name.

    A narrow item holds only those attributes; the plan reads no other, and neither
    does standard execution of the same selection (the execution check proves it).
    """
    raw = getattr(info, "_raw_info", info)
    plan = Compiler.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
    if plan is None:
        return None
    key = (convert, sort)
    if key not in plan.pages:
        plan.pages[key] = _narrow_page(plan, convert, sort)
    return plan.pages[key]


def _leaves(completer: Any) -> bool:
    """A leaf, or a list of leaves (a JSON column's strings)."""
    if completer is not None and completer.item is not None:
        completer = completer.item
    return completer is not None and completer.leaf is not None


def _narrow_page(plan: ObjectPlan, convert: Callable[[Any], Any], sort: str) -> NarrowItems | None:
    target = getattr(convert, "__self__", None)
    attributes: list[str] = []
    pending = [plan]
    while pending:
        current = pending.pop()
        definition = current.type.extensions.get("strawberry-definition")
        is_item = definition is not None and definition.origin is target
        for field_plan in current.fields:
            if field_plan.typename is not None:
                continue
            if is_item and field_plan.loaded is not None:
                attributes.append(field_plan.loaded.key)
                continue
            if is_item and field_plan.batch is not None:
                attributes.extend(field_plan.batch.reads)  # what it reads of the item
                continue
            completer = field_plan.completer
            if is_item:
                if field_plan.attribute is None or not _leaves(completer):
                    return None  # a resolver may read anything of its object
                attributes.append(field_plan.attribute)
                continue
            while completer is not None and completer.item is not None:
                completer = completer.item
            if (
                field_plan.attribute is not None
                and completer is not None
                and completer.plan is not None
            ):
                pending.append(completer.plan)  # the items, their edges, pageInfo
            # A connection's own resolvers (totalCount, cursor) read no item.
    return narrow_items(convert, list(dict.fromkeys(attributes)), also=(sort,))
