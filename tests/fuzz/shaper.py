"""Reshape an operation drawn by hypothesis-graphql into what real clients write.

hypothesis-graphql draws one anonymous operation with literal arguments and
inline fragments on the concrete types of abstract fields. Clients send much
more, and every one of these shapes is a path the fast execution lanes must
take exactly like standard execution:

- arguments hoisted into variables, whole or from inside object and list
  literals, with defaults, omitted, valid or hostile (`values.JsonValues`);
- named fragments (nested: children are reshaped first, so a fragment's body
  may spread another; at the root they are fragments on Query), spread once or
  twice, with directives;
- inline fragments with and without a type condition, on the parent type, on
  `Node` where the parent's possible types are nodes, around other fragments;
- `@include` / `@skip` with literals and variables, also both at once;
- aliases, and the same field twice under another alias with other arguments;
- `__typename` anywhere, plain or aliased.
"""

from __future__ import annotations

import itertools
from typing import Any

import graphql
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    SelectionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
)
from hypothesis import strategies as st

from tests.fuzz.values import SPIKED, JsonValues


class Names:
    """Unique names for one document's variables, fragments, aliases and operations."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}"


def name(value: str) -> NameNode:
    return NameNode(value=value)


def typename(alias: str | None = None) -> FieldNode:
    return FieldNode(alias=name(alias) if alias else None, name=name("__typename"))


class Shaper:
    """Reshapes the selections of one operation; collects its variables and fragments."""

    def __init__(
        self,
        draw: st.DrawFn,
        schema: graphql.GraphQLSchema,
        values: JsonValues,
        arguments: Any,
        names: Names,
        *,
        mode: str = "raw",
        plain: bool = False,
    ) -> None:
        self.draw = draw
        # "tame": valid values only, real IDs, short pages: most answers have no error.
        # "wild": valid literals, and variables that may be hostile at any level.
        # "raw": hypothesis-graphql's own literals (any value of the right GraphQL type).
        self.mode = mode
        self.tame = mode != "raw"  # values valid but for the wild mode's spikes
        self.spikes: list[Any] | None = None
        if mode == "wild":  # how many hostile values, on leaves of which scalar type
            self.spikes = [draw(st.integers(1, 2)), draw(st.sampled_from(SPIKED))]
        self.plain = plain  # no reshaping at all (tame literals only)
        self.schema = schema
        self.values = values
        self.arguments = arguments  # hypothesis-graphql's GraphQLStrategy, for literal args
        self.names = names
        self.variable_definitions: list[VariableDefinitionNode] = []
        self.variables: dict[str, Any] = {}
        self.fragments: list[FragmentDefinitionNode] = []
        self.notes: set[str] = set()
        self._node = schema.get_type("Node")
        self._aliases = 0

    def chance(self, percent: int) -> bool:
        return not self.plain and self.draw(st.integers(0, 99)) < percent

    # Selections

    def selection_set(
        self, node: SelectionSetNode, parent: graphql.GraphQLNamedType
    ) -> SelectionSetNode:
        selections: list[SelectionNode] = []
        for selection in node.selections:
            selections.extend(self.selection(selection, parent))
        if self.chance(25):
            alias = self.names.next("t") if self._aliases < 8 and self.chance(30) else None
            self._aliases += alias is not None
            selections.insert(self.draw(st.integers(0, len(selections))), typename(alias))
            self.notes.add("typename")
        if self._overlaps_node(parent) and self.chance(12):
            selections.append(self.inline("Node", [FieldNode(name=name("id")), typename()]))
            self.notes.add("inline_on_node")
        if selections and self.chance(12):
            selections = self._group(selections, parent, named=False)
        if selections and self.chance(22):
            selections = self._group(selections, parent, named=True)
        return SelectionSetNode(selections=tuple(selections))

    def selection(
        self, node: SelectionNode, parent: graphql.GraphQLNamedType
    ) -> list[SelectionNode]:
        if isinstance(node, FieldNode):
            return self.field(node, parent)
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            target = self.schema.get_type(condition.name.value) if condition else parent
            assert target is not None
            shaped = self.selection_set(node.selection_set, target)
            return [
                InlineFragmentNode(
                    type_condition=condition,
                    directives=self.directives(),
                    selection_set=shaped,
                )
            ]
        return [node]

    def field(self, node: FieldNode, parent: graphql.GraphQLNamedType) -> list[SelectionNode]:
        field_name = node.name.value
        if field_name.startswith("__"):
            return [node]
        assert isinstance(parent, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
        definition = parent.fields[field_name]
        target = graphql.get_named_type(definition.type)
        arguments = self.arguments_of(node.arguments, definition)
        children = self.selection_set(node.selection_set, target) if node.selection_set else None
        alias = node.alias
        if alias is None and self._aliases < 8 and self.chance(8):
            alias = name(self.names.next("a"))
            self._aliases += 1
            self.notes.add("alias")
        shaped: list[SelectionNode] = [
            FieldNode(
                alias=alias,
                name=node.name,
                arguments=arguments,
                directives=self.directives(),
                selection_set=children,
            )
        ]
        if definition.args and self._aliases < 8 and self.chance(10):
            other = self.draw(self.arguments.list_of_arguments(definition.args))
            again = self.arguments_of(other, definition)
            again_children = (
                self.selection_set(node.selection_set, target) if node.selection_set else None
            )
            shaped.append(
                FieldNode(
                    alias=name(self.names.next("d")),
                    name=node.name,
                    arguments=again,
                    selection_set=again_children,
                )
            )
            self._aliases += 1
            self.notes.add("alias_other_arguments")
        return shaped

    def inline(self, condition: str | None, selections: list[SelectionNode]) -> InlineFragmentNode:
        return InlineFragmentNode(
            type_condition=NamedTypeNode(name=name(condition)) if condition else None,
            directives=self.directives(),
            selection_set=SelectionSetNode(selections=tuple(selections)),
        )

    def _group(
        self, selections: list[SelectionNode], parent: graphql.GraphQLNamedType, *, named: bool
    ) -> list[SelectionNode]:
        """A run of selections moved into an inline fragment or a named fragment."""
        size = self.draw(st.integers(1, len(selections)))
        start = self.draw(st.integers(0, len(selections) - size))
        chunk = selections[start : start + size]
        condition = self._condition(chunk, parent, optional=not named)
        if named:
            fragment = self.names.next("F")
            assert condition is not None
            self.fragments.append(
                FragmentDefinitionNode(
                    name=name(fragment),
                    type_condition=NamedTypeNode(name=name(condition)),
                    selection_set=SelectionSetNode(selections=tuple(chunk)),
                )
            )
            spreads: list[SelectionNode] = [
                FragmentSpreadNode(name=name(fragment), directives=self.directives())
            ]
            if self.chance(8):
                spreads.append(FragmentSpreadNode(name=name(fragment)))
                self.notes.add("fragment_spread_twice")
            self.notes.add("fragment_on_query" if parent is self.schema.query_type else "fragment")
            replacement = spreads
        else:
            replacement = [self.inline(condition, chunk)]
            self.notes.add("inline_fragment")
        return [*selections[:start], *replacement, *selections[start + size :]]

    def _condition(
        self, chunk: list[SelectionNode], parent: graphql.GraphQLNamedType, *, optional: bool
    ) -> str | None:
        """The parent's name, none (inline only), or an interface of the parent that has
        every field of the chunk with the same type."""
        choices: list[str | None] = [parent.name]
        if optional:
            choices.append(None)
        if isinstance(parent, graphql.GraphQLObjectType):
            choices.extend(
                interface.name for interface in parent.interfaces if _fits(chunk, parent, interface)
            )
        return self.draw(st.sampled_from(choices))

    def _overlaps_node(self, parent: graphql.GraphQLNamedType) -> bool:
        if not isinstance(self._node, graphql.GraphQLInterfaceType):
            return False
        if isinstance(parent, graphql.GraphQLObjectType):
            return self._node in parent.interfaces
        if graphql.is_abstract_type(parent):
            possible = self.schema.get_possible_types(parent)
            return any(self._node in t.interfaces for t in possible)
        return False

    # Directives, arguments, variables

    def directives(self) -> tuple[DirectiveNode, ...]:
        if not self.chance(10):
            return ()
        self.notes.add("include_skip")
        chosen = self.draw(st.sampled_from([["include"], ["skip"], ["include", "skip"]]))
        made = []
        for directive in chosen:
            if self.chance(50):
                value: Any = BooleanValueNode(value=self.draw(st.booleans()))
            else:
                boolean = graphql.GraphQLNonNull(graphql.GraphQLBoolean)
                value = self._given(boolean, self.draw(self.values.of(boolean, "if", tame=True)))
            made.append(
                DirectiveNode(
                    name=name(directive),
                    arguments=(ArgumentNode(name=name("if"), value=value),),
                )
            )
        return tuple(made)

    def arguments_of(
        self, nodes: Any, definition: graphql.GraphQLField
    ) -> tuple[ArgumentNode, ...]:
        nodes = list(nodes or ())
        if self.mode != "raw" and {"first", "last"} <= set(definition.args):
            # one direction, as clients page: `first`/`after` or `last`/`before`
            dropped = ("first", "after") if self.chance(20) else ("last", "before")
            nodes = [node for node in nodes if node.name.value not in dropped]
        shaped = (self.argument(node, definition.args[node.name.value]) for node in nodes)
        return tuple(node for node in shaped if node is not None)

    def argument(
        self, node: ArgumentNode, definition: graphql.GraphQLArgument
    ) -> ArgumentNode | None:
        argument_name = node.name.value
        if self.mode in ("tame", "wild"):
            dropped = 80 if self.mode == "tame" else 60
            if argument_name in ("after", "before") and self.chance(dropped):
                return None  # paging from the start, as most clients do
            if self.mode == "wild" and self.chance(50):
                self.notes.add("variables")
                value = self.variable(definition.type, argument_name, None)
                return ArgumentNode(name=node.name, value=value)
            value = self.draw(
                self.values.of(definition.type, argument_name, tame=True, spikes=self.spikes)
            )
            try:
                literal = graphql.utilities.ast_from_value(value, definition.type)
            except (TypeError, ValueError, graphql.GraphQLError):
                literal = None  # a spike no literal can write (a wrong JSON type)
            if literal is None:
                return ArgumentNode(name=node.name, value=self._given(definition.type, value))
            node = ArgumentNode(name=node.name, value=literal)
        elif argument_name in ("after", "before") and self.chance(50):
            cursor = self.draw(self.values.pool.cursor_values())
            node = ArgumentNode(name=node.name, value=graphql.StringValueNode(value=cursor))
        if self.chance(30):
            value = self.variable(definition.type, node.name.value, node.value)
            self.notes.add("variables")
        elif isinstance(node.value, ObjectValueNode | ListValueNode) and self.chance(30):
            value = self._hoist_inside(node.value, definition.type, node.name.value)
            self.notes.add("variables_in_literals")
        else:
            return node
        return ArgumentNode(name=node.name, value=value)

    def _hoist_inside(self, value: Any, type_: Any, hint: str) -> Any:
        """One part of an object or list literal replaced by a variable; the whole
        literal where it is not of its argument's kind (a literal written for a custom
        scalar, or a wrong one drawn on purpose)."""
        inner = type_.of_type if isinstance(type_, graphql.GraphQLNonNull) else type_
        if (
            isinstance(value, ObjectValueNode)
            and value.fields
            and isinstance(inner, graphql.GraphQLInputObjectType)
            and all(item.name.value in inner.fields for item in value.fields)
        ):
            index = self.draw(st.integers(0, len(value.fields) - 1))
            item = value.fields[index]
            field_type = inner.fields[item.name.value].type
            replaced = (
                self.variable(field_type, item.name.value, item.value)
                if self.chance(60)
                else self._hoist_inside(item.value, field_type, item.name.value)
            )
            fields = list(value.fields)
            fields[index] = ObjectFieldNode(name=item.name, value=replaced)
            return ObjectValueNode(fields=tuple(fields))
        if (
            isinstance(value, ListValueNode)
            and value.values
            and isinstance(inner, graphql.GraphQLList)
        ):
            index = self.draw(st.integers(0, len(value.values) - 1))
            items = list(value.values)
            items[index] = self.variable(inner.of_type, hint, items[index])
            return ListValueNode(values=tuple(items))
        return self.variable(type_, hint, value)

    def _given(self, type_: Any, value: Any) -> VariableNode:
        """A variable of `type_` carrying `value` as drawn."""
        variable_name = self.names.next("v")
        self.variables[variable_name] = value
        self.variable_definitions.append(
            VariableDefinitionNode(
                variable=VariableNode(name=name(variable_name)), type=graphql.parse_type(str(type_))
            )
        )
        return VariableNode(name=name(variable_name))

    def variable(self, type_: Any, hint: str, literal: Any) -> VariableNode:
        """A new variable of `type_`: a drawn value, or its default, or nothing at all."""
        variable_name = self.names.next("v")
        node = VariableNode(name=name(variable_name))
        default = None
        usable_default = literal is not None and not isinstance(literal, graphql.NullValueNode)
        if usable_default and self.chance(10):
            default = literal
            self.notes.add("variable_default")
            if self.chance(50):
                self.variables[variable_name] = self.draw(
                    self.values.of(type_, hint, tame=self.tame, spikes=self.spikes)
                )
        elif not isinstance(type_, graphql.GraphQLNonNull) and self.chance(8):
            self.notes.add("variable_omitted")
        else:
            self.variables[variable_name] = self.draw(
                self.values.of(type_, hint, tame=self.tame, spikes=self.spikes)
            )
        self.variable_definitions.append(
            VariableDefinitionNode(
                variable=node, type=graphql.parse_type(str(type_)), default_value=default
            )
        )
        return node


def _fits(
    chunk: list[SelectionNode],
    parent: graphql.GraphQLObjectType,
    interface: graphql.GraphQLInterfaceType,
) -> bool:
    """May `chunk`, written for `parent`, stand in a fragment on `interface` unchanged?"""
    for selection in chunk:
        if not isinstance(selection, FieldNode):
            return False
        field_name = selection.name.value
        if field_name.startswith("__"):
            continue
        own, theirs = parent.fields.get(field_name), interface.fields.get(field_name)
        if own is None or theirs is None or not graphql.is_equal_type(own.type, theirs.type):
            return False
    return True
