"""The executor: graphql-core's, with the objects of queries completed from plans."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLResolveInfo,
    get_nullable_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from fastpath.answers import CHECKING, STATS, same_answer
from fastpath.arguments import RootArguments, _convert, _strawberry_info, _viewer_gate
from fastpath.compiler import Compiler
from fastpath.completion import Completion
from fastpath.json_lane import PREBUILT, Prebuilt
from fastpath.keys import _MAX_PLANS, _root_candidate, arguments_key, one_operation
from fastpath.plans import Completer, Fallback, ObjectPlan
from fastpath.shared_events import SharedEventExecution
from fastpath.together import TOGETHER, Together

log = logging.getLogger("docket.projection")

# What `_answer_root` gives for a root field it could not answer.
_NO_ANSWER: Any = object()


@dataclass
class _Root:
    """A root field of a compiled root: its response key, its field nodes (all those
    merged into the key), and its plan, or its list's completer (no field nor plan
    for `__typename`)."""

    name: str
    field_def: GraphQLField | None
    nodes: list[FieldNode]
    plan: ObjectPlan | Completer | None


class ProjectingExecutor(
    SharedEventExecution, Compiler, Completion, StrawberryGraphQLCoreExecutionContext
):
    """graphql-core's executor, with compiled completion for the objects of queries
    (and subscription events shared between subscribers, see `shared_events`)."""

    check = False  # EXECUTION_CHECK: also complete the standard way and compare
    # Custom scalars whose coercion is pure (`fastpath.prepared`), named by the app.
    pure_scalars: frozenset[str] = frozenset()
    # Are its variable values kept for later requests (`fastpath.prepared`)?
    values_kept = False

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

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A root field's list (of objects, interfaces or unions) completed by its
        compiled completer, as `complete_object_value` completes a root object."""
        completer = None
        if (
            position_context is None
            and path.prev is None  # only the list of a root field
            and isinstance(result, (list, tuple))  # read once: standard may read again
            and self._compilable_operation()
        ):
            completer = self._root_completer(return_type, field_details_list, info)
        if completer is None:
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def standard() -> Any:
            return super(ProjectingExecutor, self).complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )

        return self._run(completer, result, standard)

    @classmethod
    def build(cls, schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        """graphql-core's `build`, noting whether the document has one operation only
        (where fragments on Query are seen through: `keys.root_fields`)."""
        built = super().build(schema, document, *args, **kwargs)
        if isinstance(built, ProjectingExecutor):
            built.one_operation = one_operation(document)
        return built

    @classmethod
    def may_compile_root(cls, schema: Any, document: Any, operation_name: str | None) -> bool:
        """Worth building an executor for `execute_compiled_root`? A query whose root
        fields each return an object that has a plan or a list that has a completer
        (or are `__typename`, but not all of them), seen without an executor (a
        `{ __typename }` or a `node(id:)` would only build one in vain)."""
        key = (id(document), operation_name)
        cached = cls._roots.get(key)
        if cached is None or cached[0] is not document:
            if len(cls._roots) > _MAX_PLANS:
                cls._roots.clear()
            cached = (document, _root_candidate(schema, document, operation_name))
            cls._roots[key] = cached
        candidate = cached[1]
        if candidate is None:
            return False
        planned = False
        for output, nodes in candidate:
            if output is not None:
                if cls.cached_root(output, nodes) is None:
                    return False
                planned = True
        return planned

    def _root_arguments(self, field_def: GraphQLField, node: FieldNode) -> RootArguments:
        """The root field's arguments as graphql-core coerces them, remembered per field
        node and the values of the variables it uses: a dashboard's literal `filter`
        and `orderBy` were coerced anew on every request. The dict is only read
        (Strawberry converts it into new objects)."""
        if not field_def.args and not node.arguments:
            return RootArguments(node, field_def, {})
        # Values kept for their raw values (`fastpath.prepared`): the same object, the
        # same arguments, found without keying the values again.
        values = self.variable_values
        kept = self.values_kept
        if kept:
            by_values = self._arguments_by_values.get((id(node), id(values)))
            if by_values is not None and by_values[0] is values:
                remembered = by_values[1]
                if remembered.node is node and remembered.field_def is field_def:
                    return remembered
        key = arguments_key(node, values.coerced)
        if key is None:
            return RootArguments(node, field_def, get_argument_values(field_def, node, values))
        found = self._arguments.get(key)
        if found is None or found.node is not node or found.field_def is not field_def:
            found = RootArguments(node, field_def, get_argument_values(field_def, node, values))
            if len(self._arguments) > _MAX_PLANS:
                self._arguments.clear()
            self._arguments[key] = found
        if kept:
            if len(self._arguments_by_values) > _MAX_PLANS:
                self._arguments_by_values.clear()
            self._arguments_by_values[(id(node), id(values))] = (values, found)
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
        """The data of a query whose root fields each return an object with a compiled
        plan or a list with a compiled completer (or are `__typename`), without
        graphql-core's operation machinery; None for anything else, and for any error
        or fallback in any root field (the caller then executes the whole operation
        the standard way).

        Each root field's resolver runs as graphql-core runs it (Strawberry's wrapper:
        permissions, arguments); only the walk to it and back is skipped. Several
        root fields run side by side, as graphql-core runs a query's, each in a task
        of its own (so each has its own `Prebuilt` slot); the answer keeps the
        document's order of response keys.
        """
        roots = self._compiled_roots()
        if roots is None:
            return None
        planned = [root for root in roots if root.plan is not None]
        if len(planned) == 1:
            answers = [await self._answer_root(planned[0])]
        else:
            # Their JSON-lane statements of one row run as one (fastpath.together).
            together = Together(len(planned))
            token = TOGETHER.set(together)
            try:
                answers = await asyncio.gather(
                    *(self._answer_root(root, together) for root in planned),
                    return_exceptions=True,
                )
            finally:
                TOGETHER.reset(token)
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
        if any(answer is _NO_ANSWER for answer in answers) or self.collected_errors.errors:
            return None
        for _ in planned:
            STATS.count(fallback=False)
        found = iter(answers)
        typename = self.schema.query_type.name
        return {root.name: typename if root.plan is None else next(found) for root in roots}

    def _compiled_roots(self) -> list[_Root] | None:
        """The operation's root fields, each with its plan (None for `__typename`),
        if every one has a plan and one at least does; else None."""
        roots = self._root_fields()
        query_type = self.schema.query_type
        if roots is None or query_type is None:
            return None
        found: list[_Root] = []
        for name, details in roots:
            nodes = [detail.node for detail in details]
            field_name = nodes[0].name.value
            if field_name == "__typename":
                found.append(_Root(name, None, nodes, None))
                continue
            field_def = query_type.fields.get(field_name)
            if field_def is None or field_def.resolve is None:
                return None
            plan = self.cached_root(get_nullable_type(field_def.type), nodes)
            if plan is None:
                return None
            found.append(_Root(name, field_def, nodes, plan))
        return found if any(root.plan is not None for root in found) else None

    async def _answer_root(self, root: _Root, together: Together | None = None) -> Any:
        """One root field's answer from its resolver and its plan, or `_NO_ANSWER`;
        `together`: the roots it runs beside, told when it is done."""
        try:
            return await self._answer_one(root)
        finally:
            if together is not None:
                together.done()

    async def _answer_one(self, root: _Root) -> Any:
        plan, field_def = root.plan, root.field_def
        assert plan is not None and field_def is not None
        query_type = self.schema.query_type
        path = Path(None, root.name, query_type.name)
        info = self.build_resolve_info(field_def, root.nodes, query_type, path)
        # A list may answer the whole plan as JSON (fastpath.json_lane): only here,
        # where any failure runs the request again the standard way. So may a root
        # list of an interface or union (fastpath.json_nodes), and one object or a
        # plain list of objects (fastpath.json_roots).
        lane = isinstance(plan, ObjectPlan) or (
            plan.item is not None and (plan.item.abstract is not None or plan.item.plan is not None)
        )
        slot = Prebuilt(plan, self) if lane else None
        token = PREBUILT.set(slot)
        try:
            given = self._root_arguments(field_def, root.nodes[0])
            value = self._call_root(field_def, info, given)
            if self.is_awaitable(value):
                value = await value
        except Exception:
            return _NO_ANSWER
        finally:
            PREBUILT.reset(token)
        if value is None or isinstance(value, Exception):
            return _NO_ANSWER
        if slot is not None and slot.answer is not None:
            projected = slot.answer  # written by the JSON lane
        else:
            try:
                projected = await self._project(plan, value)
            except Fallback:
                return _NO_ANSWER
        if self.check and given.converted is not None:
            # The converted arguments are shared by later requests: no resolver may
            # have changed them (the test suite runs every query with this check).
            definition = given.converted.definition
            fresh = _convert(definition, _strawberry_info(info, definition), given.raw)
            if fresh.kwargs != given.converted.kwargs:
                given.converted = None  # not for the next request
                raise AssertionError(f"a resolver changed its arguments: {given.raw!r}")
        return projected

    async def _project(self, plan: ObjectPlan | Completer, value: Any) -> Any:
        """A root field's value completed by its object's plan or its list's completer."""
        if isinstance(plan, ObjectPlan):
            return (await self._complete_objects(plan, [value]))[0]
        return (await self._complete(plan, [value]))[0]

    async def _run(
        self, plan: ObjectPlan | Completer, result: Any, standard: Callable[[], Any]
    ) -> Any:
        try:
            projected = await self._project(plan, result)
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
