"""A JSON-lane page's statement, kept whole: run once by `json_lane.answer_page`, and
again by a remembered request (`fastpath.replay`) with the clock and the gate's proof
read anew."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from fastpath import replay
from fastpath.json_shape import connection_json
from fastpath.proven import fetch_proven, open_proof

if TYPE_CHECKING:
    from fastpath.json_lane import JsonPage, Order


@dataclass
class PageStatement:
    """A page's statement as `answer_page` built it from the list's query, and how its
    rows make the connection; a remembered request runs it again as it is
    (`fastpath.replay`), the clock and the gate's proof read afresh each time."""

    page: JsonPage
    db: Any
    page_sql: str
    count_sql: str
    by: Order
    values: list[Any]  # of the page and its count; never changed
    size: int
    has_previous: bool
    cursor: Callable[[int, Any], str]

    async def rows(self) -> Any:
        """The statement's rows, read now."""
        page, values = self.page, self.values
        clock = page.clock
        if clock is not None:
            values = [*values, replay.read_clock(clock)]
        gate, proof, proof_values = open_proof() or (None, "", [])
        sql = page.statement(self.page_sql, self.count_sql, self.by, proof)
        if gate is not None:
            values = [*values, *proof_values]
        return await fetch_proven(self.db, sql, values, proven=gate, one_row=page.aggregate)

    @staticmethod
    def _items(rows: Any) -> list[Any]:
        """The rows that are items (a count's row of an empty page is not)."""
        return [row for row in rows if row["item_"] is not None]

    def records(self, rows: Any) -> list[Any]:
        """The page's items' rows (one more is read where a next page may be shown)."""
        return self._items(rows)[: self.size]

    def finish(self, rows: Any, items: list[bytes] | None = None, total: int | None = None) -> Any:
        """The connection of these rows: its items written by the database unless given
        (`items`), its count the statement's unless given (`total`)."""
        page = self.page
        if total is None:
            total = int(rows[0]["count_"]) if self.count_sql and rows else 0
        if page.aggregate:
            listed = rows[0]["items_"] if rows and rows[0]["items_"] is not None else "[]"
            text = connection_json(
                page.shape, [], [], more=False, before=False, total=total, listed=listed
            )
        else:
            found = self._items(rows)
            more = len(found) > self.size
            records = found[: self.size]
            if items is None:
                items = [row["item_"].encode() for row in records]
            cursor = self.cursor
            marks = (
                [orjson.dumps(cursor(at, row)) for at, row in enumerate(records)]
                if page.cursors
                else []
            )
            text = connection_json(
                page.shape, items, marks, more=more, before=self.has_previous, total=total
            )
        return orjson.Fragment(text)

    async def answer(self) -> Any:
        """The connection as the database says it is now (`fastpath.replay`)."""
        return self.finish(await self.rows())


def lends_by_statement(db: Any) -> bool:
    """Does `db` borrow a connection of the pool for each statement (so `replay` counts
    each), as a lean pool's client outside a transaction does?"""
    passes = getattr(db, "passes", None)
    return passes is not None and bool(passes())
