"""Statements on every request's path, with their SQL written once per database.

Tortoise builds a query's SQL anew on every call (filters into pypika terms,
terms into text), then reshapes each row into a model: about 280 us of CPU a
statement, measured, where asyncpg itself needs about 60. Signing in a bearer
token takes a statement on every request and the loaders' rows by ID one per
relation, so those are declared here once, as a `Select` with `{}` for its
parameters, rendered for the connection's dialect on first use and run through
the same connection (so transactions, logging and statement counts are
Tortoise's own), and their rows become models as `fastpath.rows` builds them.
A statement that joins tables is a `Statement`, written whole for each dialect;
`aliased_columns` and `aliased_model` read the models of its joined rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from tortoise.models import Model

from fastpath.rows import build_model

M = TypeVar("M", bound=Model)

# Parameter markers by Tortoise dialect: asyncpg numbers them, sqlite3 does not.
_NUMBERED = {"postgres": True, "sqlite": False}
_MAX_SHAPES = 256  # IN lists of each length are their own SQL text


class Select(Generic[M]):
    """`SELECT <every column of model> FROM <its table> WHERE <where> [LIMIT n]`.

    `where` names columns and marks each parameter with `{}`; a parameter given as
    a list or tuple becomes that many markers (for `IN ({})`).
    """

    def __init__(
        self,
        model: type[M],
        where: str,
        *,
        limit: int | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> None:
        self.model = model
        self.where = where
        self.limit = limit
        # Only these columns (`records`), or every column of the model (`rows`).
        self.columns = columns
        self._sql: dict[tuple[str, tuple[int, ...]], str] = {}

    async def rows(self, *values: Any) -> list[M]:
        if self.columns is not None:
            raise TypeError("models are built from every column: use records()")
        build = build_model(self.model)
        return [build(row) for row in await self.records(*values)]

    async def records(self, *values: Any) -> list[Any]:
        """The database's rows as they come (mappings of column to value)."""
        if any(isinstance(v, (list, tuple)) and not v for v in values):
            return []  # `IN ()` matches nothing (and is not SQL)
        db = self.model._meta.db
        shape = tuple(len(v) if isinstance(v, (list, tuple)) else -1 for v in values)
        key = (db.capabilities.dialect, shape)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._render(key[0], shape)
        flat: list[Any] = []
        for value in values:
            if isinstance(value, (list, tuple)):
                flat.extend(value)
            else:
                flat.append(value)
        _, found = await db.execute_query(sql, flat)
        return list(found)

    async def first(self, *values: Any) -> M | None:
        found = await self.rows(*values)
        return found[0] if found else None

    def _render(self, dialect: str, shape: tuple[int, ...]) -> str:
        marker = _marker(dialect)
        markers = [
            marker() if length < 0 else ",".join(marker() for _ in range(length))
            for length in shape
        ]
        meta = self.model._meta
        columns = ",".join(f'"{column}"' for column in self.columns or meta.db_fields)
        sql = f'SELECT {columns} FROM "{meta.db_table}" WHERE {self.where.format(*markers)}'
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        if len(self._sql) >= _MAX_SHAPES:
            self._sql.clear()
        self._sql[(dialect, shape)] = sql
        return sql


def _marker(dialect: str) -> Callable[[], str]:
    """The next parameter marker of a statement, at each call."""
    numbered = _NUMBERED.get(dialect)
    if numbered is None:
        raise NotImplementedError(f"no statements for the {dialect} dialect")
    position = 0

    def marker() -> str:
        nonlocal position
        position += 1
        return f"${position}" if numbered else "?"

    return marker


class Statement:
    """Any statement, written whole: `write(dialect)` returns its text for a Tortoise
    dialect ("postgres", "sqlite"), with `{}` for each parameter (no other braces).

    `write` is called on the first run on each dialect, once Tortoise is set up (so it
    may list a model's columns: `aliased_columns`); the text is kept. The statement
    runs through the connection of `model` (any model of the database it reads).
    """

    def __init__(self, model: type[Model], write: Callable[[str], str]) -> None:
        self.model = model
        self.write = write
        self._sql: dict[str, str] = {}

    async def records(self, *values: Any) -> list[Any]:
        """The database's rows as they come (mappings of column to value)."""
        db = self.model._meta.db
        dialect = db.capabilities.dialect
        sql = self._sql.get(dialect)
        if sql is None:
            sql = self._sql[dialect] = self._render(dialect)
        _, found = await db.execute_query(sql, list(values))
        return list(found)

    def _render(self, dialect: str) -> str:
        text = self.write(dialect)
        marker = _marker(dialect)
        return text.format(*(marker() for _ in range(text.count("{}"))))


def aliased_columns(model: type[Model], alias: str) -> str:
    """Every column of `model` read from the table named `alias` in a statement, each
    as `<alias>_<column>` (what `aliased_model` reads)."""
    return ",".join(f'"{alias}"."{column}" AS "{name}"' for column, name in _aliases(model, alias))


def aliased_model(model: type[M], alias: str) -> Callable[[Mapping[str, Any]], M | None]:
    """The model of a row's `aliased_columns(model, alias)`, or None where its primary
    key is NULL (an outer join found no row)."""
    key = f"{alias}_{model._meta.db_pk_column}"

    def build(row: Mapping[str, Any]) -> M | None:
        if row[key] is None:
            return None
        own = {column: row[name] for column, name in _aliases(model, alias)}
        return build_model(model)(own)

    return build


@functools.cache
def _aliases(model: type[Model], alias: str) -> tuple[tuple[str, str], ...]:
    # Read once Tortoise is set up: foreign key columns join the model's fields then.
    return tuple((column, f"{alias}_{column}") for column in sorted(model._meta.db_fields))


@functools.cache
def by_ids(model: type[M]) -> Select[M]:
    """Rows of `model` by primary key: `rows([ids])`."""
    return columns_by_ids(model, None)


def columns_by_ids(model: type[M], columns: tuple[str, ...] | None) -> Select[M]:
    """`records([ids])` of these columns of `model`, by primary key (not cached here:
    the caller keeps it as long as it needs it)."""
    return Select(model, f'"{model._meta.db_pk_column}" IN ({{}})', columns=columns)
