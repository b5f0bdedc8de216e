"""Limits of a document, checked without costly work: its size and tokens before it
is parsed (`precheck`), its depth and aliases without expanding a fragment spread.

graphql-core's parser costs ~4 us a token and its lexer ~0.15 us a character of a
string literal: a document refused only at the 5,000-token limit cost 25 ms, one
holding a 900 KB string 27 ms. Before parsing, a document over MAX_DOCUMENT_CHARS
is refused at once, and one longer than the token limit (a token takes a character
at least) is first counted by one regular expression, once per text (under 4 ms for
the largest allowed): more tokens than the limit, or a string literal over
MAX_STRING_LITERAL_CHARS characters (long texts belong in variables), and it is refused
without being parsed.

Depth and aliases:

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

import functools
import re
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

_TOKEN = re.compile(
    r"#[^\n\r]*|"  # a comment: matched, so the words in it are not, and not counted
    r'"""(?:[^"\\]+|\\.|"(?!""))*"""|"(?:[^"\\\n]+|\\.)*"|\.\.\.|[-0-9][0-9.eE+-]*'
    r"|[_A-Za-z][_0-9A-Za-z]*|[!$&()\[\]{}:=@|]"
)


def precheck(
    query: str, *, max_chars: int, max_tokens: int, max_string: int
) -> GraphQLError | None:
    """Why this document is refused before parsing, or None (see above)."""
    if len(query) > max_chars:
        return _unparsed(f"The document has {len(query)} characters; at most {max_chars}.")
    if len(query) <= max_tokens:
        return None  # a token takes a character at least: within the limit
    message = _counted(query, max_tokens, max_string)
    return _unparsed(message) if message is not None else None


@functools.lru_cache(maxsize=1024)
def _counted(query: str, max_tokens: int, max_string: int) -> str | None:
    """Counted once per text (clients send the same documents again and again)."""
    tokens = [token for token in _TOKEN.findall(query) if token[:1] != "#"]
    if len(tokens) > max_tokens:
        return f"Syntax Error: Document contains more than {max_tokens} tokens. Parsing aborted."
    longest = max((len(token) for token in tokens if token[:1] == '"'), default=0)
    if longest > max_string:
        return (
            f"A string literal has {longest} characters; at most {max_string}: "
            "pass long texts in variables."
        )
    return None


def _unparsed(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "GRAPHQL_PARSE_FAILED"})


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
