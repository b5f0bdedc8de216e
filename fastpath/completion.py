"""Completing a batch of objects from their plan: resolve every field of a level
together, then every nested value, then assemble the answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    Undefined,
)
from graphql.execution.values import get_argument_values

from fastpath.abstract import runtime_type
from fastpath.answers import STATS
from fastpath.arguments import _SOURCE, _convert
from fastpath.leaves import (
    _NO_INFO,
    _ROOT_PATH,
    _Answered,
    _close_all,
    _complete_leaves,
    _completer_of,
    _origin,
    _together,
)
from fastpath.objects import Made
from fastpath.plans import Abstract, Completer, Fallback, FieldPlan, ObjectPlan, _present


class Completion:
    """Executor mixin: running a plan over a batch of objects, level by level."""

    context_value: Any
    variable_values: Any
    hide_suggestions: bool
    is_awaitable: Any
    build_resolve_info: Any
    schema: Any
    type_resolver: Any
    _abstract_plan: Any  # Compiler's

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
        strawberry_schema = raw.schema._strawberry_schema
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
        if completer.abstract is not None:
            return await self._complete_abstract(completer, completer.abstract, values)
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

    async def _complete_abstract(
        self, completer: Completer, abstract: Abstract, values: list[Any]
    ) -> list[Any]:
        """Values of an interface or union: each one's runtime type resolved as
        graphql-core resolves it, the values of each type completed together by that
        type's plan, the answers put back in the values' order."""
        out: list[Any] = [None] * len(values)
        groups: dict[str, tuple[ObjectPlan, list[int], list[Any]]] = {}
        info = None
        for position, value in enumerate(values):
            if not _present(completer, value):
                continue
            if info is None:
                # One resolve info for the batch, as for resolvers (`_call_resolvers`).
                info = self.build_resolve_info(
                    abstract.field_def,
                    [details.node for details in abstract.details],
                    abstract.parent_type,
                    _ROOT_PATH,
                )
            found = runtime_type(abstract, value, info, self.schema, self.type_resolver)
            group = groups.get(found.name)
            if group is None:
                group = groups[found.name] = (self._abstract_plan(abstract, found), [], [])
            group[1].append(position)
            group[2].append(value)
        if groups:
            done = await _together(
                [self._complete_objects(plan, objects) for plan, _, objects in groups.values()]
            )
            for (_, positions, _), answers in zip(groups.values(), done, strict=True):
                for position, answer in zip(positions, answers, strict=True):
                    out[position] = answer
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
