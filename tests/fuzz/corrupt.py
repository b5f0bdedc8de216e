"""Invalid requests made from valid ones: each must be refused with a coded error.

One corruption per request, of the kinds clients really get wrong: unknown
fields, arguments and directives, wrong literal types, undefined or missing
variables, variables of the wrong type, fragments unknown, unused or cyclic,
syntax errors, several operations without a (right) operationName,
subscriptions over HTTP, selections on leaves and none on objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import graphql
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from hypothesis import strategies as st

from tests.fuzz.documents import Case
from tests.fuzz.shaper import name

Corruption = Callable[[st.DrawFn, Case, DocumentNode], Case]


class _Edit(graphql.Visitor):
    """Replace the `index`-th node of a kind (fields: not `__typename`) by `change(node)`."""

    def __init__(self, kind: type, index: int, change: Callable[[Any], Any]) -> None:
        super().__init__()
        self.kind, self.index, self.change, self.seen = kind, index, change, 0

    def enter(self, node: Any, *_args: Any) -> Any:
        if isinstance(node, self.kind) and not _is_meta(node):
            self.seen += 1
            if self.seen - 1 == self.index:
                return self.change(node)
        return None


def _is_meta(node: Any) -> bool:
    return isinstance(node, FieldNode) and node.name.value.startswith("__")


def _count(document: DocumentNode, kind: type) -> int:
    counter = _Edit(kind, -1, lambda node: node)
    graphql.visit(document, counter)
    return counter.seen


def _edit(draw: st.DrawFn, document: DocumentNode, kind: type, change: Callable[[Any], Any]) -> Any:
    total = _count(document, kind)
    if total == 0:
        return None
    return graphql.visit(document, _Edit(kind, draw(st.integers(0, total - 1)), change))


def _changed(case: Case, document: DocumentNode | str, note: str, **changes: Any) -> Case:
    text = document if isinstance(document, str) else graphql.print_ast(document)
    return Case(
        "invalid",
        text,
        changes.get("variables", case.variables),
        changes.get("operation_name", case.operation_name),
        [*case.notes, note],
    )


def _with_field(node: SelectionSetNode, selection: FieldNode) -> SelectionSetNode:
    return SelectionSetNode(selections=(*node.selections, selection))


def _with_argument(node: FieldNode, argument: ArgumentNode) -> FieldNode:
    return replace(node, arguments=(*(node.arguments or ()), argument))


def unknown_field(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    extra = FieldNode(name=name("noSuchField"))
    edited = _edit(draw, document, SelectionSetNode, lambda node: _with_field(node, extra))
    return _changed(case, edited, "unknown_field")


def unknown_argument(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    extra = ArgumentNode(name=name("noSuchArgument"), value=IntValueNode(value="1"))
    edited = _edit(draw, document, FieldNode, lambda node: _with_argument(node, extra))
    return _changed(case, edited, "unknown_argument")


def wrong_literal(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    wrong = draw(
        st.sampled_from(
            [
                IntValueNode(value="99999999999"),
                StringValueNode(value="text"),
                ObjectValueNode(fields=()),
                graphql.EnumValueNode(value="NO_SUCH_VALUE"),
                graphql.ListValueNode(values=(graphql.NullValueNode(),)),
                graphql.FloatValueNode(value="1.5"),
            ]
        )
    )

    def change(node: ArgumentNode) -> ArgumentNode:
        return ArgumentNode(name=node.name, value=wrong)

    edited = _edit(draw, document, ArgumentNode, change)
    if edited is None:
        return unknown_argument(draw, case, document)
    return _changed(case, edited, "wrong_literal")


def undefined_variable(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    def change(node: ArgumentNode) -> ArgumentNode:
        return ArgumentNode(name=node.name, value=VariableNode(name=name("undefinedVariable")))

    edited = _edit(draw, document, ArgumentNode, change)
    if edited is None:
        return unknown_field(draw, case, document)
    return _changed(case, edited, "undefined_variable")


def _chosen(document: DocumentNode, case: Case) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if case.operation_name is None or (
            operation.name and operation.name.value == case.operation_name
        ):
            return operation
    return operations[0]


def missing_variable(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    """A required variable the request does not send (or sends as null)."""
    operation = _chosen(document, case)
    required = [
        d.variable.name.value
        for d in operation.variable_definitions or ()
        if isinstance(d.type, graphql.NonNullTypeNode) and d.default_value is None
    ]
    if required:
        victim = draw(st.sampled_from(required))
        variables = {k: v for k, v in case.variables.items() if k != victim}
        if draw(st.booleans()):
            variables[victim] = None
        return _changed(case, document, "missing_variable", variables=variables)
    definition = VariableDefinitionNode(
        variable=VariableNode(name=name("required")),
        type=graphql.parse_type("Boolean!"),
    )
    directive = graphql.DirectiveNode(
        name=name("include"),
        arguments=(ArgumentNode(name=name("if"), value=VariableNode(name=name("required"))),),
    )
    first = operation.selection_set.selections[0]
    marked = replace(first, directives=(*(first.directives or ()), directive))
    new = replace(
        operation,
        variable_definitions=(*(operation.variable_definitions or ()), definition),
        selection_set=SelectionSetNode(
            selections=(marked, *operation.selection_set.selections[1:])
        ),
    )
    definitions = tuple(new if d is operation else d for d in document.definitions)
    return _changed(case, DocumentNode(definitions=definitions), "missing_variable")


def variable_type_mismatch(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    """`$x: String` used where the schema wants an Int, a list or an input object."""
    operation = _chosen(document, case)
    definition = VariableDefinitionNode(
        variable=VariableNode(name=name("mismatched")),
        type=graphql.parse_type(draw(st.sampled_from(["String", "Int!", "[ID]", "DateTime"]))),
    )
    new = replace(
        operation, variable_definitions=(*(operation.variable_definitions or ()), definition)
    )

    def change(node: ArgumentNode) -> ArgumentNode:
        return ArgumentNode(name=node.name, value=VariableNode(name=name("mismatched")))

    edited = _edit(draw, DocumentNode(definitions=(new,)), ArgumentNode, change)
    if edited is None:
        return unknown_argument(draw, case, document)
    others = tuple(d for d in document.definitions if d is not operation)
    document = DocumentNode(definitions=(*edited.definitions, *others))
    variables = {**case.variables, "mismatched": "1"}
    return _changed(case, document, "variable_type_mismatch", variables=variables)


def _extra_text(draw: st.DrawFn, case: Case) -> tuple[str, str]:
    return draw(
        st.sampled_from(
            [
                ("{ ...NoSuchFragment }", "unknown_fragment"),
                ("fragment Unused on Query { __typename }", "unused_fragment"),
                (
                    "query Cycle { ...A } fragment A on Query { ...B } "
                    "fragment B on Query { ...A }",
                    "fragment_cycle",
                ),
                ("subscription Live { serviceRequestQueueChanged { pendingCount } }", "sub"),
                ("query Dup { __typename } query Dup { me { __typename } }", "duplicate_names"),
                ("{ me { __typename } }", "two_anonymous_or_unnamed"),
                ("query Q { me }", "object_without_selection"),
                ("query Q { unreadNotificationCount { x } }", "selection_on_leaf"),
                ("query Q($x: NoSuchType) { __typename @include(if: $x) }", "unknown_type"),
                ("query Q { __typename @nope }", "unknown_directive"),
                ("query Q { ... on Account { id } }", "impossible_fragment"),
            ]
        )
    )


def extra_definitions(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    text, note = _extra_text(draw, case)
    printed = graphql.print_ast(document)
    standalone = note in ("sub", "object_without_selection", "selection_on_leaf", "unknown_type")
    standalone = standalone or note in ("unknown_directive", "impossible_fragment")
    if standalone and draw(st.booleans()):
        operation = {"sub": "Live"}.get(note, "Q")
        return _changed(case, text, note, variables={}, operation_name=operation)
    return _changed(case, f"{printed}\n{text}", note)


def operation_name(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    """An operationName that names nothing, or none where several operations stand."""
    if draw(st.booleans()):
        return _changed(case, document, "unknown_operation_name", operation_name="NoSuchOp")
    printed = graphql.print_ast(document)
    return _changed(
        case,
        f"{printed}\nquery Other {{ __typename }}",
        "operation_name_missing",
        operation_name=None,
    )


def syntax(draw: st.DrawFn, case: Case, document: DocumentNode) -> Case:
    printed = graphql.print_ast(document)
    cut = draw(st.integers(1, max(1, len(printed) - 1)))
    junk = draw(st.sampled_from(["", "}", "$", "...", '"', "@", "(", "\x00", "query {"]))
    return _changed(case, printed[:cut] + junk, "syntax_error")


CORRUPTIONS: list[Corruption] = [
    unknown_field,
    unknown_argument,
    wrong_literal,
    undefined_variable,
    missing_variable,
    variable_type_mismatch,
    extra_definitions,
    operation_name,
    syntax,
]


def corrupt(draw: st.DrawFn, case: Case, schema: graphql.GraphQLSchema) -> Case:
    """`case` with one drawn mistake."""
    document = graphql.parse(case.document)
    return draw(st.sampled_from(CORRUPTIONS))(draw, case, document)
