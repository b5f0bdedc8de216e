"""What an operation asks of the server, in points, worked out before it runs.

GitHub and Shopify price a GraphQL document by the objects it may return, so a
client pays for `accountRequests(first: 100) { nodes { timeline(first: 50) ...
}}}` what it costs, not one request's worth. Here:

- a leaf (and `__typename`) costs nothing;
- an object costs 1 point, plus its own selection;
- a list costs its selection once per item it may hold: the `first` or `last`
  of the connection around it (the argument's literal or variable, 20 when not
  given, at most 100), else the length of the field's list argument
  (`nodes(ids:)`), else 20;
- a fragment is priced once per page size it is spread under, never expanded
  (see `schema.document_limits`).

Mutations cost `MUTATION` points more than their selection: they write.
The price only ever over-estimates (abstract selections add up every branch).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
    value_from_ast_untyped,
)

DEFAULT_PAGE = 20
MAX_PAGE = 100
MUTATION = 10
_PAGING = ("first", "last")


def operation_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """The points of the operation `operation_name` picks (1 at least)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 1
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 1
    pricer = _Pricer(schema, document, variables or {})
    points = pricer.selection(root, operation.selection_set, None)
    if operation.operation is OperationType.MUTATION:
        points += MUTATION
    return max(1, points)


class _Pricer:
    def __init__(self, schema: GraphQLSchema, document: Any, variables: dict[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if not isinstance(definition, OperationDefinitionNode)
        }
        self.priced: dict[tuple[str, int | None], int] = {}
        self.pricing: set[tuple[str, int | None]] = set()

    def selection(self, parent: Any, selection_set: SelectionSetNode, page: int | None) -> int:
        points = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                points += self.field(parent, selection, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                points += self.selection(inner or parent, selection.selection_set, page)
            elif isinstance(selection, FragmentSpreadNode):
                points += self.fragment(selection.name.value, page)
        return points

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        if key in self.priced:
            return self.priced[key]
        fragment = self.fragments.get(name)
        if fragment is None or key in self.pricing:
            return 0  # unknown or cyclic: validation refuses the document
        self.pricing.add(key)
        condition = self.schema.get_type(fragment.type_condition.name.value)
        points = self.selection(condition, fragment.selection_set, page) if condition else 0
        self.pricing.discard(key)
        self.priced[key] = points
        return points

    def field(self, parent: Any, node: FieldNode, page: int | None) -> int:
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if fields else None
        if definition is None or node.selection_set is None:
            return 0  # __typename, introspection's own fields' leaves, or invalid
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        paged = self._page_size(node)
        if paged is not None:  # a connection: its lists hold up to `first` items
            return 1 + self.selection(named, node.selection_set, paged)
        inner = 1 + self.selection(named, node.selection_set, None)
        if not _is_list(definition.type):
            return inner
        items = page if page is not None else self._list_argument_size(node)
        return items * inner

    def _page_size(self, node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value in _PAGING:
                value = self._value(argument.value)
                size = value if isinstance(value, int) and not isinstance(value, bool) else None
                return DEFAULT_PAGE if size is None else max(0, min(size, MAX_PAGE))
        return None

    def _list_argument_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if isinstance(argument.value, ListValueNode):
                return len(argument.value.values)
            if isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
                if isinstance(value, list):
                    return len(value)
        return DEFAULT_PAGE

    def _value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return value_from_ast_untyped(node)


def _is_list(output: Any) -> bool:
    inner = output.of_type if isinstance(output, GraphQLNonNull) else output
    return isinstance(inner, GraphQLList)
