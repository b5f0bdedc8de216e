"""A list's count kept elsewhere: the sum of a column over a query's rows.

A list whose total the domain keeps up to date (a tally the database maintains)
passes `SumOf(query, column)` as its count. Awaited, it is one statement; the JSON
lane (`fastpath.json_lane`) writes the same sum inside the page's own statement.
A list that shows no `totalCount` never reads it: `SumOf.of(make, column)` builds
its query only when it is first read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise.functions import Sum


class SumOf:
    """The count: SUM(`column`) over the rows of `query` (0 for none), read once."""

    __slots__ = ("_found", "_make", "_query", "column")

    def __init__(self, query: Any, column: str) -> None:
        self._query = query  # a Tortoise QuerySet
        self._make: Callable[[], Any] | None = None
        self.column = column  # a column of its model
        self._found: list[int] = []

    @classmethod
    def of(cls, make: Callable[[], Any], column: str) -> SumOf:
        """The sum over the rows of the query `make()` builds, when it is first read."""
        made = cls(None, column)
        made._make = make
        return made

    @property
    def query(self) -> Any:
        if self._query is None and self._make is not None:
            self._query = self._make()
        return self._query

    async def __call__(self) -> int:
        if not self._found:
            rows = await self.query.annotate(total_=Sum(self.column)).values("total_")
            self._found.append(int(rows[0]["total_"] or 0) if rows else 0)
        return self._found[0]
