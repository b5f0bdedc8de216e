"""On PostgreSQL a lane statement is planned once and its plan kept.

A page's LIMIT is written into the statement's text (`fastpath.query_sql`). Sent as a
parameter, it made PostgreSQL plan the dashboard's statement anew at every execution
(its plan for an unknown limit reads a tenth of the table, so it never kept one).
"""

from __future__ import annotations

import asyncpg
import pytest
from tortoise import connections

from models.account_requests import AccountRequest, RequestSource, RequestStatus
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, staff
from tests.fastpath.lane import lane_statements

pytestmark = [pytest.mark.services_only, pytest.mark.fast_paths]

# The bench's dashboard (bench.run.DASHBOARD), a page of 25.
DASHBOARD = """query PlannedDashboard {
  accountRequests(first: 25, filter: {statuses: [OPEN]},
                  orderBy: {field: UPDATED_AT, direction: DESC}) {
    nodes { id status note createdAt updatedAt type { name } account { name number }
            assignee { name } contact { name email } }
  }
}"""

COLUMNS = "status, status_rank, note, source, account_id, type_id, contact_id, internal"
MORE_REQUESTS = (
    f"INSERT INTO account_requests (created_at, updated_at, {COLUMNS})"
    " SELECT r.created_at - n * interval '1 minute', r.updated_at - n * interval '1 minute',"
    f" {', '.join('r.' + c for c in COLUMNS.split(', '))}"
    " FROM account_requests r CROSS JOIN generate_series(1, 7000) n;"
    " ANALYZE account_requests;"
)

# How many times PostgreSQL planned each prepared statement of a connection.
PLANS_SQL = (
    "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
    " WHERE statement LIKE '%json_build_object%'"
)


async def _plans_of_idle_connections() -> list[asyncpg.Record]:
    """The plan counts of the lane statements prepared on the API's idle connections."""
    pool = connections.get("default")._pool
    borrowed = [await pool.acquire() for _ in range(len(pool._idle))]
    try:
        return [row for conn in borrowed for row in await conn.fetch(PLANS_SQL)]
    finally:
        for conn in borrowed:
            await pool.release(conn)


async def test_the_dashboards_statement_keeps_the_plan_made_for_it(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given 21,000 requests, two in three open, the table analysed (on a few rows any
    # plan is cheap and PostgreSQL keeps one either way)
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    account = await make_account()
    contact = await make_contact(account)
    for status in (RequestStatus.OPEN, RequestStatus.OPEN, RequestStatus.COMPLETED):
        await AccountRequest.create(
            account_id=account.id,
            type_id=kind.id,
            contact_id=contact.id,
            note="request",
            source=RequestSource.STAFF,
            status=status,
        )
    db = connections.get("default")
    await db.execute_script(MORE_REQUESTS)
    dispatcher = await staff(Role.DISPATCHER)
    # when the dashboard is read thirty times, one after another
    for _ in range(30):
        count_statements.statements.clear()
        data = await gql(DASHBOARD, token=dispatcher.token)
    # then the last read was one lane statement with its page's limit in its text
    assert len(data["accountRequests"]["nodes"]) == 25
    [lane] = lane_statements(count_statements)
    assert "LIMIT 25" in lane
    # and PostgreSQL ran it on a plan it made once and kept, not one made per execution
    plans = [row for row in await _plans_of_idle_connections() if "LIMIT 25" in row["statement"]]
    assert plans, "the lane statement is prepared on an idle connection"
    # (PostgreSQL tries five plans made for the values before it settles on one)
    assert sum(row["generic_plans"] for row in plans) >= 10
    assert all(row["custom_plans"] <= 5 for row in plans)
