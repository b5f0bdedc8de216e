"""Depth and alias limits measured without expanding a single fragment spread.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk each operation with
every fragment spread expanded in place. A 1 KB document of thirty fragments,
each spreading the one before twice, then costs 2^30 steps on the event loop
(hours, measured: 2^19 took 3.1 s). Here each fragment is measured once and its
figures reused wherever it is spread, so the work is linear in the document's
size whatever it spreads; the answers are those of Strawberry's rules:

- depth: a field with a selection counts one level, a leaf none, introspection
  fields (`__schema`, `__type`, `__typename`) none; an operation is refused when
  its depth passes the limit;
- aliases: every aliased field, counted as often as it would be executed.

Unknown fragments and cycles count nothing here: graphql-core's own rules
(KnownFragmentNames, NoFragmentCycles) refuse those documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)


@dataclass(frozen=True)
class Measure:
    depth: int
    aliases: int


_NOTHING = Measure(0, 0)


class _Measurer:
    """Measures selection sets, each fragment once (memoised by name)."""

    def __init__(self, document: Any) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.done: dict[str, Measure] = {}

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        return self._selection_set(operation.selection_set)

    def _selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        """Iterative over fragments: a fragment's figures are worked out (deepest
        first, with an explicit stack) before any selection set that spreads it."""
        if selection_set is None:
            return _NOTHING
        self._measure_fragments_used(selection_set)
        return self._combine(selection_set)

    def _measure_fragments_used(self, selection_set: SelectionSetNode) -> None:
        stack: list[tuple[str, bool]] = [
            (name, False) for name in self._spreads(selection_set) if name not in self.done
        ]
        entered: set[str] = set()
        while stack:
            name, ready = stack.pop()
            if name in self.done:
                continue
            fragment = self.fragments.get(name)
            if fragment is None:
                self.done[name] = _NOTHING  # graphql-core reports the unknown fragment
                continue
            if ready:
                self.done[name] = self._combine(fragment.selection_set)
                continue
            if name in entered:
                self.done[name] = _NOTHING  # a cycle: graphql-core reports it
                continue
            entered.add(name)
            stack.append((name, True))
            stack.extend(
                (used, False)
                for used in self._spreads(fragment.selection_set)
                if used not in self.done
            )

    def _spreads(self, selection_set: SelectionSetNode) -> list[str]:
        """The names of the fragments spread anywhere inside this selection set
        (not inside the fragments themselves)."""
        found: list[str] = []
        pending = [selection_set]
        while pending:
            current = pending.pop()
            for selection in current.selections:
                if isinstance(selection, FragmentSpreadNode):
                    found.append(selection.name.value)
                elif (
                    isinstance(selection, (FieldNode, InlineFragmentNode))
                    and selection.selection_set is not None
                ):
                    pending.append(selection.selection_set)
        return found

    def _combine(self, selection_set: SelectionSetNode) -> Measure:
        """The figures of a selection set whose fragments are all measured. Recursive
        over fields only: the parser bounds a document's nesting."""
        depth = aliases = 0
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                inner = self.done.get(selection.name.value, _NOTHING)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, InlineFragmentNode):
                inner = self._combine(selection.selection_set)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, FieldNode):
                aliases += 1 if selection.alias else 0
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                inner = self._combine(selection.selection_set)
                depth, aliases = max(depth, 1 + inner.depth), aliases + inner.aliases
        return Measure(depth, aliases)


def limits_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` and documents
    with more than `max_aliases` aliases (counted as executed)."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measurer = _Measurer(context.document)
            aliases = 0
            for definition in context.document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                measure = measurer.operation(definition)
                aliases += measure.aliases
                if measure.depth > max_depth:
                    name = definition.name.value if definition.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            definition,
                        )
                    )
            if aliases > max_aliases:
                context.report_error(
                    GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}")
                )

    return DocumentLimits
