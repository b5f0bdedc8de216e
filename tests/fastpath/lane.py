"""What the JSON-lane tests share: reading a document until the fast path answers it,
and telling the lane's statements from the others."""

from __future__ import annotations

from typing import Any

from tests.client import GraphQLClient
from tests.conftest import StatementCounter

# Every statement the JSON lane writes builds objects with this (pages, nodes, rows).
LANE = "json_build_object"


def lane_statements(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if LANE in sql]


def reading(counter: StatementCounter, *tables: str) -> list[str]:
    """Statements of their own reading any of `tables` (the lane reads them inside)."""
    return [
        sql
        for sql in counter.statements
        if LANE not in sql and any(f'FROM "{table}"' in sql for table in tables)
    ]


async def read_three_times(
    gql: GraphQLClient,
    counter: StatementCounter,
    document: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """Read three times (admitted, compiled, then fast): the last answer's data; the
    counter holds the last read's statements only."""
    data: dict[str, Any] = {}
    for _ in range(3):
        counter.statements.clear()
        data = await gql(document, variables, token=token)
    return data
