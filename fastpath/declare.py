"""How a domain type declares fields the engine answers in bulk, each in one place:

- `related(key, loader)`: the row a foreign key names, read through a per-request
  loader and made into the field's type by that type's `from_row`;
- `batched(resolve)`: a value computed for a whole list of objects by one call,
  optionally also `written` in SQL, for the JSON lane to have the database write it;
- `derived(resolve, sql=...)`: a leaf computed from the object's own columns, with the
  same value as SQL over its row, for the JSON lane.

Each gives the field both its standard resolver and what the engine needs to answer
it for a whole list at once, so the two can never disagree.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.types.base import StrawberryContainer
from strawberry.types.lazy_type import LazyType

_METADATA_KEY = "fastpath_loaded_by"
_BATCHED_KEY = "fastpath_batched"
_DERIVED_KEY = "fastpath_derived"


@dataclass(frozen=True)
class LoadedBy:
    """A field whose value is the row of a foreign key (see `related`): `key` is the
    object's attribute holding the key, `loader` the request's loader of those rows."""

    key: str
    loader: str
    # The related model's attribute the loader looks rows up by (a unique column), when
    # it is not their primary key: a job by its service request's key.
    by: str | None = None


def row_type(field_type: Any) -> Any:
    """The class a related field's type names (`Account` of `Account | None`, and of a
    lazy reference to it)."""
    while isinstance(field_type, StrawberryContainer):
        field_type = field_type.of_type
    if isinstance(field_type, LazyType):
        return field_type.resolve_type()
    return field_type


def related(key: str, loader: str, *, by: str | None = None, **options: Any) -> Any:
    """A field whose value is the row the object's `key` names, read through the
    request's loader `loader` and made by the field's type's own `from_row`; null
    where the key is. Its type is the attribute's annotation:

        account: Account | None = related("account_id", "accounts_by_id", description=...)

    `by`: the related model's unique attribute `loader` looks rows up by, where it is
    not their key (the loader says so too, `BatchLoader(by=...)`).
    `options` are `strawberry.field`'s (description, permission_classes ...).
    """
    spec = LoadedBy(key, loader, by)

    async def resolve(root: strawberry.Parent[Any], info: strawberry.Info) -> Any:
        return await load_related(info, spec, getattr(root, key), row_type(info._field.type))

    resolve.__name__ = f"load_{key}"
    return strawberry.field(resolver=resolve, metadata={_METADATA_KEY: spec}, **options)


async def load_related(info: Any, spec: LoadedBy, key: int | None, made_as: Any) -> Any:
    """What a related field answers for one object (the plan does it for a list)."""
    if key is None:
        return None
    row = await getattr(info.context.loaders, spec.loader).load(key)
    return made_as.from_row(row) if row is not None else None


@dataclass(frozen=True)
class Written:
    """A batched field's object as the database writes it (the JSON lane), declared by
    the domain beside the Python that computes it, so the lane needs no Python per item.

    `given` is a SELECT over the item's row (`{row}`) giving one row of inputs, or none
    where the field is null; `values` gives each attribute of the made object as SQL
    over `{row}`, the inputs (`{given}`) and the request's clock (`{now}`, the value of
    `clock()`), with a Tortoise field saying how its values are written (an enum's
    type, a date, a time). `columns` are the item's columns it reads, `reads` the
    loaders (and their models) whose whole tables `given` reads: the lane writes it
    only where those loaders read the whole table for the viewer, as for a related row.
    """

    given: str
    values: dict[str, tuple[str, Any]]
    columns: tuple[str, ...]
    reads: tuple[tuple[str, type], ...]
    clock: Callable[[], Any]


@dataclass(frozen=True)
class Listed:
    """A batched field's list as the database writes it (the JSON lane), declared by the
    domain beside the Python that computes it.

    `rows` is a SELECT over the item's row (`{row}`) of the rows listed: for a list of
    objects, rows of the table `made_by` (the field's type's `from_row`) makes them
    from; for a list of leaves, a column `value_` whose values are those of the
    Tortoise field `written_as`. `order` is the list's order as SQL over those rows
    (`{listed}`), exactly as the Python orders it (codepoints: `COLLATE "C"`).
    `columns` are the item's columns `rows` reads, `reads` the loaders (and their
    models) whose whole tables it stands for, as Written's.
    """

    rows: str
    order: str
    columns: tuple[str, ...]
    reads: tuple[tuple[str, type], ...] = ()
    made_by: Callable[[Any], Any] | None = None
    written_as: Any = None


@dataclass(frozen=True)
class Batched:
    """A field whose values for a list of objects come from one call (see `batched`).

    `resolve(info, sources)` returns one value per source, in order. What it reads of
    each source is what its `sources` parameter's item type declares (a Protocol's
    attributes): `reads`, worked out once.
    """

    resolve: Callable[[Any, Sequence[Any]], Awaitable[Sequence[Any]]]
    # The class every value `resolve` gives is an instance of (else None), so their
    # type check is known to pass (see Completer.trusted).
    makes: type | None = None
    # The same values written by the database, where the JSON lane can (see Written,
    # Listed).
    written: Written | Listed | None = None
    _reads: list[tuple[str, ...]] = field(default_factory=list, compare=False)

    @property
    def reads(self) -> tuple[str, ...]:
        if not self._reads:
            self._reads.append(reads_of(self.resolve))
        return self._reads[0]


def reads_of(resolve: Callable[..., Any]) -> tuple[str, ...]:
    """The attributes a batch function reads of each source: those its second
    parameter's item type declares (`requests: Sequence[DraftSource]`)."""
    hints = typing.get_type_hints(resolve)
    parameters = [name for name in resolve.__code__.co_varnames[: resolve.__code__.co_argcount]]
    if len(parameters) < 2 or parameters[1] not in hints:
        raise TypeError(f"{resolve.__qualname__}: annotate its sources as Sequence[<Protocol>]")
    item = typing.get_args(hints[parameters[1]])
    if len(item) != 1 or not isinstance(item[0], type):
        raise TypeError(f"{resolve.__qualname__}: annotate its sources as Sequence[<Protocol>]")
    return tuple(typing.get_type_hints(item[0]))


def batched(
    resolve: Callable[[Any, Sequence[Any]], Awaitable[Sequence[Any]]],
    *,
    makes: type | None = None,
    written: Written | Listed | None = None,
    **options: Any,
) -> Any:
    """A field whose value `resolve(info, sources)` computes for a whole list of objects
    at once (one value per source, in order); for one object, a list of one.
    `makes`: the class every value is made as, if one; `written`: the same values as
    SQL (see Written, Listed), which must agree with `resolve` (EXECUTION_CHECK compares them).
    `options` are `strawberry.field`'s (description, permission_classes ...)."""
    spec = Batched(resolve, makes, written)

    async def resolve_one(root: strawberry.Parent[Any], info: strawberry.Info) -> Any:
        [value] = await spec.resolve(info, [root])
        return value

    resolve_one.__name__ = resolve.__name__
    return strawberry.field(resolver=resolve_one, metadata={_BATCHED_KEY: spec}, **options)


@dataclass(frozen=True)
class Derived:
    """A leaf's value as SQL over the object's row (`{row}`): `written_as` is the Tortoise
    field whose values it has (how the lane writes them), `columns` the row's columns it
    reads."""

    sql: str
    written_as: Any
    columns: tuple[str, ...]


def derived(
    resolve: Callable[..., Any],
    *,
    sql: str,
    written_as: Any,
    columns: tuple[str, ...],
    **options: Any,
) -> Any:
    """A leaf field `resolve(root)` computes from the object's own attributes (synchronous,
    reading nothing else), declared with the same value as SQL over the object's row
    (see Derived), which must agree with it (EXECUTION_CHECK compares them): the JSON
    lane writes it where it writes the object. `options` are `strawberry.field`'s."""
    spec = Derived(sql, written_as, columns)
    return strawberry.field(resolver=resolve, metadata={_DERIVED_KEY: spec}, **options)
