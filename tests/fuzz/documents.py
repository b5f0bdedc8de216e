"""Whole requests: documents of one or more operations, their variables, operationName.

`Generator.queries()` draws the requests of the differential property (queries
only, so both apps see the same data): mostly valid documents reshaped by
`shaper.Shaper`, some invalid ones (`corrupt`). `Generator.mutations()` draws
mutation requests for the no-crash property. `sample()` turns a strategy into a
fixed list of requests with Hypothesis, derandomized unless given a seed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
from graphql import DocumentNode, FieldNode, OperationDefinitionNode, OperationType
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries
from hypothesis_graphql._strategies.strategy import GraphQLStrategy, _build_alphabet

from tests.fuzz.probe import leaves, probe_document
from tests.fuzz.shaper import Names, Shaper, name, typename
from tests.fuzz.values import IdPool, JsonValues, dates, datetimes, decimals

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
MAX_BODY = 900_000  # under the API's 1,000,000-byte body limit
# Documents whose values are all valid, so that most answers have no error and the
# second send takes the direct lane; 35 % carry hostile values, the rest any values.
TAME_PERCENT = 55
SHARED_PERCENT = 8  # documents of operations sharing one fragment on Query
PROBE_PERCENT = 15  # one root field, one hostile leaf (probe.py)
WHOLE_SCHEMA_PERCENT = 12  # hypothesis-graphql's own draw over every root field


@dataclass
class Case:
    """One request: what is sent, and how it was made (for reports and replays)."""

    kind: str  # "query" (valid), "invalid" or "mutation"
    document: str
    variables: dict[str, Any]
    operation_name: str | None
    notes: list[str] = field(default_factory=list)
    # Further query operations of the same document, sent in this order after the
    # first: a document's operations share its cached plans and fragments.
    also: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "query": self.document,
            "variables": self.variables,
            "operationName": self.operation_name,
        }

    def encoded(self) -> bytes:
        return dumps(self.body()).encode()


def dumps(value: Any, **options: Any) -> str:
    """JSON of values that may nest ~1,000 deep (hostile variables), past the encoder's
    default recursion limit; the server's parser, orjson, takes up to 1,024 levels."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5_000))
    try:
        return json.dumps(value, **options)
    finally:
        sys.setrecursionlimit(limit)


def _identity(document: DocumentNode) -> DocumentNode:
    return document


_INTROSPECTION = [
    "__schema { queryType { name } mutationType { name } }",
    '__type(name: "Account") { name kind fields { name type { name kind } } }',
    '__type(name: "LinkedItem") { possibleTypes { name } }',
]


def _float_literal(text: str) -> graphql.ValueNode:
    return graphql.FloatValueNode(value=text)


def scalar_literals(pool: IdPool) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Literals hypothesis-graphql writes for the custom scalars, and for IDs from the pool."""
    ids = pool.ids().map(nodes.String) | st.sampled_from([0, 1, -1, 2**31 - 1]).map(nodes.Int)
    return {
        "ID": ids,
        "DateTime": datetimes().map(nodes.String),
        "Date": dates().map(nodes.String),
        "Decimal": decimals().map(nodes.String)
        | st.sampled_from(["1.5", "0.0", "-2.25"]).map(_float_literal),
    }


class Generator:
    """Request strategies for one schema and one seeded company."""

    def __init__(self, pool: IdPool, sdl: str | None = None) -> None:
        self.schema = graphql.build_schema(sdl or SCHEMA_FILE.read_text())
        self.values = JsonValues(self.schema, pool)
        self._literals = scalar_literals(pool)
        self._bases: dict[tuple[OperationType, str | None], st.SearchStrategy[Any]] = {}
        self._negative = queries(
            self.schema,
            custom_scalars=self._literals,
            print_ast=graphql.print_ast,
            mode=Mode.NEGATIVE,
        )
        self._negative_mutations = mutations(
            self.schema,
            custom_scalars=self._literals,
            print_ast=graphql.print_ast,
            mode=Mode.NEGATIVE,
        )
        self._leaves = {
            kind: leaves(self._root(kind)) for kind in (OperationType.QUERY, OperationType.MUTATION)
        }
        self._arguments = GraphQLStrategy(
            schema=self.schema, alphabet=_build_alphabet(), custom_scalars=self._literals
        )

    def queries(self, invalid_percent: int = 20) -> st.SearchStrategy[Case]:
        from tests.fuzz.corrupt import corrupt

        @st.composite
        def draw_case(draw: st.DrawFn) -> Case:
            roll = draw(st.integers(0, 99))
            if roll < invalid_percent // 3:
                text = draw(self._negative)
                return Case("invalid", text, {}, None, ["hypothesis_graphql_negative"])
            if roll >= 100 - SHARED_PERCENT:
                return self._shared_root_fragment(draw)
            if roll >= 100 - SHARED_PERCENT - PROBE_PERCENT:
                return self._probe(draw, OperationType.QUERY)
            case = self._operations(draw, OperationType.QUERY)
            if roll < invalid_percent:
                return corrupt(draw, case, self.schema)
            return case

        return draw_case().filter(_fits_body)

    def mutations(self) -> st.SearchStrategy[Case]:
        @st.composite
        def draw_case(draw: st.DrawFn) -> Case:
            roll = draw(st.integers(0, 99))
            if roll < 10:
                text = draw(self._negative_mutations)
                return Case("mutation", text, {}, None, ["hypothesis_graphql_negative"])
            if roll < 50:
                return self._probe(draw, OperationType.MUTATION)
            return self._operations(draw, OperationType.MUTATION)

        return draw_case().filter(_fits_body)

    def _root(self, kind: OperationType) -> graphql.GraphQLObjectType:
        root = self.schema.query_type if kind is OperationType.QUERY else self.schema.mutation_type
        assert root is not None
        return root

    def _base_of(self, kind: OperationType, field_name: str | None) -> st.SearchStrategy[Any]:
        """hypothesis-graphql's operations of one root field (or of all), built once."""
        key = (kind, field_name)
        if key not in self._bases:
            make = queries if kind is OperationType.QUERY else mutations
            fields = [field_name] if field_name else None
            self._bases[key] = make(
                self.schema, fields=fields, custom_scalars=self._literals, print_ast=_identity
            )
        return self._bases[key]

    def _base(self, draw: st.DrawFn, kind: OperationType) -> graphql.SelectionSetNode:
        """Root selections: of 1-3 root fields (small documents, fast to draw and run),
        or now and then of the whole schema at once."""
        if draw(st.integers(0, 99)) < WHOLE_SCHEMA_PERCENT:
            fields: list[str | None] = [None]
        else:
            count = 1 if kind is OperationType.MUTATION else draw(st.sampled_from([1, 1, 2, 3]))
            names = sorted(self._root(kind).fields)
            fields = list(
                draw(st.lists(st.sampled_from(names), min_size=count, max_size=count, unique=True))
            )
        selections: list[graphql.SelectionNode] = []
        for field_name in fields:
            operation = draw(self._base_of(kind, field_name)).definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
            selections.extend(operation.selection_set.selections)
        return graphql.SelectionSetNode(selections=tuple(selections))

    def _operations(self, draw: st.DrawFn, chosen_kind: OperationType) -> Case:
        """A document of 1-3 operations of `chosen_kind` (sometimes with a mutation that is
        never run beside queries); its queries are all run, one after the other."""
        names = Names()
        count = draw(st.sampled_from([1, 1, 1, 2, 3]))
        operations: list[OperationDefinitionNode] = []
        fragments: list[graphql.DefinitionNode] = []
        variables: dict[str, Any] = {}
        notes: set[str] = set()
        roll = draw(st.integers(0, 99))
        mode = "tame" if roll < TAME_PERCENT else "wild" if roll < TAME_PERCENT + 35 else "raw"
        notes.add(mode)
        kinds = [chosen_kind] * count
        if chosen_kind is OperationType.QUERY and draw(st.integers(0, 99)) < 10:
            kinds.append(OperationType.MUTATION)
            notes.add("unchosen_mutation")
        for kind in kinds:
            shaper = Shaper(draw, self.schema, self.values, self._arguments, names, mode=mode)
            selection = shaper.selection_set(self._base(draw, kind), self._root(kind))
            if kind is OperationType.QUERY and draw(st.integers(0, 99)) < 4:
                extra = graphql.parse("{" + draw(st.sampled_from(_INTROSPECTION)) + "}")
                first = extra.definitions[0]
                assert isinstance(first, OperationDefinitionNode)
                selection = graphql.SelectionSetNode(
                    selections=(*selection.selections, *first.selection_set.selections)
                )
                shaper.notes.add("introspection")
            if draw(st.integers(0, 99)) < 10:
                selection = graphql.SelectionSetNode(selections=(typename(), *selection.selections))
            operations.append(
                OperationDefinitionNode(
                    operation=kind,
                    name=name(names.next("Op")),
                    variable_definitions=tuple(shaper.variable_definitions),
                    selection_set=selection,
                )
            )
            fragments.extend(shaper.fragments)
            variables.update(shaper.variables)
            notes |= shaper.notes
        run = [op.name.value for op in operations[:count] if op.name]
        run = list(draw(st.permutations(run)))
        if len(operations) == 1 and draw(st.booleans()):
            operations[0] = _anonymous(operations[0])
            run = [None]  # type: ignore[list-item]
        elif len(operations) == 1 and draw(st.booleans()):
            run = [None]  # type: ignore[list-item]  # one named operation needs no name
        if len(operations) > 1:
            notes.add("several_operations")
        order = draw(st.permutations(list(range(len(operations)))))
        definitions: list[graphql.DefinitionNode] = [operations[i] for i in order]
        if fragments:
            spot = draw(st.integers(0, len(definitions)))
            definitions[spot:spot] = fragments
        document = graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))
        kind_name = "query" if chosen_kind is OperationType.QUERY else "mutation"
        if chosen_kind is OperationType.MUTATION:
            run = run[:1]  # a mutation document's first operation alone changes data
        return Case(kind_name, document, variables, run[0], sorted(notes), run[1:])

    def _probe(self, draw: st.DrawFn, kind: OperationType) -> Case:
        """One root field, valid arguments but for one hostile leaf (`probe.py`)."""
        # a scalar type first, then one of its leaves: IDs would crowd out the rest
        scalar = draw(st.sampled_from(sorted({leaf[3] for leaf in self._leaves[kind]})))
        leaf = draw(st.sampled_from([leaf for leaf in self._leaves[kind] if leaf[3] == scalar]))
        root = self._root(kind)
        shaper = Shaper(
            draw, self.schema, self.values, self._arguments, Names(), mode="tame", plain=True
        )
        shaped = shaper.field(_first_field(draw(self._base_of(kind, leaf[0]))), root)[0]
        assert isinstance(shaped, FieldNode)
        document, variables = probe_document(
            draw, self.values, kind, root, leaf, shaped.selection_set
        )
        path = ".".join(str(step) for step in (leaf[1], *leaf[2]))
        notes = ["probe", f"probe {leaf[0]}({path}: {leaf[3]})"]
        return Case(kind.value, document, variables, "Probe", notes)

    def _shared_root_fragment(self, draw: st.DrawFn) -> Case:
        """Operations that spread one fragment on Query and select its root field again,
        each with its own sub-selection (plans cached per root field must not mix)."""
        field_name = draw(st.sampled_from(_COMPOSITE_ROOTS))
        strategy = self._base_of(OperationType.QUERY, field_name)
        names = Names()
        shaper = Shaper(
            draw, self.schema, self.values, self._arguments, names, mode="tame", plain=True
        )
        root = self._root(OperationType.QUERY)
        shared = shaper.field(_first_field(draw(strategy)), root)[0]
        assert isinstance(shared, FieldNode)
        definitions: list[graphql.DefinitionNode] = [
            graphql.parse(
                f"fragment Shared on Query {{ {graphql.print_ast(shared)} }}"
            ).definitions[0]
        ]
        run = []
        for _ in range(draw(st.integers(2, 3))):
            own = shaper.field(_first_field(draw(strategy)), root)[0]
            assert isinstance(own, FieldNode)
            selections: list[graphql.SelectionNode] = [
                graphql.FragmentSpreadNode(name=name("Shared"))
            ]
            if draw(st.integers(0, 3)) > 0 and own.selection_set is not None:
                selections.append(
                    FieldNode(
                        alias=shared.alias,
                        name=shared.name,
                        arguments=shared.arguments,
                        selection_set=own.selection_set,
                    )
                )
            operation_name = names.next("Op")
            run.append(operation_name)
            definitions.append(
                OperationDefinitionNode(
                    operation=OperationType.QUERY,
                    name=name(operation_name),
                    selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
                )
            )
        document = graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))
        notes = ["shared_root_fragment", "several_operations", "tame"]
        return Case("query", document, {}, run[0], notes, run[1:])


_COMPOSITE_ROOTS = [
    "accountRequests",
    "accounts",
    "creditAccountRequests",
    "jobs",
    "me",
    "node",
    "notifications",
    "serviceRequests",
    "users",
]


def _first_field(document: DocumentNode) -> FieldNode:
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return field


def _anonymous(operation: OperationDefinitionNode) -> OperationDefinitionNode:
    return OperationDefinitionNode(
        operation=operation.operation,
        name=None,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=operation.selection_set,
    )


def _fits_body(case: Case) -> bool:
    return len(case.encoded()) < MAX_BODY


def sample(strategy: st.SearchStrategy[Case], count: int, *, seed: int | None = None) -> list[Case]:
    """`count` requests drawn by Hypothesis: the same ones on every run unless `seed` is
    given. Generation only: the requests are sent by the caller, in its event loop."""
    drawn: list[Case] = []

    def keep(case: Case) -> None:
        drawn.append(case)

    run: Callable[[], None] = settings(
        max_examples=count,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(keep))
    if seed is not None:
        run = hypothesis_seed(seed)(run)
    run()
    return drawn
