"""Compiled projections: completing a query's objects without per-field execution.

graphql-core completes every field of every object on its own (a resolve info,
a path, type dispatch, and an asyncio task for each awaitable): most of the
time of a 50-row list goes there. For a query, the first object a root field
returns is completed here instead, from a plan built once per document:

- plain attributes are read and coerced by their GraphQL type directly;
- fields declared `related(LoadedBy(...))` (a row of a foreign key) load the keys of the
  whole batch with one `load_many` and convert the rows, or, where only columns of
  those rows are shown, read just those columns (`schema.narrow`);
- a field guarded only by permissions that depend on the viewer alone
  (`ViewerPermission`) is checked once for the batch, then its resolver is
  called per object; if the check refuses, standard execution reports it;
- a field declared `batched(Batched(...))` is computed for the whole batch by
  one call (a job draft per pending request: one account load, one settings
  load, one clock reading), after the same single check;
- any other field calls its Strawberry resolver (permissions and extensions
  included), once per object, awaited together;
- objects and lists of objects are completed batch-wise, level by level.

Anything the plan does not cover (abstract types, directives, @defer, a
resolver error, a null where the schema promises a value) falls back to
graphql-core's own completion of that object, so answers and errors stay
exactly those of standard execution. `EXECUTION_CHECK=true` runs both for every
query and fails on any difference; the test suite runs that way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib
import logging
import operator
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from graphql import (
    DirectiveNode,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    OperationType,
    Undefined,
    VariableNode,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.values import get_argument_values
from graphql.language import Visitor
from graphql.pyutils import Path
from strawberry.permission import PermissionExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import get_arguments

from api.permissions import ViewerPermission
from schema.assemble import Assemble, Slot, assembler
from schema.interleave import interleave
from schema.narrow import NarrowItems, NarrowRows, narrow_items, narrow_rows
from schema.objects import Made
from schema.shared_events import SharedEventExecution

log = logging.getLogger("docket.projection")

_METADATA_KEY = "docket_loaded_by"
_BATCHED_KEY = "docket_batched"
_MAX_PLANS = 2048


@dataclass(frozen=True)
class LoadedBy:
    """A field whose value is the row of a foreign key, through a per-request loader.

    `key` is the parent's attribute holding the key, `loader` the `Loaders`
    attribute, `convert` a `module:Type` whose `from_row` turns the row into the
    GraphQL object. The field's resolver must do exactly that (see `load_related`).
    """

    key: str
    loader: str
    convert: str

    def converter(self) -> Callable[[Any], Any]:
        return _from_row(self.convert)


@functools.cache
def _from_row(convert: str) -> Callable[[Any], Any]:
    # Looked up once: the standard resolver asks for it on every row it loads.
    module, name = convert.split(":")
    converter: Callable[[Any], Any] = getattr(importlib.import_module(module), name).from_row
    return converter


def related(spec: LoadedBy) -> dict[str, Any]:
    """Field metadata declaring a foreign-key field for compiled projections."""
    return {_METADATA_KEY: spec}


async def load_related(info: Any, spec: LoadedBy, key: int | None) -> Any:
    """The standard resolver of a `related` field (what the plan does in batch)."""
    if key is None:
        return None
    row = await getattr(info.context.loaders, spec.loader).load(key)
    return spec.converter()(row) if row is not None else None


@dataclass(frozen=True)
class Batched:
    """A resolver field whose values for a list of objects come from one call.

    `resolve(info, sources)` returns one value per source, in order, and reads only
    the attributes `reads` names of each source (a narrow page keeps just those).
    The field's own resolver must answer as `resolve(info, [self])[0]` (see
    `resolve_batched`), so standard execution and the plan agree.
    """

    resolve: Callable[[Any, Sequence[Any]], Awaitable[Sequence[Any]]]
    reads: tuple[str, ...]
    # The class every value `resolve` gives is an instance of (else None), so their
    # type check is known to pass (see Completer.trusted).
    makes: type | None = None


def batched(spec: Batched) -> dict[str, Any]:
    """Field metadata declaring a batched field for compiled projections."""
    return {_BATCHED_KEY: spec}


async def resolve_batched(info: Any, spec: Batched, source: Any) -> Any:
    """The standard resolver of a `batched` field: a batch of one."""
    [value] = await spec.resolve(info, [source])
    return value


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
    # A related field whose selection reads only columns (see schema.narrow), and
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


def arguments_key(node: FieldNode, coerced: dict[str, Any]) -> Hashable | None:
    """The field node and the values of the variables its arguments use, or None
    where a value is not plain data."""
    used = _variables_of(node)
    try:
        values = tuple((name, name in coerced, _frozen(coerced.get(name))) for name in used)
    except TypeError:
        return None
    return (id(node), values)


_node_variables: dict[int, tuple[FieldNode, tuple[str, ...]]] = {}


def _variables_of(node: FieldNode) -> tuple[str, ...]:
    cached = _node_variables.get(id(node))
    if cached is None or cached[0] is not node:
        found: list[str] = []

        class Finder(Visitor):
            def enter_variable(self, variable: VariableNode, *_: Any) -> None:
                found.append(variable.name.value)

        for argument in node.arguments or ():
            visit(argument, Finder())
        if len(_node_variables) > _MAX_PLANS:
            _node_variables.clear()
        cached = (node, tuple(dict.fromkeys(found)))
        _node_variables[id(node)] = cached
    return cached[1]


def _frozen(value: Any) -> Hashable:
    """A key for a coerced variable value, with each value's type (1 and True differ)."""
    if isinstance(value, (str, int, float, bool, Enum, datetime, date, Decimal, type(None))):
        return (type(value), value)
    if isinstance(value, list):
        return (list, tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((name, _frozen(item)) for name, item in value.items()))
    raise TypeError(f"no key for a {type(value).__name__}")


def _root_candidate(
    schema: Any, document: Any, operation_name: str | None
) -> tuple[Any, Any] | None:
    """(object type, field node) of a directive-free query of one root field that
    returns an object type; None for any other document."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    if _has_directives(document):
        return None
    node = selections[0]
    query_type = schema.query_type
    field_def = query_type.fields.get(node.name.value) if query_type else None
    output = get_nullable_type(field_def.type) if field_def else None
    return (output, node) if is_object_type(output) else None


def _has_directives(document: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal found
            found = True

    visit(document, Finder())
    return found


class ProjectingExecutor(SharedEventExecution, StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with compiled completion for the objects of queries
    (and subscription events shared between subscribers, see `shared_events`)."""

    # Per root field: (its field nodes, its object type, the plan or None), keyed by
    # their identities (see `_plan_key`).
    _plans: dict[Hashable, tuple[tuple[Any, ...], GraphQLObjectType, ObjectPlan | None]] = {}
    _documents: dict[int, tuple[Any, bool]] = {}
    # Root arguments by `arguments_key`, coerced and (once called) converted.
    _arguments: dict[Hashable, RootArguments] = {}
    # Per document and operation name: (the document, (root object type, field node)
    # of a query that may have a compiled root, else None).
    _roots: dict[tuple[int, str | None], tuple[Any, tuple[Any, Any] | None]] = {}
    check = False  # EXECUTION_CHECK: also complete the standard way and compare

    def _compilable_operation(self) -> bool:
        """Queries without directives: their plans depend on the document alone."""
        operation = self.operation
        if operation.operation is not OperationType.QUERY:
            return False
        cached = self._documents.get(id(operation))
        if cached is None or cached[0] is not operation:
            if len(self._documents) > _MAX_PLANS:
                self._documents.clear()
            # Every fragment of the document, used by this operation or not: a cheap,
            # safe over-approximation (graphql-core 3.3 keeps the definitions apart
            # from `fragments`, which holds FragmentDetails).
            plain = not _has_directives(operation) and not any(
                _has_directives(fragment) for fragment in self.fragment_definitions.values()
            )
            cached = (operation, plain)
            self._documents[id(operation)] = cached
        return cached[1]

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if (
            position_context is not None
            or len(path.as_list()) != 1  # only the object of a root field
            or not self._compilable_operation()
        ):
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )
        plan = self._plan(return_type, field_details_list)
        if plan is None:
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def standard() -> Any:
            return super(ProjectingExecutor, self).complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )

        return self._run(plan, result, standard)

    @classmethod
    def may_compile_root(cls, schema: Any, document: Any, operation_name: str | None) -> bool:
        """Worth building an executor for `execute_compiled_root`? A query whose one
        root field returns an object that has a plan, seen without an executor (a
        `{ __typename }` or a `node(id:)` would only build one in vain)."""
        key = (id(document), operation_name)
        cached = cls._roots.get(key)
        if cached is None or cached[0] is not document:
            if len(cls._roots) > _MAX_PLANS:
                cls._roots.clear()
            cached = (document, _root_candidate(schema, document, operation_name))
            cls._roots[key] = cached
        candidate = cached[1]
        return candidate is not None and cls.cached_plan(candidate[0], (candidate[1],)) is not None

    def _root_arguments(self, field_def: GraphQLField, node: FieldNode) -> RootArguments:
        """The root field's arguments as graphql-core coerces them, remembered per field
        node and the values of the variables it uses: a dashboard's literal `filter`
        and `orderBy` were coerced anew on every request. The dict is only read
        (Strawberry converts it into new objects)."""
        if not field_def.args and not node.arguments:
            return RootArguments(node, field_def, {})
        key = arguments_key(node, self.variable_values.coerced)
        if key is not None:
            cached = self._arguments.get(key)
            if cached is not None and cached.node is node and cached.field_def is field_def:
                return cached
        found = RootArguments(
            node, field_def, get_argument_values(field_def, node, self.variable_values)
        )
        if key is not None:
            if len(self._arguments) > _MAX_PLANS:
                self._arguments.clear()
            self._arguments[key] = found
        return found

    def _call_root(
        self, field_def: GraphQLField, info: GraphQLResolveInfo, given: RootArguments
    ) -> Any:
        """The root field's value. A field guarded by viewer permissions only is called
        as Strawberry's resolver wrapper calls it (its Info, its permissions, then the
        resolver), with its arguments converted into Python objects once per document
        and variables, not per request (~70 us of a list request, bench/). Anything
        else, and a refusal, goes through the wrapper itself."""
        definition = field_def.extensions.get("strawberry-definition")
        gate = _viewer_gate(definition) if definition is not None else None
        converter = info.schema._strawberry_schema.schema_converter  # type: ignore[attr-defined]
        if (
            definition is None
            or gate is None
            or converter._get_field_exception_handlers(definition)
        ):
            return field_def.resolve(self.root_value, info, **given.raw)  # type: ignore[misc]
        strawberry_info = _strawberry_info(info, definition)
        converted = given.converted
        if converted is None:
            converted = given.converted = _convert(definition, strawberry_info, given.raw)
        args, kwargs = converted.call(self.root_value, strawberry_info)
        # Permissions get the field's arguments without its Info, as Strawberry's.
        shown = {name: value for name, value in kwargs.items() if name != converted.info_kwarg}
        for permission in gate:
            if permission.has_permission(self.root_value, strawberry_info, **shown) is not True:
                return field_def.resolve(self.root_value, info, **given.raw)  # type: ignore[misc]
        return definition.get_result(self.root_value, strawberry_info, args, kwargs)

    async def execute_compiled_root(self) -> dict[str, Any] | None:
        """The data of a query of one root field whose object has a compiled plan,
        without graphql-core's operation machinery; None for anything else, and for
        any error or fallback (the caller then executes the standard way).

        The root field's resolver runs as graphql-core runs it (Strawberry's wrapper:
        permissions, arguments); only the walk to it and back is skipped.
        """
        operation = self.operation
        if not self._single_root_field() or not self._compilable_operation():
            return None
        node = operation.selection_set.selections[0]
        assert isinstance(node, FieldNode)
        query_type = self.schema.query_type
        field_def = query_type.fields.get(node.name.value) if query_type else None
        if query_type is None or field_def is None or field_def.resolve is None:
            return None
        output = get_nullable_type(field_def.type)
        plan = self.cached_plan(output, (node,)) if is_object_type(output) else None
        if plan is None:
            return None
        name = node.alias.value if node.alias else node.name.value
        info = self.build_resolve_info(field_def, [node], query_type, Path(None, name, "Query"))
        try:
            given = self._root_arguments(field_def, node)
            value = self._call_root(field_def, info, given)
            if self.is_awaitable(value):
                value = await value
        except Exception:
            return None
        if value is None or isinstance(value, Exception):
            return None
        try:
            projected = (await self._complete_objects(plan, [value]))[0]
        except Fallback:
            return None
        if self.collected_errors.errors:
            return None
        if self.check and given.converted is not None:
            # The converted arguments are shared by later requests: no resolver may
            # have changed them (the test suite runs every query with this check).
            definition = given.converted.definition
            fresh = _convert(definition, _strawberry_info(info, definition), given.raw)
            if fresh.kwargs != given.converted.kwargs:
                given.converted = None  # not for the next request
                raise AssertionError(f"a resolver changed its arguments: {given.raw!r}")
        STATS.count(fallback=False)
        return {name: projected}

    async def _run(self, plan: ObjectPlan, result: Any, standard: Callable[[], Any]) -> Any:
        try:
            projected = (await self._complete_objects(plan, [result]))[0]
        except Fallback:
            STATS.count(fallback=True)
            value = standard()
            return await value if self.is_awaitable(value) else value
        STATS.count(fallback=False)
        if self.check:
            await self._compare(projected, standard)
        return projected

    async def _compare(self, projected: Any, standard: Callable[[], Any]) -> None:
        errors_before = len(self.collected_errors.errors)
        token = CHECKING.set(True)
        try:
            value = standard()
            expected = await value if self.is_awaitable(value) else value
        finally:
            CHECKING.reset(token)
        if len(self.collected_errors.errors) != errors_before or not same_answer(
            projected, expected
        ):
            log.error("projection differs: %r != %r", projected, expected)
            raise AssertionError("compiled projection differs from standard execution")

    # --- compiling ------------------------------------------------------------------

    def _plan(self, return_type: GraphQLObjectType, field_details_list: Any) -> ObjectPlan | None:
        nodes = tuple(details.node for details in field_details_list)
        key = _plan_key(return_type, nodes)
        cached = self._plans.get(key)
        if cached is not None and _same_nodes(cached[0], nodes) and cached[1] is return_type:
            return cached[2]
        try:
            if any(details.fragment_variable_values for details in field_details_list):
                raise NotCompilable  # fragment arguments: one node, several meanings
            plan: ObjectPlan | None = self._compile_object(return_type, field_details_list)
        except NotCompilable:
            plan = None
        if plan is not None:
            _keep_safe_narrowing(plan, single_root=self._single_root_field())
        if len(self._plans) > _MAX_PLANS:
            self._plans.clear()
        self._plans[key] = (nodes, return_type, plan)
        return plan

    @classmethod
    def cached_plan(cls, return_type: Any, nodes: Sequence[Any]) -> ObjectPlan | None:
        """The plan compiled for a root field's object, if one was (see `narrow_page`).
        `nodes` are all the field nodes merged into the root field's response key."""
        cached = cls._plans.get(_plan_key(return_type, nodes))
        if cached is None or not _same_nodes(cached[0], nodes) or cached[1] is not return_type:
            return None
        return cached[2]

    def _single_root_field(self) -> bool:
        selections = self.operation.selection_set.selections
        return len(selections) == 1 and isinstance(selections[0], FieldNode)

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> ObjectPlan:
        grouped, defer_usages, *_ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            raise NotCompilable
        plans = []
        for response_name, details in grouped.items():
            first = details[0]
            if first.defer_usage is not None:
                raise NotCompilable
            name = first.node.name.value
            if name == "__typename":
                plans.append(FieldPlan(response_name, None, typename=object_type.name))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None:
                raise NotCompilable
            plans.append(self._compile_field(response_name, field_def, details))
        return ObjectPlan(object_type, plans)

    def _compile_field(
        self, response_name: str, field_def: GraphQLField, details: Any
    ) -> FieldPlan:
        definition = field_def.extensions.get("strawberry-definition")
        if definition is None:
            raise NotCompilable
        completer = self._completer(field_def.type, details)
        nodes = [detail.node for detail in details]
        plain = not definition.extensions and not definition.permission_classes
        loaded = definition.metadata.get(_METADATA_KEY) if definition.metadata else None
        if plain and loaded is not None and not field_def.args:
            completer.trusted = _made_by(loaded.converter(), completer.plan)
            narrow = _narrow(loaded, completer)
            return FieldPlan(
                response_name,
                completer,
                loaded=loaded,
                convert=loaded.converter(),
                narrow=narrow,
                answers=_record_answers(narrow, completer.plan),
            )
        if plain and definition.base_resolver is None and not field_def.args:
            return FieldPlan(response_name, completer, attribute=definition.python_name)
        batch = definition.metadata.get(_BATCHED_KEY) if definition.metadata else None
        gate = ([] if plain else _viewer_gate(definition)) if not field_def.args else None
        if gate is not None and (batch is not None or not plain):
            if batch is not None and batch.makes is not None:
                completer.trusted = _origin(completer.plan) is batch.makes
            return FieldPlan(
                response_name,
                completer,
                field_def=field_def,
                field_nodes=nodes,
                gate=gate,
                definition=definition,
                batch=batch,
            )
        return FieldPlan(
            response_name,
            completer,
            field_def=field_def,
            field_nodes=nodes,
            fragment_variables=details[0].fragment_variable_values,
        )

    def _completer(self, output_type: GraphQLOutputType, details: Any) -> Completer:
        non_null = is_non_null_type(output_type)
        inner = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
        if is_leaf_type(inner):
            enum, names = _enum_names(inner)
            return Completer(
                non_null,
                leaf=inner,
                same=_OWN_OUTPUT.get(inner),
                coerce=_leaf_coercer(inner),
                enum=enum,
                names=names,
            )
        if is_list_type(inner):
            assert isinstance(inner, GraphQLList)
            return Completer(non_null, item=self._completer(inner.of_type, details))
        if is_object_type(inner):
            assert isinstance(inner, GraphQLObjectType)
            return Completer(non_null, plan=self._compile_object(inner, details))
        raise NotCompilable  # interfaces and unions need their concrete type per value

    # --- running ----------------------------------------------------------------------

    async def _complete_objects(
        self, plan: ObjectPlan, sources: Sequence[Any], *, trusted: bool = False
    ) -> list[dict[str, Any]]:
        is_type_of = plan.type.is_type_of
        if (
            not trusted
            and is_type_of is not None
            and not all(is_type_of(source, _NO_INFO) for source in sources)
        ):
            raise Fallback  # graphql-core reports the wrong type
        # Every field of the level at once, then every nested value at once: loads
        # of one level share their loaders' batches, as in standard execution.
        resolved = await self._resolve_all(plan, plan.computed, sources)
        completed = await self._complete_all(plan.computed, resolved)
        return plan.assemble(sources, *completed)

    async def _resolve_all(
        self, plan: ObjectPlan, fields: list[FieldPlan], sources: Sequence[Any]
    ) -> list[list[Any]]:
        """Each field's values for every source: attributes read at once, the rest
        awaited together (a task per field only where there is something to await)."""
        out: list[list[Any]] = [[] for _ in fields]
        for position, field_plan in enumerate(fields):
            if field_plan.attribute is not None:
                attribute = field_plan.attribute
                out[position] = [getattr(source, attribute) for source in sources]
        # Resolvers are stepped first: the loads they start at once are then seen by
        # the related fields beside them (see `_keep_safe_narrowing`).
        awaited = sorted(
            (p for p, field_plan in enumerate(fields) if field_plan.attribute is None),
            key=lambda p: fields[p].loaded is not None,
        )
        if awaited:
            done = await _together([self._resolve(plan, fields[p], sources) for p in awaited])
            for position, values in zip(awaited, done, strict=True):
                out[position] = values
        return out

    async def _complete_all(
        self, fields: list[FieldPlan], resolved: list[list[Any]]
    ) -> list[list[Any]]:
        """Complete each field's values: leaves at once, objects and lists together."""
        out: list[list[Any]] = [[] for _ in fields]
        nested = []
        for position, field_plan in enumerate(fields):
            completer = _completer_of(field_plan)
            values = resolved[position]
            if completer.leaf is not None:
                out[position] = _complete_leaves(completer, values)
            elif type(values) is _Answered:  # made from the records already
                if completer.non_null and any(value is None for value in values):
                    raise Fallback  # graphql-core reports the missing object
                out[position] = values
            else:
                nested.append(position)
        if nested:
            done = await _together(
                [self._complete(_completer_of(fields[p]), resolved[p]) for p in nested]
            )
            for position, values in zip(nested, done, strict=True):
                out[position] = values
        return out

    async def _resolve(
        self, plan: ObjectPlan, field_plan: FieldPlan, sources: Sequence[Any]
    ) -> list[Any]:
        context = self.context_value
        if field_plan.loaded is not None:
            spec, convert = field_plan.loaded, field_plan.convert
            assert convert is not None
            keys = [getattr(source, spec.key) for source in sources]
            distinct = dict.fromkeys(keys)
            distinct.pop(None, None)
            wanted = list(distinct)
            loader = getattr(context.loaders, spec.loader)
            if field_plan.narrow is not None and wanted:
                answers = field_plan.answers
                narrowed = await field_plan.narrow.load(loader, wanted, answers)
                if narrowed is not None:
                    STATS.count_narrowed()
                    values = [narrowed.get(key) for key in keys]  # None for a null key too
                    return _Answered(values) if answers is not None else values
            rows = await loader.load_many(wanted) if wanted else []
            # One object per row, shared by the sources pointing at it (eight request
            # types under fifty requests): plans only read it.
            found = {
                key: convert(row) if row is not None else None
                for key, row in zip(wanted, rows, strict=True)
            }
            return [found[key] if key is not None else None for key in keys]
        if field_plan.batch is not None:
            return await self._call_batched(plan, field_plan, sources)
        if field_plan.gate is not None:
            return await self._call_gated(plan, field_plan, sources)
        return await self._call_resolvers(plan, field_plan, sources)

    def _gated_info(self, plan: ObjectPlan, field_plan: FieldPlan) -> Any:
        """The Strawberry Info of a gated field, once its viewer permissions allow it.

        What Strawberry's resolver wrapper does per object (its Info, the permission
        extension), done once for the batch.
        """
        definition, gate, field_def = field_plan.definition, field_plan.gate, field_plan.field_def
        assert gate is not None and field_def is not None
        raw = self.build_resolve_info(field_def, field_plan.field_nodes, plan.type, _ROOT_PATH)
        strawberry_schema = raw.schema._strawberry_schema  # type: ignore[attr-defined]
        info = strawberry_schema.config.info_class(_raw_info=raw, _field=definition)
        try:
            allowed = all(permission.has_permission(None, info) is True for permission in gate)
        except Exception:
            allowed = False
        if not allowed:
            raise Fallback  # standard execution reports the refusal on every object
        return info

    async def _call_batched(
        self, plan: ObjectPlan, field_plan: FieldPlan, sources: Sequence[Any]
    ) -> list[Any]:
        """A batched field: one check, one call for every object."""
        assert field_plan.batch is not None
        info = self._gated_info(plan, field_plan)
        try:
            values = list(await field_plan.batch.resolve(info, sources))
        except Exception:
            raise Fallback from None  # standard execution reports it per object
        if len(values) != len(sources):
            raise Fallback
        return values

    async def _call_gated(
        self, plan: ObjectPlan, field_plan: FieldPlan, sources: Sequence[Any]
    ) -> list[Any]:
        """A field guarded by viewer permissions: one check, then its resolver per object
        (the arguments it asks for worked out once)."""
        definition = field_plan.definition
        info = self._gated_info(plan, field_plan)
        resolver = definition.base_resolver
        values: list[Any] = []
        try:
            # The field takes no arguments: what the resolver is called with differs
            # per object only where the object itself goes (self, root or parent).
            converted = _convert(definition, info, {})
            args, kwargs = converted.call(_SOURCE, info)
            for source in sources:
                for position in converted.source_args:
                    args[position] = source
                for name in converted.source_kwargs:
                    kwargs[name] = source
                values.append(resolver(*args, **kwargs))
        except Exception:
            _close_all(values)
            raise Fallback from None
        return await self._settle(values)

    async def _call_resolvers(
        self, plan: ObjectPlan, field_plan: FieldPlan, sources: Sequence[Any]
    ) -> list[Any]:
        field_def = field_plan.field_def
        assert field_def is not None and field_def.resolve is not None
        first = field_plan.field_nodes[0]
        try:
            args = (
                get_argument_values(
                    field_def,
                    first,
                    self.variable_values,
                    field_plan.fragment_variables,
                    self.hide_suggestions,
                )
                if field_def.args or first.arguments
                else {}
            )
        except Exception:
            raise Fallback from None
        # One resolve info for the batch: resolvers read the context, never the path.
        info = self.build_resolve_info(field_def, field_plan.field_nodes, plan.type, _ROOT_PATH)
        resolve = field_def.resolve
        values: list[Any] = []
        try:
            for source in sources:
                values.append(resolve(source, info, **args))
        except Exception:
            _close_all(values)
            raise Fallback from None
        return await self._settle(values)

    async def _settle(self, values: list[Any]) -> list[Any]:
        """The resolvers' values, the awaitable ones awaited side by side (so their
        loads share batches); any failure leaves the object to standard execution."""
        pending = [position for position, value in enumerate(values) if self.is_awaitable(value)]
        if pending:
            try:
                done = await _together([values[p] for p in pending])
            except Exception:
                _close_all(values)
                raise Fallback from None
            for position, value in zip(pending, done, strict=True):
                values[position] = value
        return values

    async def _complete(
        self, completer: Completer, values: list[Any], *, trusted: bool = False
    ) -> list[Any]:
        """`trusted`: the values' objects are known to pass the type check (`Made`)."""
        if completer.leaf is not None:
            return _complete_leaves(completer, values)
        out: list[Any] = [None] * len(values)
        objects: list[Any] = []
        object_positions: list[int] = []
        non_null = completer.non_null
        for position, value in enumerate(values):
            # As `_present`, inline: a null where none is allowed, or an error, is left
            # to standard execution, which reports it.
            if value is None or value is Undefined:
                if non_null:
                    raise Fallback
                continue
            if isinstance(value, Exception):
                raise Fallback
            if completer.item is not None:
                if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
                    raise Fallback
                out[position] = list(value)
            else:
                objects.append(value)
                object_positions.append(position)
        if completer.item is not None:
            await self._complete_lists(completer.item, values, out)
        elif objects:
            assert completer.plan is not None
            done = await self._complete_objects(
                completer.plan, objects, trusted=trusted or completer.trusted
            )
            for position, value in zip(object_positions, done, strict=True):
                out[position] = value
        return out

    async def _complete_lists(self, item: Completer, values: list[Any], out: list[Any]) -> None:
        """Complete every list of the batch as one flat batch, then cut it back."""
        flat: list[Any] = []
        spans: list[tuple[int, int, int]] = []
        for position, value in enumerate(out):
            if value is None or values[position] is None:
                continue
            spans.append((position, len(flat), len(flat) + len(value)))
            flat.extend(value)
        # Lists of objects their plan's own class made (a page's items) skip the
        # type check of each object.
        origin = _origin(item.plan)
        trusted = origin is not None and all(
            type(made := values[position]) is Made and made.of is origin for position, _, _ in spans
        )
        done = await self._complete(item, flat, trusted=trusted) if flat else []
        for position, start, end in spans:
            out[position] = done[start:end]


def _plan_key(return_type: Any, nodes: Sequence[Any]) -> Hashable:
    """A root field's plan key: the identities of its object type (two schemas never
    share a plan) and of ALL its field nodes (the parser cache hands out the same
    nodes for the same text). One node is not enough: operations of one document
    that spread the same fragment on Query share its field node, but each merges
    other selections into it. The nodes also fix whether the operation has one root
    field (`_keep_safe_narrowing`): a node spread from a fragment is never the
    operation's one root selection, and a node of the operation's own selection set
    belongs to that operation alone."""
    if len(nodes) == 1:
        return (id(return_type), id(nodes[0]))
    return (id(return_type), *map(id, nodes))


def _same_nodes(kept: Sequence[Any], nodes: Sequence[Any]) -> bool:
    return len(kept) == len(nodes) and all(map(operator.is_, kept, nodes))


class _Path:
    """The path handed to batch resolve infos (resolvers do not read it)."""

    prev = None
    key = "projection"
    typename = None

    def as_list(self) -> list[str]:
        return ["projection"]


_ROOT_PATH: Any = _Path()
_NO_INFO: Any = None  # Strawberry's is_type_of ignores the info
_SOURCE: Any = object()  # where the object goes among a resolver's arguments


def same_answer(left: Any, right: Any) -> bool:
    """Equal answers; what is computed from the clock may differ by a second: times
    (now + SLA) and S3 links, signed at the second they are made."""
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same_answer(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_answer, left, right))
    if left == right:
        return True
    if isinstance(left, str) and isinstance(right, str):
        if "X-Amz-Signature=" in left:
            return _same_signed_link(left, right)
        try:
            apart = datetime.fromisoformat(left) - datetime.fromisoformat(right)
        except ValueError:
            return False
        return abs(apart.total_seconds()) < 1
    return False


# What a presigned S3 link derives from the moment it is signed.
_SIGNING_TIME = ("X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature")


def _same_signed_link(left: str, right: str) -> bool:
    """The same object, disposition and expiry, signed at most a second apart."""
    parts = [urlsplit(link) for link in (left, right)]
    queries = [dict(parse_qsl(part.query, keep_blank_values=True)) for part in parts]
    if parts[0]._replace(query="") != parts[1]._replace(query=""):
        return False
    if any(
        queries[0].get(name) != queries[1].get(name)
        for name in set(queries[0]) | set(queries[1])
        if name not in _SIGNING_TIME
    ):
        return False
    try:
        signed = [datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ") for q in queries]
        lifetimes = [int(q["X-Amz-Expires"]) for q in queries]
    except (KeyError, ValueError):
        return False
    apart = (signed[0] - signed[1]).total_seconds()
    expiry_apart = apart + lifetimes[0] - lifetimes[1]
    return abs(apart) <= 1 and abs(expiry_apart) <= 1


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


@dataclass
class RootArguments:
    """A root field's arguments: as graphql-core coerced them (`raw`), and once the
    field has been called straight, as Strawberry converted them (`converted`)."""

    node: FieldNode
    field_def: GraphQLField
    raw: dict[str, Any]
    converted: ConvertedArguments | None = None


@dataclass(frozen=True)
class ConvertedArguments:
    """What a resolver is called with, less what differs per call: the positions of
    the source (self, root, parent) and the name of its Info parameter."""

    definition: Any  # the StrawberryField
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    source_args: tuple[int, ...]
    source_kwargs: tuple[str, ...]
    info_kwarg: str | None

    def call(self, source: Any, info: Any) -> tuple[list[Any], dict[str, Any]]:
        """The resolver's arguments for this source and Strawberry Info."""
        args, kwargs = list(self.args), dict(self.kwargs)
        for position in self.source_args:
            args[position] = source
        for name in self.source_kwargs:
            kwargs[name] = source
        if self.info_kwarg is not None:
            kwargs[self.info_kwarg] = info
        return args, kwargs


def _convert(definition: Any, info: Any, raw: dict[str, Any]) -> ConvertedArguments:
    """`raw` converted as Strawberry converts a field's arguments (`get_arguments`);
    `info` is the field's Strawberry Info."""
    schema = info._raw_info.schema._strawberry_schema
    args, kwargs = get_arguments(
        field=definition,
        source=_SOURCE,
        info=info,
        kwargs=raw,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
    )
    info_parameter = definition.base_resolver.info_parameter
    info_kwarg = info_parameter.name if info_parameter is not None else None
    if info_kwarg is not None:
        kwargs.pop(info_kwarg)
    return ConvertedArguments(
        definition,
        tuple(args),
        kwargs,
        tuple(position for position, value in enumerate(args) if value is _SOURCE),
        tuple(name for name, value in kwargs.items() if value is _SOURCE),
        info_kwarg,
    )


def _strawberry_info(info: GraphQLResolveInfo, definition: Any) -> Any:
    """The Info Strawberry's resolver wrapper hands a field's resolver."""
    schema = info.schema._strawberry_schema  # type: ignore[attr-defined]
    return schema.config.info_class(_raw_info=info, _field=definition)


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


def _viewer_gate(definition: Any) -> list[Any] | None:
    """The permissions of a resolver field guarded by viewer permissions only, else None."""
    if definition.base_resolver is None or not definition.extensions:
        return None
    gate: list[Any] = []
    for extension in definition.extensions:
        if not isinstance(extension, PermissionExtension) or extension.fail_silently:
            return None
        gate.extend(extension.permissions)
    if not all(isinstance(permission, ViewerPermission) for permission in gate):
        return None
    return gate


def _narrow(loaded: LoadedBy, completer: Completer) -> NarrowRows | None:
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
    return narrow_rows(loaded.converter(), attributes)


def connection_reads(info: Any) -> frozenset[str] | None:
    """The Python names of the fields of a root field's object its compiled plan reads
    (for a connection: `nodes`, `edges`, `page_info`, `total_count` ...), or None
    while no plan exists (the first request of a document, or one a plan cannot
    answer). Standard execution of the same selection reads no other, so a list may
    leave out what is not among them (edges nobody reads)."""
    raw = getattr(info, "_raw_info", info)
    plan = ProjectingExecutor.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
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
    plan = ProjectingExecutor.cached_plan(get_nullable_type(raw.return_type), raw.field_nodes)
    if plan is None:
        return None
    key = (convert, sort)
    if key not in plan.pages:
        plan.pages[key] = _narrow_page(plan, convert, sort)
    return plan.pages[key]


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
                if field_plan.attribute is None or completer is None or completer.leaf is None:
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


def _keep_safe_narrowing(plan: ObjectPlan, *, single_root: bool) -> None:
    """Narrow reads only where no other load of this operation may want the same
    rows later. A narrow read fills no loader, so it is kept only where:

    - the document has one root field;
    - no other field of the plan uses the same loader;
    - every resolver of the plan is a level above (its level has finished, so
      whatever it loaded is in the loader, and the narrow read then gives way)
      or beside it (stepped first, so the loads it starts at once are in the
      loader too: a job draft's account).
    """
    levels: list[tuple[ObjectPlan, tuple[int, ...]]] = []
    pending: list[tuple[ObjectPlan, tuple[int, ...]]] = [(plan, ())]
    while pending:
        current, path = pending.pop()
        levels.append((current, path))
        for position, field_plan in enumerate(current.fields):
            completer = field_plan.completer
            while completer is not None and completer.item is not None:
                completer = completer.item
            if completer is not None and completer.plan is not None:
                pending.append((completer.plan, (*path, position)))
    fields = [f for level, _ in levels for f in level.fields]
    loaders = [f.loaded.loader for f in fields if f.loaded is not None]
    resolver_paths = [
        path for level, path in levels for f in level.fields if f.field_def is not None
    ]
    for level, path in levels:
        for field_plan in level.fields:
            if field_plan.narrow is None:
                continue
            assert field_plan.loaded is not None
            resolvers_safe = all(
                len(other) <= len(path) and path[: len(other)] == other for other in resolver_paths
            )
            if not single_root or not resolvers_safe or loaders.count(field_plan.loaded.loader) > 1:
                field_plan.narrow = None


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


@dataclass
class Stats:
    """How often plans ran and fell back, for tests and the benchmark."""

    compiled: int = 0
    fallbacks: int = 0
    narrowed: int = 0  # related fields read column by column (schema.narrow)

    def count_narrowed(self) -> None:
        if not CHECKING.get():
            self.narrowed += 1

    def count(self, *, fallback: bool) -> None:
        if CHECKING.get():
            return  # a check's second run, not the request's own answer
        if fallback:
            self.fallbacks += 1
        else:
            self.compiled += 1


STATS = Stats()
# True while the check runs standard execution a second time: its SQL is not the
# request's own (the test suite's statement counter leaves it out).
CHECKING: ContextVar[bool] = ContextVar("docket_projection_checking", default=False)
