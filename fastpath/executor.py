"""The executor: graphql-core's, with the objects of queries completed from plans."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    get_nullable_type,
    is_object_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from fastpath.answers import CHECKING, STATS, same_answer
from fastpath.arguments import RootArguments, _convert, _strawberry_info, _viewer_gate
from fastpath.compiler import Compiler
from fastpath.completion import Completion
from fastpath.json_lane import PREBUILT, Prebuilt
from fastpath.keys import _MAX_PLANS, _root_candidate, arguments_key
from fastpath.plans import Fallback, ObjectPlan
from fastpath.shared_events import SharedEventExecution

log = logging.getLogger("docket.projection")


class ProjectingExecutor(
    SharedEventExecution, Compiler, Completion, StrawberryGraphQLCoreExecutionContext
):
    """graphql-core's executor, with compiled completion for the objects of queries
    (and subscription events shared between subscribers, see `shared_events`)."""

    check = False  # EXECUTION_CHECK: also complete the standard way and compare

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
        # A list may answer the whole plan as JSON (fastpath.json_lane): only here,
        # where any failure runs the request again the standard way.
        slot = Prebuilt(plan)
        token = PREBUILT.set(slot)
        try:
            given = self._root_arguments(field_def, node)
            value = self._call_root(field_def, info, given)
            if self.is_awaitable(value):
                value = await value
        except Exception:
            return None
        finally:
            PREBUILT.reset(token)
        if value is None or isinstance(value, Exception):
            return None
        if slot.answer is not None:
            if self.collected_errors.errors:
                return None
            STATS.count(fallback=False)
            return {name: slot.answer}
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
