"""Related rows read column by column: only what a plan's answer shows.

A `related` field's standard path reads every column of each row through its
loader, builds a Tortoise model, then the GraphQL object (`from_row`). For the
50 accounts of a dashboard page that is about 250 us of CPU, where the few
columns the answer shows cost about 45 us to read (measured, bench/).

When every field a plan selects under a related field is an attribute that
`from_row` copies straight from a column (or the global ID of the row's key),
the plan reads just those columns and fills the answer's objects from them,
converted exactly as `models.rows` builds models. That is decided from
`from_row` itself, its source read once: `name=row.name` mirrors a column,
`id=strawberry.ID(encode_id("Account", row.id))` is the row's global ID, and
anything else (a call, a condition, another name) is not a mirror.

The rows still come from the loader's own query, and only when that is a whole
table (`rows.is_plain`, the staff's view); a narrowed visibility query, or a
loader that something else already used in this operation, goes the standard
way. So do plans whose fields run resolvers: a resolver may load the same rows,
and its loader would then read them a second time.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from tortoise.models import Model

from loaders.batch import BatchLoader
from models.ids import global_id
from models.rows import column_reader, is_plain
from models.statements import Select, columns_by_ids


@dataclass(frozen=True)
class Mirror:
    """A GraphQL object's attribute that `from_row` copies from a model attribute,
    as its value or (when `id_of` names a type) as that type's global ID."""

    attribute: str
    id_of: str | None = None


@dataclass(frozen=True)
class NarrowRows:
    """How to fill the objects of one related field from a few columns."""

    target: type  # the GraphQL object's class
    readers: tuple[tuple[str, int, Callable[[Any], Any], str | None], ...]
    # Its own statement (its columns: the key first), kept as long as its plan:
    # column lists follow what clients select, so a process-wide cache of them
    # would grow with every new selection.
    select: Select[Any]

    async def load(self, loader: BatchLoader[Any, Any], keys: list[Any]) -> dict[Any, Any] | None:
        """The objects by key (None for a row not found), or None when this
        loader's rows must be read the standard way."""
        rows_of = loader.rows_of
        if rows_of is None or not loader.untouched():
            return None
        query = rows_of()
        if query.model is not self.select.model or not is_plain(query):
            return None
        records = await self.select.records(keys)
        new, target, readers = object.__new__, self.target, self.readers
        columns = self.select.columns or ()
        found: dict[Any, Any] = dict.fromkeys(keys)
        for record in records:
            values = tuple(record[column] for column in columns)
            instance: Any = new(target)
            state = instance.__dict__
            for attribute, position, convert, id_of in readers:
                value = convert(values[position])
                state[attribute] = value if id_of is None else global_id(id_of, value)
            found[values[0]] = instance
        return found


def narrow_rows(convert: Callable[[Any], Any], attributes: Sequence[str]) -> NarrowRows | None:
    """A plan for objects made by `convert` (a `from_row`) of which only `attributes`
    are read, or None when one of them is no mirror of a column."""
    mirrors = mirrors_of(convert)
    model = _row_model(convert)
    target = getattr(convert, "__self__", None)
    if model is None or not isinstance(target, type) or not mirrors:
        return None
    key = column_reader(model, model._meta.pk_attr)
    if key is None:
        return None
    columns = [key[0]]
    readers = []
    for attribute in attributes:
        mirror = mirrors.get(attribute)
        column = column_reader(model, mirror.attribute) if mirror else None
        if mirror is None or column is None:
            return None
        if column[0] not in columns:
            columns.append(column[0])
        readers.append((attribute, columns.index(column[0]), column[1], mirror.id_of))
    return NarrowRows(target, tuple(readers), columns_by_ids(model, tuple(columns)))


@functools.cache
def mirrors_of(convert: Callable[[Any], Any]) -> dict[str, Mirror]:
    """What `from_row` copies: its body must be one `return cls(name=..., ...)`."""
    function = getattr(convert, "__func__", convert)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return {}
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef) or len(definition.args.args) != 2:
        return {}
    cls_name, row_name = (argument.arg for argument in definition.args.args)
    body = definition.body
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return {}
    call = body[0].value
    if (
        not isinstance(call, ast.Call)
        or not isinstance(call.func, ast.Name)
        or call.func.id != cls_name
        or call.args
    ):
        return {}
    scope = function.__globals__
    found: dict[str, Mirror] = {}
    for keyword in call.keywords:
        mirror = _mirror(keyword.value, row_name, scope)
        if keyword.arg is not None and mirror is not None:
            found[keyword.arg] = mirror
    return found


def _mirror(value: ast.expr, row_name: str, scope: dict[str, Any]) -> Mirror | None:
    attribute = _row_attribute(value, row_name)
    if attribute is not None:
        return Mirror(attribute)
    # strawberry.ID(encode_id("Type", row.id)): the row's global ID.
    if not (isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords):
        return None
    if _resolve(value.func, scope) is not strawberry.ID:
        return None
    inner = value.args[0]
    if not (isinstance(inner, ast.Call) and len(inner.args) == 2 and not inner.keywords):
        return None
    type_name, key = inner.args
    attribute = _row_attribute(key, row_name)
    if (
        _resolve(inner.func, scope) is not global_id
        or not isinstance(type_name, ast.Constant)
        or not isinstance(type_name.value, str)
        or attribute is None
    ):
        return None
    return Mirror(attribute, id_of=type_name.value)


def _row_attribute(value: ast.expr, row_name: str) -> str | None:
    if (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Name)
        and value.value.id == row_name
    ):
        return value.attr
    return None


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    """What a name or dotted name of the function's module refers to."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, scope), node.attr, None)
    return None


def _row_model(convert: Callable[[Any], Any]) -> type[Model] | None:
    """The model `from_row` takes, from its annotation."""
    function = getattr(convert, "__func__", convert)
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # an annotation that does not resolve: no plan
        return None
    names = [name for name in inspect.signature(function).parameters if name not in ("cls",)]
    model = hints.get(names[0]) if names else None
    return model if isinstance(model, type) and issubclass(model, Model) else None
