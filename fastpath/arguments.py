"""A resolver's arguments as Strawberry converts them, worked out once and reused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLResolveInfo,
)
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import get_arguments

_SOURCE: Any = object()  # where the object goes among a resolver's arguments


class ViewerPermission(BasePermission):
    """A permission decided by the viewer alone, never by the object it guards.

    The engine checks a field guarded only by such permissions once for a whole
    list instead of once per object. A check that reads `source` must not be one.
    """


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


# Per field definition: (the definition, `_viewer_gate`): its extensions are fixed once
# the schema is built, and a root field's gate is asked on every request.
_gates: dict[int, tuple[Any, list[Any] | None]] = {}


def _viewer_gate(definition: Any) -> list[Any] | None:
    """The permissions of a resolver field guarded by viewer permissions only, else None."""
    known = _gates.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_gates) > 4096:
            _gates.clear()
        known = (definition, _find_viewer_gate(definition))
        _gates[id(definition)] = known
    return known[1]


def _find_viewer_gate(definition: Any) -> list[Any] | None:
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
