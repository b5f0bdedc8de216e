"""service_request_tallies: kept exact by the database on every write, and read only where
it is exact (issue 23).

The tally is compared with COUNT(*) of the requests grouped the same way after each way a
request is written; the counts clients get (the review queue's pendingCount, a list's
totalCount) are checked against the requests counted, for the viewers and filters the
tally answers and for those it does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

from api.db import tortoise_config
from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_site, staff
from tests.ids import gid
from tests.service_requests.operations import (
    QUEUE,
    SERVICE_REQUESTS,
    approve,
    decline,
    submitted,
)
from tests.service_requests.people import customer
from tests.service_requests.rows import _mixed

TALLY = "SELECT status, urgency, service_type, n FROM service_request_tallies"
COUNTED = (
    "SELECT status, urgency, service_type, COUNT(*) FROM service_requests"
    " GROUP BY status, urgency, service_type"
)


def _keyed(rows: list[Any]) -> list[tuple[str, str, str, int]]:
    found = []
    for row in rows:
        status, urgency, service_type, n = tuple(dict(row).values())
        found.append((status, urgency, service_type, int(n)))
    return sorted(found)


async def assert_tally_exact() -> None:
    """The whole tally equals COUNT(*) of the requests per key (no row of zero left)."""
    conn = connections.get("default")
    _, tally = await conn.execute_query(TALLY)
    _, counted = await conn.execute_query(COUNTED)
    assert _keyed(list(tally)) == _keyed(list(counted))


async def test_every_write_keeps_the_tally_exact(gql: GraphQLClient) -> None:
    # given a customer and a dispatcher, and nothing tallied yet
    account, site, contact = await customer()
    dispatcher = await staff(Role.DISPATCHER)
    await assert_tally_exact()
    # when the customer submits requests of several urgencies and kinds
    made = [
        await submitted(gql, contact, site),
        await submitted(gql, contact, site, urgency="URGENT"),
        await submitted(gql, contact, await make_site(account), serviceType="INSPECTION"),
        await submitted(gql, contact, site, urgency="URGENT", serviceType="OTHER"),
    ]
    # then the tally follows each
    await assert_tally_exact()
    # and when requests are approved and declined (a decision that loses changes nothing)
    assert (await approve(gql, dispatcher.token, made[0]))["userErrors"] == []
    await assert_tally_exact()
    assert (await decline(gql, dispatcher.token, made[1], "Not ours"))["userErrors"] == []
    await assert_tally_exact()
    assert (await decline(gql, dispatcher.token, made[0], "Too late"))["userErrors"] != []
    await assert_tally_exact()
    # and writes below the API: bulk updates of several keys, a key set back, no key
    await sr.ServiceRequest.filter(status=sr.ServiceRequestStatus.PENDING).update(
        urgency=sr.Urgency.URGENT, service_type=sr.ServiceType.REPAIR
    )
    await assert_tally_exact()
    row = await sr.ServiceRequest.get(status=sr.ServiceRequestStatus.DECLINED)
    await sr.ServiceRequest.filter(id=row.id).update(status=sr.ServiceRequestStatus.PENDING)
    await sr.ServiceRequest.filter(id=row.id).update(status=sr.ServiceRequestStatus.DECLINED)
    await sr.ServiceRequest.filter(id=row.id).update(description="no key changes")
    await assert_tally_exact()
    # and deletes (the jobs first: a request with a job cannot go)
    await sr.Job.all().delete()
    await sr.ServiceRequest.filter(id=row.id).delete()
    await assert_tally_exact()
    await sr.ServiceRequest.all().delete()
    await assert_tally_exact()
    assert (await connections.get("default").execute_query(TALLY))[1] == []


# Filters the tally answers; with `submittedAfter` (before every request) added, the same
# set is counted on the requests themselves.
TALLIED_FILTERS: list[dict[str, Any]] = [
    {},
    {"statuses": ["PENDING"]},
    {"statuses": ["PENDING", "APPROVED", "DECLINED"]},
    {"statuses": []},
    {"urgencies": ["URGENT"]},
    {"serviceTypes": ["REPAIR", "OTHER"], "statuses": ["PENDING", "DECLINED"]},
]
EARLIER = "2000-01-01T00:00:00Z"


async def _total(gql: GraphQLClient, token: str, filter: dict[str, Any]) -> int:
    data = await gql(SERVICE_REQUESTS, {"filter": filter, "first": 2}, token=token)
    total: int = data["serviceRequests"]["totalCount"]
    return total


async def test_tallied_counts_equal_the_requests_counted(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given requests of every status over two accounts, and a reviewer
    await _mixed()
    reviewer = await staff(Role.DISPATCHER)
    for filter in TALLIED_FILTERS:
        # when the reviewer lists with a tallied filter, and with the same set counted
        count_statements.statements.clear()
        tallied = await _total(gql, reviewer.token, filter)
        tally_read = any("service_request_tallies" in s for s in count_statements.statements)
        counted = await _total(gql, reviewer.token, {**filter, "submittedAfter": EARLIER})
        # then the totals are the same, the first read from the tally
        assert tallied == counted, filter
        assert tally_read, filter
    assert await _total(gql, reviewer.token, {}) == 6
    # and the queue's badge is the pending requests counted
    queue = await gql(QUEUE, token=reviewer.token)
    assert queue["serviceRequestQueue"]["pendingCount"] == 3
    assert await sr.pending_count() == 3


async def test_a_narrower_viewer_and_other_filters_count_the_requests(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given requests on two accounts, and a portal contact of the first
    mixed = await _mixed()
    _, _, contact = await customer()
    await contact.row.__class__.filter(id=contact.row.id).update(account_id=mixed["a"].id)
    # when the contact lists their requests (all, then pending only)
    count_statements.statements.clear()
    everything = await _total(gql, contact.token, {})
    pending = await _total(gql, contact.token, {"statuses": ["PENDING"]})
    # then they count their account's requests, none read from the tally
    assert (everything, pending) == (3, 1)
    assert not any("service_request_tallies" in s for s in count_statements.statements)
    # and a reviewer filtering by account (a filter the tally cannot answer) counts requests
    reviewer = await staff(Role.DISPATCHER)
    count_statements.statements.clear()
    by_account = await _total(gql, reviewer.token, {"accountIds": [gid("Account", mixed["b"].id)]})
    assert by_account == 3
    assert not any("service_request_tallies" in s for s in count_statements.statements)


async def test_the_migration_tallies_the_rows_already_there(tmp_path: Path) -> None:
    # given a database at migration 0016 holding service requests
    url = f"sqlite://{tmp_path}/tallied.sqlite3"
    async with TortoiseContext() as context:
        await run_migrations(config=tortoise_config(url), target="models.0016_webhook_ping")
        stamp = "'2026-01-01', '2026-01-01'"
        rows = ", ".join(
            f"({stamp}, '{kind}', 'd', '{urgency}', '2026-01-01', '{status}', 1, 1)"
            for status, urgency, kind in [
                ("PENDING", "NORMAL", "REPAIR"),
                ("PENDING", "NORMAL", "REPAIR"),
                ("PENDING", "URGENT", "REPAIR"),
                ("DECLINED", "NORMAL", "OTHER"),
            ]
        )
        await context.connections.get("default").execute_script(
            f"INSERT INTO accounts (created_at, updated_at, name, number, is_active)"
            f" VALUES ({stamp}, 'A', 'A-1', 1);"
            f"INSERT INTO sites (created_at, updated_at, name, street, city, region,"
            f" postal_code, country, is_active, account_id)"
            f" VALUES ({stamp}, 'S', '', '', '', '', '', 1, 1);"
            f"INSERT INTO service_requests (created_at, updated_at, service_type, description,"
            f" urgency, submitted_at, status, account_id, site_id) VALUES {rows};"
        )
        await context.close_connections()
    # when 0017 runs
    async with TortoiseContext() as context:
        await run_migrations(
            config=tortoise_config(url), target="models.0017_service_request_tallies"
        )
        conn = context.connections.get("default")
        _, tally = await conn.execute_query(TALLY)
        await context.close_connections()
    # then the tally holds those rows' counts
    assert _keyed(list(tally)) == [
        ("DECLINED", "NORMAL", "OTHER", 1),
        ("PENDING", "NORMAL", "REPAIR", 2),
        ("PENDING", "URGENT", "REPAIR", 1),
    ]
