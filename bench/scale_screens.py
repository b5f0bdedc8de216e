"""The screens bench.scale measures at each size, and the exact counts they must answer.

The dashboard is bench.run's DASHBOARD (the first 50 OPEN requests by last change);
"page" is that document as it is, the reference every other screen is divided by.
The account page is the conformance corpus's AccountPage as Apollo sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.common import ROOT
from bench.scenario import Scenario
from schema.relay.ids import encode_id

ROW = """nodes { id status note createdAt updatedAt type { name } account { name number }
            assignee { name } contact { name email } }"""
# bench.run.DASHBOARD, with room for a filter and for totalCount.
LIST = """query Dashboard($first: Int!, $filter: AccountRequestFilter!) {
  accountRequests(first: $first, filter: $filter,
                  orderBy: {field: UPDATED_AT, direction: DESC}) {
    %s
    %s
  }
}"""
COUNTS = """query Counts($filter: AccountRequestFilter) {
  accountRequestCounts(filter: $filter) { total byStatus { status count } }
}"""
ACCOUNT_PAGE = ROOT / "tests" / "conformance" / "documents" / "apollo" / "AccountPage.graphql"

OPEN = {"statuses": ["OPEN"]}
# A word of one note in eight (12.5 % of the requests), and one account's name
# (1 in 2,000): what people type into the search box.
SEARCH_WORD = "warehouse"
SEARCH_ACCOUNT = "Dental Tran 0427"
ACCOUNT = 427
TYPE = 3
ASSIGNEE = 10  # the first technician


@dataclass(frozen=True)
class Screen:
    scenario: Scenario
    # An exact count the answer must hold: (path to it in `data`, SQL giving it).
    count: tuple[tuple[str, ...], str] | None = None
    # Only in the second table (counts under other filters), not in the targets.
    extra: bool = False


def _list(name: str, flt: dict[str, Any], total: bool, sql: str | None, extra: bool) -> Screen:
    query = LIST % ("totalCount" if total else "", ROW)
    scenario = Scenario(name, query, {"first": 50, "filter": flt}, "", 50)
    count = (("accountRequests", "totalCount"), sql) if total and sql else None
    return Screen(scenario, count, extra)


def screens() -> list[Screen]:
    account_id = encode_id("Account", ACCOUNT)
    by_type = {**OPEN, "typeIds": [encode_id("AccountRequestType", TYPE)]}
    by_assignee = {"assigneeIds": [encode_id("User", ASSIGNEE)]}
    by_account = {"accountIds": [account_id]}
    where = "SELECT count(*) FROM account_requests WHERE "
    return [
        _list("page", OPEN, False, None, False),
        _list("dashboard+totalCount", OPEN, True, where + "status = 'OPEN'", False),
        _list("search", {"search": SEARCH_WORD}, False, None, False),
        Screen(
            Scenario(
                "account page",
                ACCOUNT_PAGE.read_text(),
                {"id": account_id, "requestsFirst": 10},
                "",
                10,
            ),
            (
                ("account", "accountRequests", "totalCount"),
                where + f"account_id = {ACCOUNT}",
            ),
        ),
        Screen(
            Scenario("accountRequestCounts", COUNTS, {"filter": None}, "", 0),
            (("accountRequestCounts", "total"), "SELECT count(*) FROM account_requests"),
        ),
        _list(
            "totalCount: OPEN of a type",
            by_type,
            True,
            where + f"status = 'OPEN' AND type_id = {TYPE}",
            True,
        ),
        _list(
            "totalCount: of an assignee",
            by_assignee,
            True,
            where + f"assignee_id = {ASSIGNEE}",
            True,
        ),
        _list(
            "totalCount: of an account",
            by_account,
            True,
            where + f"account_id = {ACCOUNT}",
            True,
        ),
        _list(
            "totalCount: search word",
            {"search": SEARCH_WORD},
            True,
            where + f"note ILIKE '%{SEARCH_WORD}%'",
            True,
        ),
        _list("search: an account's name", {"search": SEARCH_ACCOUNT}, False, None, True),
        Screen(
            Scenario(
                "accountRequestCounts: of an assignee", COUNTS, {"filter": by_assignee}, "", 0
            ),
            (("accountRequestCounts", "total"), where + f"assignee_id = {ASSIGNEE}"),
            True,
        ),
    ]


async def expected_counts(url: str, chosen: list[Screen]) -> dict[str, int]:
    """What each screen's count must be in this database, by screen name."""
    conn = await asyncpg.connect(url)
    try:
        return {
            screen.scenario.name: int(await conn.fetchval(screen.count[1]))
            for screen in chosen
            if screen.count is not None
        }
    finally:
        await conn.close()
