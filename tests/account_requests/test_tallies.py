"""account_request_tallies: kept exact by the database on every write, and read only where
it is exact (issue 23).

The tally is compared with COUNT(*) of the requests grouped the same way after each way
a request is written; the counts clients get are checked against the counts of the
requests themselves, for the viewers and filters it answers and for those it does not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

from api.db import tortoise_config
from models.account_requests import AccountRequest, RequestSource, RequestStatus
from models.account_requests.lists import RequestFilter
from models.account_requests.tallies import _tally_tells
from models.accounts import Account
from models.permissions import Role
from models.request_types import AccountRequestType
from models.users import User
from models.viewer import Viewer
from tests.account_requests.operations import COUNTS, CREATE, LIST, _ids, updated
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, make_user, portal_contact, staff
from tests.ids import gid, pk_of

ARCHIVE = """
mutation Archive($input: ArchiveUserInput!) {
  archiveUser(input: $input) { userErrors { code field message } }
}
"""

TALLY = "SELECT status, type_id, assignee_id, source, internal, n FROM account_request_tallies"
COUNTED = (
    "SELECT status, type_id, COALESCE(assignee_id, 0), source, internal, COUNT(*)"
    " FROM account_requests GROUP BY status, type_id, COALESCE(assignee_id, 0), source, internal"
)


def _keyed(rows: list[Any]) -> list[tuple[str, int, int, str, bool, int]]:
    found = []
    for row in rows:
        status, type_id, assignee_id, source, internal, n = tuple(dict(row).values())
        found.append((status, int(type_id), int(assignee_id), source, bool(internal), int(n)))
    return sorted(found)


async def assert_tally_exact() -> None:
    """The whole tally equals COUNT(*) of the requests per key (no row of zero left)."""
    conn = connections.get("default")
    _, tally = await conn.execute_query(TALLY)
    _, counted = await conn.execute_query(COUNTED)
    assert _keyed(list(tally)) == _keyed(list(counted))


async def _created(gql: GraphQLClient, person: Person, **fields: Any) -> str:
    data = await gql(CREATE, {"input": fields}, token=person.token)
    assert data["createAccountRequest"]["userErrors"] == []
    request_id: str = data["createAccountRequest"]["accountRequest"]["id"]
    return request_id


async def test_every_write_keeps_the_tally_exact(gql: GraphQLClient) -> None:
    # given staff, a manager's account, two types (one offered in the portal), a customer
    admin = await staff(Role.ADMIN)
    tech = await staff(Role.TECHNICIAN)
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER)
    assert isinstance(manager.row, User) and isinstance(tech.row, User)
    account = await make_account(manager=manager.row)
    billing = await AccountRequestType.create(name="Billing", portal_available=True)
    repair = await AccountRequestType.create(name="Repair")
    customer = await portal_contact(account)
    await assert_tally_exact()

    # when staff create (assigned, unassigned, internal), a manager and the portal raise
    first = await _created(
        gql, admin, **_ids(account, billing), assigneeId=gid("User", tech.row.id)
    )
    await assert_tally_exact()
    second = await _created(gql, dispatcher, **_ids(account, billing), internal=True)
    third = await _created(
        gql, admin, **_ids(account, repair), assigneeId=gid("User", tech.row.id), status="OPEN"
    )
    await _created(gql, manager, **_ids(account, repair))
    await _created(gql, customer, typeId=gid("AccountRequestType", billing.id))
    await assert_tally_exact()
    sources = await AccountRequest.all().values_list("source", flat=True)
    assert set(sources) == set(RequestSource)

    # then every update of a key column keeps it exact
    steps: list[tuple[str, dict[str, Any]]] = [
        (first, {"status": "IN_PROGRESS"}),
        (first, {"status": "WAITING_ON_CUSTOMER"}),
        (second, {"assigneeId": gid("User", tech.row.id)}),  # assign
        (second, {"assigneeId": gid("User", dispatcher.row.id)}),  # reassign
        (second, {"assigneeId": None}),  # unassign
        (second, {"internal": False}),
        (first, {"internal": True}),
        (third, {"typeId": gid("AccountRequestType", billing.id)}),
        (third, {"note": "no key changes"}),
        (third, {"status": "COMPLETED"}),
        (third, {"status": "OPEN"}),  # reopened
    ]
    for request_id, changes in steps:
        await updated(gql, admin, request_id, **changes)
        await assert_tally_exact()

    # and archiving the technician unassigns their open requests in one bulk update
    data = await gql(ARCHIVE, {"input": {"userId": gid("User", tech.row.id)}}, admin.token)
    assert data["archiveUser"]["userErrors"] == []
    assert await AccountRequest.filter(assignee_id=tech.row.id).count() == 0
    await assert_tally_exact()

    # and writes below the API too: bulk updates of several keys, a key set back, deletes
    await AccountRequest.filter(type_id=billing.id).update(
        type_id=repair.id, status=RequestStatus.CANCELLED, source=RequestSource.STAFF
    )
    await assert_tally_exact()
    await AccountRequest.filter(id=pk_of(third)).update(assignee_id=dispatcher.row.id)
    await AccountRequest.filter(id=pk_of(third)).update(assignee_id=None)
    await assert_tally_exact()
    await AccountRequest.filter(id=pk_of(first)).delete()
    await assert_tally_exact()
    await AccountRequest.all().delete()
    await assert_tally_exact()
    assert (await connections.get("default").execute_query(TALLY))[1] == []


# --- the counts clients get ---------------------------------------------------------------------


async def _mixed_requests(manager: User, others: list[User]) -> tuple[Account, Account]:
    """Requests of every status, two types, some assignees, all sources, some internal, on
    the manager's account and on another."""
    own = await make_account("Own", manager=manager)
    other = await make_account("Other")
    types = [
        await AccountRequestType.create(name="Billing"),
        await AccountRequestType.create(name="Repair"),
    ]
    assignees: list[User | None] = [None, manager, *others]
    statuses = list(RequestStatus)
    sources = list(RequestSource)
    for i in range(40):
        row = await make_request(
            own if i % 3 else other,
            types[i % 2],
            status=statuses[i % len(statuses)],
            assignee=assignees[i % len(assignees)],
            source=sources[i % len(sources)],
        )
        if i % 4 == 0:
            await AccountRequest.filter(id=row.id).update(internal=True)
    return own, other


async def _answers(gql: GraphQLClient, token: str, filter: dict[str, Any]) -> dict[str, Any]:
    counts = (await gql(COUNTS, {"filter": filter}, token=token))["accountRequestCounts"]
    listed = await gql(LIST, {"filter": filter, "first": 1}, token=token)
    return {
        "total": counts["total"],
        "byStatus": {entry["status"]: entry["count"] for entry in counts["byStatus"]},
        "totalCount": listed["accountRequests"]["totalCount"],
    }


# Filters the tally answers; with `createdAfter` (before every request) added, the same
# set is counted on the requests themselves.
EARLIER = "2000-01-01T00:00:00Z"
TALLIED_FILTERS: list[dict[str, Any]] = [
    {},
    {"statuses": ["OPEN"]},
    {"statuses": ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER"]},
    {"statuses": []},
    {"sources": ["PORTAL", "STAFF"]},
    {"internal": True},
    {"internal": False, "statuses": ["COMPLETED"]},
    {"unassigned": True},
    {"unassigned": False, "statuses": ["OPEN"]},
    {"assignedToMe": True},
    {"assignedToMe": True, "unassigned": True},
    {"search": ""},
]


async def test_tallied_counts_equal_the_requests_counted(gql: GraphQLClient) -> None:
    # given an admin (sees every request) who is also assigned some
    admin = await staff(Role.ADMIN)
    helper = await make_user(Role.TECHNICIAN)
    assert isinstance(admin.row, User)
    manager = await make_user(Role.ACCOUNT_MANAGER)
    await _mixed_requests(manager, [admin.row, helper])
    billing = await AccountRequestType.get(name="Billing")
    filters = [
        *TALLIED_FILTERS,
        {"typeIds": [gid("AccountRequestType", billing.id)]},
        {"assigneeIds": [gid("User", helper.id), gid("User", manager.id)]},
    ]
    for filter in filters:
        # when the admin counts with a tallied filter, and with the same set counted
        tallied = await _answers(gql, admin.token, filter)
        counted = await _answers(
            gql, admin.token, {**filter, "createdAfter": "2000-01-01T00:00:00Z"}
        )
        # then the answers are the same
        assert tallied == counted, filter
        assert tallied["total"] == tallied["totalCount"] == sum(tallied["byStatus"].values())
    everything = await _answers(gql, admin.token, {})
    assert everything["total"] == 40


async def test_a_narrower_viewer_and_other_filters_count_the_requests(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given an account manager, who sees their account's requests and those assigned to them
    manager = await staff(Role.ACCOUNT_MANAGER)
    assert isinstance(manager.row, User)
    helper = await make_user(Role.TECHNICIAN)
    own, other = await _mixed_requests(manager.row, [helper])
    seen = [
        row
        for row in await AccountRequest.all()
        if row.account_id == own.id or row.assignee_id == manager.row.id
    ]
    assert 0 < len(seen) < 40
    # when they count (no filter, and statuses only)
    count_statements.statements.clear()
    everything = await _answers(gql, manager.token, {})
    open_only = await _answers(gql, manager.token, {"statuses": ["OPEN"]})
    # then they get their requests' counts, none read from the tally
    assert everything["total"] == everything["totalCount"] == len(seen)
    expected = {status.value: 0 for status in RequestStatus}
    for row in seen:
        expected[row.status.value] += 1
    assert everything["byStatus"] == expected
    assert open_only["totalCount"] == expected["OPEN"]
    assert not any("account_request_tallies" in s for s in count_statements.statements)

    # and an admin filtering by account (a filter the tally cannot answer) counts requests
    admin = await staff(Role.ADMIN)
    count_statements.statements.clear()
    by_account = await _answers(gql, admin.token, {"accountIds": [gid("Account", other.id)]})
    assert by_account["total"] == by_account["totalCount"]
    assert by_account["total"] == await AccountRequest.filter(account_id=other.id).count()
    assert not any("account_request_tallies" in s for s in count_statements.statements)


async def test_an_admins_counts_are_one_statement_on_the_tally(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await _mixed_requests(await make_user(Role.ACCOUNT_MANAGER), [])
    # when the admin asks for the counts, and for a page's totalCount
    count_statements.statements.clear()
    counts = await gql(COUNTS, {"filter": {"unassigned": True}}, token=admin.token)
    counting = list(count_statements.statements)
    count_statements.statements.clear()
    page = await gql(LIST, {"filter": {"statuses": ["OPEN"]}, "first": 5}, token=admin.token)
    paging = list(count_statements.statements)
    # then the counts are sign-in and one statement on the tally
    assert (
        counts["accountRequestCounts"]["total"]
        == await AccountRequest.filter(assignee_id=None).count()
    )
    assert len(counting) == 2, counting
    assert "account_request_tallies" in counting[1]
    assert 'account_requests"' not in counting[1]
    # and totalCount reads the tally, not the requests
    assert (
        page["accountRequests"]["totalCount"]
        == await AccountRequest.filter(status=RequestStatus.OPEN).count()
    )
    tally_reads = [s for s in paging if "account_request_tallies" in s]
    assert len(tally_reads) == 1, paging
    assert not any("COUNT(" in s.upper() and "account_requests" in s for s in paging), paging


BEFORE = "0010_calendar_access_preferences"


async def test_the_migration_tallies_the_rows_already_there(tmp_path: Path) -> None:
    # given a database at migration 0010 holding requests
    url = f"sqlite://{tmp_path}/tallied.sqlite3"
    async with TortoiseContext() as context:
        await run_migrations(
            config=tortoise_config(url), target="models.0010_calendar_access_preferences"
        )
        stamp = "'2026-01-01', '2026-01-01'"
        rows = ", ".join(
            f"({stamp}, '{status}', 0, '', '{source}', 1, {type_id}, {assignee}, {internal})"
            for status, source, type_id, assignee, internal in [
                ("OPEN", "STAFF", 1, "NULL", 0),
                ("OPEN", "STAFF", 1, "NULL", 0),
                ("OPEN", "PORTAL", 2, "NULL", 0),
                ("COMPLETED", "STAFF", 1, "NULL", 1),
            ]
        )
        await context.connections.get("default").execute_script(
            f"INSERT INTO accounts (created_at, updated_at, name, number, is_active)"
            f" VALUES ({stamp}, 'A', 'A-1', 1);"
            f"INSERT INTO account_request_types (created_at, updated_at, name, description,"
            f" is_active, portal_available) VALUES ({stamp}, 'T1', '', 1, 1), ({stamp}, 'T2',"
            f" '', 1, 1);"
            f"INSERT INTO account_requests (created_at, updated_at, status, status_rank, note,"
            f" source, account_id, type_id, assignee_id, internal) VALUES {rows};"
        )
        await context.close_connections()
    # when 0011 runs
    async with TortoiseContext() as context:
        await run_migrations(config=tortoise_config(url), target="models.0011_request_tallies")
        conn = context.connections.get("default")
        _, tally = await conn.execute_query(TALLY)
        await context.close_connections()
    # then the tally holds those rows' counts
    assert _keyed(list(tally)) == [
        ("COMPLETED", 1, 0, "STAFF", True, 1),
        ("OPEN", 1, 0, "STAFF", False, 2),
        ("OPEN", 2, 0, "PORTAL", False, 1),
    ]


def test_which_filters_the_tally_answers_field_by_field() -> None:
    # given filters that set each field alone, and the awkward values of two
    admin = Viewer(user=User(id=1, name="Ada"), roles=frozenset({Role.ADMIN}))
    when = datetime(2026, 1, 1, tzinfo=UTC)
    specs = [
        RequestFilter(),
        RequestFilter(statuses=[RequestStatus.OPEN], type_ids=[1], assignee_ids=[2]),
        RequestFilter(sources=[RequestSource.STAFF], internal=True, unassigned=False),
        RequestFilter(assigned_to_me=True),
        RequestFilter(search=""),
        RequestFilter(include_sub_accounts=True),
        RequestFilter(account_ids=[3]),
        RequestFilter(account_ids=[3], include_sub_accounts=True),
        RequestFilter(search="quinn"),
        RequestFilter(created_after=when),
        RequestFilter(created_before=when),
        RequestFilter(updated_after=when),
        RequestFilter(updated_before=when),
    ]
    # then the tally answers exactly those that filter by its keys alone
    answered = [_tally_tells(spec, admin) for spec in specs]
    assert answered == [True] * 6 + [False] * 7
