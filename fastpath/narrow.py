"""Related rows read column by column: only what a plan's answer shows.

A `related` field's standard path reads every column of each row through its
loader, builds a Tortoise model, then the GraphQL object (`from_row`). For the
50 accounts of a dashboard page that is about 250 us of CPU, where the few
columns the answer shows cost about 45 us to read (measured, bench/).

When every field a plan selects under a related field is an attribute that
`from_row` copies straight from a column (or the global ID of the row's key),
the plan reads just those columns and fills the answer's objects from them,
converted exactly as `fastpath.rows` builds models. That is decided from
`from_row` itself, its source read once: `name=row.name` mirrors a column,
`id=strawberry.ID(encode_id("Account", row.id))` is the row's global ID, and
anything else (a call, a condition, another name) is not a mirror.

A list's own page is read the same way (`NarrowItems`): where the plan of a root
connection field shows only such attributes of its items and keys of their related
fields, the next requests of the same document select only those columns (and the
sort column its cursors name) in the page's own query, visibility included.

The related rows still come from the loader's own query, and only when that is a whole
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
from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from tortoise.fields.data import DatetimeField
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz

from fastpath.batch import BatchLoader
from fastpath.rows import column_reader, is_copy, is_plain


@dataclass(frozen=True)
class Mirror:
    """A GraphQL object's attribute that `from_row` copies from a model attribute,
    as its value or (when `id_of` names a type) as that type's global ID."""

    attribute: str
    id_of: str | None = None
    # `list(row.attr)`: a copy of the column's list (a JSON column's strings).
    listed: bool = False


@dataclass(frozen=True)
class NarrowRows:
    """How to fill the objects of one related field from a few columns."""

    make: Callable[[Any], Any]  # a record -> the GraphQL object (`_filler`)
    model: type[Model]
    columns: tuple[str, ...]  # read through the loader's `columns` (the key first)
    # How each attribute is read from a record: (column, conversion or None for the
    # value as it is, a UTC time taken as it is, the type of a global ID).
    reads: dict[str, tuple[str, Callable[[Any], Any] | None, bool, str | None]]

    async def load(
        self,
        loader: BatchLoader[Any, Any],
        keys: list[Any],
        answer: Callable[[Sequence[Any]], list[Any]] | None = None,
    ) -> dict[Any, Any] | None:
        """The objects by key (a row not found is absent), or None when this
        loader's rows must be read the standard way. With `answer` (records ->
        their answers, `fastpath.assemble`), the answers instead of the objects."""
        rows_of = loader.rows_of
        if rows_of is None or loader.by is not None or not loader.untouched():
            return None
        query = rows_of()
        if query.model is not self.model or not is_plain(query):
            return None
        # Through the loader's columns: another field's columns of the same rows
        # (a job draft's SLA hours) come in the same statement.
        by_id = await loader.columns.by_id(keys, self.columns, plain=self.model)
        present = [key for key in keys if key in by_id]
        records = [by_id[key] for key in present]
        if answer is not None:
            return dict(zip(present, answer(records), strict=True))
        make = self.make
        return {key: make(record) for key, record in zip(present, records, strict=True)}


def narrow_rows(convert: Callable[[Any], Any], attributes: Sequence[str]) -> NarrowRows | None:
    """A plan for objects made by `convert` (a `from_row`) of which only `attributes`
    are read, or None when one of them is no mirror of a column."""
    found = _readers(convert, attributes)
    if found is None:
        return None
    model, target, readers = found
    key = column_reader(model, model._meta.pk_attr)
    assert key is not None  # _readers checked it
    columns = tuple(dict.fromkeys([key[0], *(reader.column for reader in readers)]))
    utc = _utc_default()
    reads = {
        reader.attribute: (
            reader.column,
            None if is_copy(reader.convert) else reader.convert,
            reader.utc_time and utc,
            reader.id_of,
        )
        for reader in readers
    }
    return NarrowRows(_filler(target, readers), model, columns, reads)


@dataclass(frozen=True)
class NarrowItems:
    """How to fill the items of a page from a few columns of the page's own query.

    `columns` are what the page's query selects (`rows.fetch_columns`); `row` shows a
    record as the model row a cursor reads (its sort value and key).
    """

    make: Callable[[Any], Any]  # a record -> the GraphQL object (`_filler`)
    target: type  # the class of those objects
    columns: tuple[str, ...]
    # Model attribute -> its column and how its value becomes the attribute's.
    fields: dict[str, tuple[str, Callable[[Any], Any]]]

    def row(self, record: Any) -> NarrowRow:
        return NarrowRow(self, record)


class NarrowRow:
    """A narrow record seen as its model's row, for the attributes it holds."""

    __slots__ = ("_items", "_record")

    def __init__(self, items: NarrowItems, record: Any) -> None:
        self._items = items
        self._record = record

    def __getattr__(self, name: str) -> Any:
        field = self._items.fields.get(name)
        if field is None:
            raise AttributeError(f"{name!r} is not a column of this narrow row")
        column, convert = field
        return convert(self._record[column])


def narrow_items(
    convert: Callable[[Any], Any], attributes: Sequence[str], also: Sequence[str] = ()
) -> NarrowItems | None:
    """A plan for a page of objects made by `convert` (a `from_row`) of which only
    `attributes` are read, with the model attributes `also` (its sort column) and
    the key (`pk`) at hand for cursors; None when one of them is no mirror, or no
    column."""
    found = _readers(convert, attributes)
    if found is None:
        return None
    model, target, readers = found
    key = model._meta.pk_attr
    fields: dict[str, tuple[str, Callable[[Any], Any]]] = {}
    for field in (key, *also, *(reader.field for reader in readers)):
        column = column_reader(model, field)
        if column is None:
            return None
        fields[field] = column
    fields["pk"] = fields[key]
    columns = tuple(dict.fromkeys(column for column, _ in fields.values()))
    return NarrowItems(_filler(target, readers), target, columns, fields)


def _filler(target: type, readers: Sequence[_Reader]) -> Callable[[Any], Any]:
    """`record -> object of target` with these attributes, as generated source: one
    dict display, as `fastpath.rows.build_model` writes models (a loop over the
    readers cost about twice as much)."""
    names: dict[str, Any] = {
        "new": object.__new__,
        "target": target,
        "setattr_": object.__setattr__,
    }
    utc = _utc_default()
    items = []
    for position, reader in enumerate(readers):
        convert = None if is_copy(reader.convert) else reader.convert
        value = column_read(
            "record", reader.column, convert, reader.utc_time and utc, reader.id_of, names, position
        )
        items.append(f"{reader.attribute!r}: {value}")
    source = (
        "def fill(record):\n"
        "    instance = new(target)\n"
        f"    setattr_(instance, '__dict__', {{{', '.join(items)}}})\n"
        "    return instance\n"
    )
    exec(compile(source, f"<narrow {target.__name__}>", "exec"), names)
    fill: Callable[[Any], Any] = names["fill"]
    return fill


def column_read(
    record: str,
    column: str,
    convert: Callable[[Any], Any] | None,
    utc_time: bool,
    id_of: str | None,
    names: dict[str, Any],
    position: int,
) -> str:
    """Python source of the value a narrow read gives an attribute from `column` of the
    record named `record`: converted as the model converts it (`convert`, None for the
    value as it is), then the global ID of an `id_of` type. The names it uses are put
    in `names` (`position` keeps each reader's own)."""
    names.update(global_id=GLOBAL_ID.encode, datetime_=datetime, utc_=UTC, miss_=_MISS)
    value = f"{record}[{column!r}]"
    members = getattr(convert, "members", None)
    if convert is not None:
        names[f"convert_{position}"] = convert
    if convert is not None and utc_time:
        # PostgreSQL's UTC times are what the model's conversion would make of
        # them but for the tzinfo object (ZoneInfo("UTC")): the same answer,
        # which is all these objects are read for, at a fifth of the cost.
        value = (
            f"(v if (v := {value}).__class__ is datetime_ and v.tzinfo is utc_"
            f" else convert_{position}(v))"
        )
    elif members is not None:
        # An enum column: its member by one dict look-up, without a call.
        names[f"members_{position}"] = members
        value = (
            f"(m if (m := members_{position}.get(v := {value}, miss_)) is not miss_"
            f" else convert_{position}(v))"
        )
    elif convert is not None:
        value = f"convert_{position}({value})"
    if id_of is not None:
        value = f"global_id({id_of!r}, {value})"
    return value


_MISS = object()  # no enum member of this value


class _GlobalId:
    """How the domain encodes a global ID (`accelerate(global_id=...)`): `from_row`
    code calling it on a row's key is read as that column. Unset, no such field is
    read narrow."""

    encode: Callable[[str, Any], str] | None = None


GLOBAL_ID = _GlobalId()


@dataclass(frozen=True)
class _Reader:
    attribute: str  # of the GraphQL object
    field: str  # the model attribute it mirrors
    column: str  # and that attribute's column
    convert: Callable[[Any], Any]  # the column's value as the model attribute's
    id_of: str | None  # the type whose global ID it is, if it is one
    utc_time: bool = False  # a DatetimeField (an aware time in the default zone)


def _utc_default() -> bool:
    """Are models' times in UTC (Tortoise's `use_tz` with the UTC zone)?"""
    zone = get_default_timezone()
    return get_use_tz() and zone.utcoffset(None) == timedelta(0) and str(zone) == "UTC"


def _readers(
    convert: Callable[[Any], Any], attributes: Sequence[str]
) -> tuple[type[Model], type, list[_Reader]] | None:
    """The model `convert` takes, the class it makes, and how to read each of
    `attributes` from a column; None when one is no mirror of a column."""
    mirrors = mirrors_of(convert)
    model = _row_model(convert)
    target = getattr(convert, "__self__", None)
    if model is None or not isinstance(target, type) or not mirrors:
        return None
    if column_reader(model, model._meta.pk_attr) is None:
        return None
    readers = []
    for attribute in attributes:
        mirror = mirrors.get(attribute)
        column = column_reader(model, mirror.attribute) if mirror else None
        if mirror is None or column is None:
            return None
        is_time = isinstance(model._meta.fields_map.get(mirror.attribute), DatetimeField)
        read = functools.partial(_listed, column[1]) if mirror.listed else column[1]
        readers.append(_Reader(attribute, mirror.attribute, column[0], read, mirror.id_of, is_time))
    return model, target, readers


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


def _listed(convert: Callable[[Any], Any], value: Any) -> list[Any]:
    """What `list(row.attr)` makes of a column read as `convert` reads it."""
    return list(convert(value))


def _mirror(value: ast.expr, row_name: str, scope: dict[str, Any]) -> Mirror | None:
    attribute = _row_attribute(value, row_name)
    if attribute is not None:
        return Mirror(attribute)
    # list(row.attr): the builtin (no name of the module shadows it) on a column.
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "list"
        and "list" not in scope
        and len(value.args) == 1
        and not value.keywords
    ):
        attribute = _row_attribute(value.args[0], row_name)
        return Mirror(attribute, listed=True) if attribute is not None else None
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
        _resolve(inner.func, scope) is not GLOBAL_ID.encode
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
