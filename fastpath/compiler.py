"""Compiling a plan from a root field's selection (see fastpath/README.md)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    OperationType,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)

from fastpath.arguments import RootArguments, _viewer_gate
from fastpath.declare import _BATCHED_KEY, _DERIVED_KEY, _METADATA_KEY
from fastpath.keys import _MAX_PLANS, RootFields, _has_directives, _named_output, root_fields
from fastpath.leaves import (
    _OWN_OUTPUT,
    _enum_names,
    _leaf_coercer,
    _made_by,
    _narrow,
    _origin,
    _record_answers,
)
from fastpath.plans import (
    Abstract,
    Completer,
    Fallback,
    FieldPlan,
    NoPages,
    NotCompilable,
    ObjectPlan,
    _plan_key,
    _same_nodes,
)


class Compiler:
    """Executor mixin: compiling the plan of a root field's object, and the caches
    plans and root arguments live in (shared by every executor of the process)."""

    # Per root field: (its field nodes, its object type, the plan or None), keyed by
    # their identities (see `_plan_key`).
    _plans: dict[Hashable, tuple[tuple[Any, ...], GraphQLObjectType, ObjectPlan | None]] = {}
    # The same for root fields returning lists: their completers.
    _completers: dict[Hashable, tuple[tuple[Any, ...], Any, Completer | None]] = {}
    _documents: dict[int, tuple[Any, bool]] = {}
    # Root arguments by `arguments_key`, coerced and (once called) converted.
    _arguments: dict[Hashable, RootArguments] = {}
    _arguments_by_values: dict[tuple[int, int], tuple[Any, RootArguments]] = {}
    # Per document and operation name: (the document, `_root_candidate`).
    _roots: dict[tuple[int, str | None], tuple[Any, tuple[tuple[Any, Any], ...] | None]] = {}
    # Per operation: (the operation, `one_operation`, its root fields (`root_fields`)).
    _root_sets: dict[int, tuple[Any, bool, RootFields | None]] = {}
    # Set by `ProjectingExecutor.build`: does the document define one operation only?
    one_operation = False
    operation: Any
    schema: Any
    fragments: Any
    fragment_definitions: Any
    collect_subfields: Any

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
            if _reaches_abstract(plan):
                plan.pages = NoPages()
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

    def _root_completer(
        self, return_type: GraphQLList[Any], field_details_list: Any, info: Any
    ) -> Completer | None:
        """The completer of a root field's list (of objects, or of interfaces or unions;
        `info` is the root field's), compiled once per document like `_plan`."""
        nodes = tuple(details.node for details in field_details_list)
        key = _plan_key(return_type, nodes)
        cached = self._completers.get(key)
        if cached is not None and _same_nodes(cached[0], nodes) and cached[1] is return_type:
            return cached[2]
        completer: Completer | None = None
        field_def = info.parent_type.fields.get(info.field_name)
        if _named_output(return_type) is not None and field_def is not None:
            try:
                if any(details.fragment_variable_values for details in field_details_list):
                    raise NotCompilable
                completer = self._completer(
                    return_type, field_details_list, field_def, info.parent_type
                )
            except NotCompilable:
                completer = None
        if completer is not None:
            single_root = self._single_root_field()
            item = completer.item
            while item is not None and item.item is not None:
                item = item.item
            if item is not None and item.plan is not None:
                _keep_safe_narrowing(item.plan, single_root=single_root)
        if len(self._completers) > _MAX_PLANS:
            self._completers.clear()
        self._completers[key] = (nodes, return_type, completer)
        return completer

    @classmethod
    def cached_root(cls, output: Any, nodes: Sequence[Any]) -> ObjectPlan | Completer | None:
        """What completes a root field's value (its nullable type): the plan of its
        object, or the completer of its list, if one was compiled."""
        if is_object_type(output):
            return cls.cached_plan(output, nodes)
        cached = cls._completers.get(_plan_key(output, nodes))
        if cached is None or not _same_nodes(cached[0], nodes) or cached[1] is not output:
            return None
        return cached[2]

    def _abstract_plan(self, abstract: Abstract, runtime_type: GraphQLObjectType) -> ObjectPlan:
        """The plan of the values of `abstract` whose runtime type is `runtime_type`,
        from the same field details (fragments on other types drop out, `__typename`
        names the runtime type), compiled when first needed; without narrow reads (the
        plan around it could not see what this one loads: `_keep_safe_narrowing`)."""
        name = runtime_type.name
        if name in abstract.plans:
            plan = abstract.plans[name]
        else:
            try:
                plan = self._compile_object(runtime_type, abstract.details)
            except NotCompilable:
                plan = None
            if plan is not None:
                _keep_safe_narrowing(plan, single_root=False)
            abstract.plans[name] = plan
        if plan is None:
            raise Fallback
        return plan

    def _single_root_field(self) -> bool:
        """One root field (one response key), fragments on Query seen through only in
        a document of one operation (`root_fields`)."""
        roots = self._root_fields()
        return roots is not None and len(roots) == 1

    def _root_fields(self) -> RootFields | None:
        """The root fields of a directive-free query (`keys.root_fields`), else None."""
        operation = self.operation
        cached = self._root_sets.get(id(operation))
        if cached is None or cached[0] is not operation or cached[1] is not self.one_operation:
            roots = (
                root_fields(
                    self.schema, self.fragments, operation, one_operation=self.one_operation
                )
                if self._compilable_operation()
                else None
            )
            if len(self._root_sets) > _MAX_PLANS:
                self._root_sets.clear()
            cached = (operation, self.one_operation, roots)
            self._root_sets[id(operation)] = cached
        return cached[2]

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
            plans.append(self._compile_field(response_name, field_def, details, object_type))
        return ObjectPlan(object_type, plans)

    def _compile_field(
        self,
        response_name: str,
        field_def: GraphQLField,
        details: Any,
        parent_type: GraphQLObjectType,
    ) -> FieldPlan:
        definition = field_def.extensions.get("strawberry-definition")
        if definition is None:
            raise NotCompilable
        completer = self._completer(field_def.type, details, field_def, parent_type)
        nodes = [detail.node for detail in details]
        plain = not definition.extensions and not definition.permission_classes
        loaded = definition.metadata.get(_METADATA_KEY) if definition.metadata else None
        if plain and loaded is not None and not field_def.args:
            convert = _from_row_of(completer.plan)
            if convert is None:
                raise NotCompilable  # checked at start-up: never the case (rules)
            completer.trusted = _made_by(convert, completer.plan)
            narrow = _narrow(convert, completer)
            return FieldPlan(
                response_name,
                completer,
                loaded=loaded,
                convert=convert,
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
            derived=(
                definition.metadata.get(_DERIVED_KEY)
                if plain and definition.metadata and not field_def.args
                else None
            ),
        )

    def _completer(
        self,
        output_type: GraphQLOutputType,
        details: Any,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
    ) -> Completer:
        """How to complete a value of `output_type`, the type (or a list's item type)
        of `field_def` of `parent_type` selected by `details`."""
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
            item = self._completer(inner.of_type, details, field_def, parent_type)
            return Completer(non_null, item=item)
        if is_object_type(inner):
            assert isinstance(inner, GraphQLObjectType)
            return Completer(non_null, plan=self._compile_object(inner, details))
        if is_abstract_type(inner):
            # Each value's runtime type is resolved as it comes (`resolve_runtime_type`),
            # then completed with that type's plan (`_abstract_plan`).
            assert isinstance(inner, (GraphQLInterfaceType, GraphQLUnionType))
            return Completer(non_null, abstract=Abstract(inner, field_def, parent_type, details))
        raise NotCompilable


def _keep_safe_narrowing(plan: ObjectPlan, *, single_root: bool) -> None:
    """Narrow reads only where no other load of this operation may want the same
    rows later. A narrow read fills no loader, so it is kept only where:

    - the operation has one root field (`_single_root_field`: its nodes, part of the
      plan's key, then belong to this operation alone);
    - no other field of the plan uses the same loader;
    - every resolver of the plan is a level above (its level has finished, so
      whatever it loaded is in the loader, and the narrow read then gives way)
      or beside it (stepped first, so the loads it starts at once are in the
      loader too: a job draft's account);
    - no field of the plan completes an interface or a union (the plans of its
      runtime types are compiled later, and keep no narrow read either).
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
            if completer is not None and completer.abstract is not None:
                # The plans of its runtime types, made later, may read the same rows
                # and call resolvers anywhere below: no narrow read in this plan.
                single_root = False
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


def _reaches_abstract(plan: ObjectPlan) -> bool:
    """Does any field of the plan, at any depth, complete an interface or a union?"""
    pending = [plan]
    while pending:
        current = pending.pop()
        for field_plan in current.fields:
            completer = field_plan.completer
            while completer is not None and completer.item is not None:
                completer = completer.item
            if completer is not None and completer.abstract is not None:
                return True
            if completer is not None and completer.plan is not None:
                pending.append(completer.plan)
    return False


def _from_row_of(plan: ObjectPlan | None) -> Any:
    """The `from_row` of the type a related field's plan completes, if it has one."""
    definition = plan.type.extensions.get("strawberry-definition") if plan else None
    return getattr(getattr(definition, "origin", None), "from_row", None)
