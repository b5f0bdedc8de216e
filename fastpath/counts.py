"""A list's count kept elsewhere: the sum of a column over a query's rows.

A list whose total the domain keeps up to date (a tally the database maintains)
passes `SumOf(query, column)` as its count. Awaited, it is one statement; the JSON
lane (`fastpath.json_lane`) writes the same sum inside the page's own statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Sum


@dataclass
class SumOf:
    """The count: SUM(`column`) over the rows of `query` (0 for none), read once."""

    query: Any  # a Tortoise QuerySet
    column: str  # a column of its model
    _found: list[int] = field(default_factory=list)

    async def __call__(self) -> int:
        if not self._found:
            rows = await self.query.annotate(total_=Sum(self.column)).values("total_")
            self._found.append(int(rows[0]["total_"] or 0) if rows else 0)
        return self._found[0]
