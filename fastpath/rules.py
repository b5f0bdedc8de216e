"""The rules a domain type must follow for the engine, checked when the schema is built.

A broken rule used to surface as "Unexpected error" in some user's request (and only
from a document's second send); here it stops start-up, naming the type and field:

- a `related` field: its object has the key attribute; its type is one class with a
  `from_row` classmethod;
- a `batched` field: its batch function declares what it reads of each source
  (`Sequence[<Protocol>]`), and the object has each of those attributes;
- a `ViewerPermission`: its `has_permission` never looks at the object it guards
  (the engine checks it once for a whole list).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from typing import Any

from fastpath.arguments import ViewerPermission
from fastpath.declare import _BATCHED_KEY, _METADATA_KEY, Batched, LoadedBy, row_type


class RuleBroken(TypeError):
    """A type or field the engine cannot answer as declared."""


def check_rules(schema: Any) -> None:
    """Raise RuleBroken for the first type or field of `schema` that breaks a rule."""
    checked: set[type] = set()
    for graphql_type in schema._schema.type_map.values():
        definition = getattr(graphql_type, "extensions", {}).get("strawberry-definition")
        if definition is None or not hasattr(definition, "fields"):
            continue
        attributes = _attributes(definition.origin)
        for field in definition.fields:
            where = f"{definition.name}.{field.python_name}"
            metadata = field.metadata or {}
            loaded = metadata.get(_METADATA_KEY)
            if isinstance(loaded, LoadedBy):
                _check_related(where, loaded, attributes, field)
            batch = metadata.get(_BATCHED_KEY)
            if isinstance(batch, Batched):
                _check_batched(where, batch, attributes)
            for permission in field.permission_classes or ():
                if issubclass(permission, ViewerPermission) and permission not in checked:
                    checked.add(permission)
                    _check_viewer_only(where, permission)


def _attributes(origin: Any) -> set[str]:
    if dataclasses.is_dataclass(origin):
        return {field.name for field in dataclasses.fields(origin)}
    return set(getattr(origin, "__annotations__", {}))


def _check_related(where: str, loaded: LoadedBy, attributes: set[str], field: Any) -> None:
    if loaded.key not in attributes:
        raise RuleBroken(f"{where}: related to `{loaded.key}`, which its type does not have")
    made_as = row_type(field.type)
    if not isinstance(made_as, type) or not callable(getattr(made_as, "from_row", None)):
        raise RuleBroken(f"{where}: a related field's type needs a `from_row` classmethod")


def _check_batched(where: str, batch: Batched, attributes: set[str]) -> None:
    try:
        reads = batch.reads
    except (TypeError, NameError) as error:
        raise RuleBroken(f"{where}: {error}") from None
    missing = sorted(set(reads) - attributes)
    if missing:
        raise RuleBroken(f"{where}: its batch reads {missing}, which its type does not have")


def _check_viewer_only(where: str, permission: type) -> None:
    method = permission.__dict__.get("has_permission")
    if method is None:
        return  # inherited: checked where it is defined
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    source = function.args.args[1].arg if len(function.args.args) > 1 else None
    used = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
    if source is not None and source in used:
        raise RuleBroken(
            f"{where}: {permission.__name__} is a ViewerPermission but reads `{source}`"
        )
