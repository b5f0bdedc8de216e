"""A list read again reads only the columns its items show (`schema.projection.narrow_page`).

The first request of a document reads whole rows; its plan, compiled then, tells
the next requests of the same document which columns the items need. Each test
uses a document of its own (plans are kept per document for the process), reads
it twice and compares: the suite's execution check also compares every answer
with standard execution over the same narrow items.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from fastpath import CHECKING, json_lane
from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from models.request_types import AccountRequestType
from models.users import User
from schema.relay import connections, keyset_paging
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import submitted

# Every column of account_requests: what a whole row reads.
_WHOLE = {
    "id",
    "status",
    "status_rank",
    "note",
    "source",
    "created_at",
    "updated_at",
    "type_id",
    "account_id",
    "assignee_id",
    "contact_id",
    "created_by_user_id",
    "created_by_contact_id",
    "internal",
    "for_date",
}


async def _requests(count: int, *, manager: User | None = None) -> list[AccountRequest]:
    request_type, _ = await AccountRequestType.get_or_create(name="Billing")
    account = await make_account(manager=manager)
    return [
        await AccountRequest.create(
            account_id=account.id,
            type_id=request_type.id,
            note=f"Request {n}",
            source=RequestSource.STAFF,
        )
        for n in range(count)
    ]


def _page_columns(counter: StatementCounter, table: str) -> list[set[str]]:
    """The columns each statement reading rows of `table` selects."""
    found = []
    for sql in counter.statements:
        selected, _, rest = sql.partition(" FROM ")
        if sql.startswith("SELECT ") and rest.startswith(f'"{table}"'):
            found.append(set(re.findall(r'"(\w+)"', selected)))
    return found


async def _twice(
    gql: GraphQLClient, counter: StatementCounter, query: str, token: str, table: str
) -> tuple[list[dict[str, Any]], list[set[str]]]:
    """Both answers, and the columns of `table` each request read."""
    answers, columns = [], []
    for _ in range(2):
        counter.statements.clear()
        answers.append(await gql(query, token=token))
        [read] = _page_columns(counter, table)
        columns.append(read)
    return answers, columns


@pytest.mark.fast_paths
async def test_a_list_read_again_reads_only_the_columns_its_items_show(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given three requests and a dispatcher
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    query = """query NarrowCards {
      accountRequests(first: 10) { nodes { id note status type { name } account { name } } }
    }"""
    # when the same list is read twice
    (first, second), (whole, narrow) = await _twice(
        gql, count_statements, query, dispatcher.token, "account_requests"
    )
    # then the first read whole rows, the second only the shown columns, the keys of
    # the related fields and the sort column (the cursors' position)
    assert whole == _WHOLE
    assert narrow == {"id", "note", "status", "type_id", "account_id", "updated_at"}
    # and both answered the same
    assert first == second
    assert len(first["accountRequests"]["nodes"]) == 3


@pytest.mark.fast_paths
async def test_cursors_of_a_narrow_page_name_the_same_positions(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given five requests, listed two at a time by status, with cursors
    await _requests(5)
    dispatcher = await staff(Role.DISPATCHER)
    page = """query NarrowCursors($after: String) {
      accountRequests(first: 2, after: $after, orderBy: {field: STATUS}) {
        edges { cursor node { id } } pageInfo { endCursor hasNextPage }
      }
    }"""
    # when the first page is read twice (whole, then narrow)
    (first, second), (whole, narrow) = await _twice(
        gql, count_statements, page, dispatcher.token, "account_requests"
    )
    assert whole == _WHOLE
    assert narrow == {"id", "status_rank"}
    # then both name the same positions
    assert first == second
    # and paging on from the narrow page's cursor reaches every request once
    seen = [edge["node"]["id"] for edge in second["accountRequests"]["edges"]]
    after = second["accountRequests"]["pageInfo"]["endCursor"]
    while after is not None:
        data = await gql(page, {"after": after}, token=dispatcher.token)
        seen += [edge["node"]["id"] for edge in data["accountRequests"]["edges"]]
        info = data["accountRequests"]["pageInfo"]
        after = info["endCursor"] if info["hasNextPage"] else None
    assert len(seen) == len(set(seen)) == 5


async def test_a_resolver_on_the_items_keeps_the_rows_whole(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given a list whose items run a resolver (it may read anything of its object)
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    query = """query NarrowWithTimeline {
      accountRequests(first: 10) { nodes { id timeline(first: 1) { totalCount } } }
    }"""
    # when it is read twice, then both reads are whole rows
    (first, second), (whole, again) = await _twice(
        gql, count_statements, query, dispatcher.token, "account_requests"
    )
    assert whole == again == _WHOLE
    assert first == second


async def test_a_list_sorted_by_a_related_column_keeps_the_rows_whole(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # sorted by account name: the rows come with their accounts (a join), whole
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    query = """query NarrowByAccount {
      accountRequests(first: 10, orderBy: {field: ACCOUNT_NAME}) { nodes { id note } }
    }"""
    (first, second), (whole, again) = await _twice(
        gql, count_statements, query, dispatcher.token, "account_requests"
    )
    assert whole >= _WHOLE and again >= _WHOLE
    assert first == second


@pytest.mark.fast_paths
async def test_a_narrow_page_keeps_the_viewers_scope(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given an account manager's two requests, and three on accounts of others
    manager = await staff(Role.ACCOUNT_MANAGER)
    mine = await _requests(2, manager=manager.row)
    await _requests(3)
    query = """query NarrowScoped { accountRequests(first: 10) { nodes { number note } } }"""
    # when the manager reads the list twice
    (first, second), (whole, narrow) = await _twice(
        gql, count_statements, query, manager.token, "account_requests"
    )
    # then the second read was narrow, and both show the manager's requests only
    assert whole == _WHOLE
    assert narrow == {"id", "note", "updated_at"}
    assert first == second
    numbers = {node["number"] for node in second["accountRequests"]["nodes"]}
    assert numbers == {row.id for row in mine}


@pytest.mark.fast_paths
async def test_service_requests_narrow_with_the_columns_their_job_drafts_read(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given three pending service requests
    account = await make_account()
    contact = await portal_contact(account)
    for _ in range(3):
        await submitted(gql, contact, await make_site(account))
    dispatcher = await staff(Role.DISPATCHER)
    plain = """query NarrowServiceRequests {
      serviceRequests(first: 2) { nodes { id urgency } pageInfo { endCursor } }
    }"""
    drafted = """query NarrowServiceDrafts {
      serviceRequests(first: 2) { nodes { id jobDraft { priority slaDueAt } } }
    }"""
    # when a list without job drafts is read twice, the second read is narrow
    (first, second), (whole, narrow) = await _twice(
        gql, count_statements, plain, dispatcher.token, "service_requests"
    )
    assert narrow == {"id", "urgency", "submitted_at"} and narrow < whole
    assert first == second
    # and a list with job drafts (a batched field) reads what the drafts declare they read
    (first, second), (whole, drafts) = await _twice(
        gql, count_statements, drafted, dispatcher.token, "service_requests"
    )
    assert drafts == {
        "id",
        "submitted_at",
        "status",
        "account_id",
        "site_id",
        "service_type",
        "description",
        "preferred_date",
        "urgency",
    }
    assert drafts < whole
    assert [node["jobDraft"]["priority"] for node in second["serviceRequests"]["nodes"]] == [
        "MEDIUM",
        "MEDIUM",
    ]
    assert first["serviceRequests"]["nodes"][0]["id"] == second["serviceRequests"]["nodes"][0]["id"]


@pytest.mark.fast_paths
async def test_edges_and_cursors_are_made_only_where_a_compiled_plan_reads_them(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given five requests, and a count of the edges and cursors made
    await _requests(5)
    dispatcher = await staff(Role.DISPATCHER)
    made: list[str] = []
    original_edge = connections.Edge.__init__
    original_cursor = keyset_paging._sort_cursor

    def counted_edge(self: Any, *args: Any, **kwargs: Any) -> None:
        if not CHECKING.get():  # the execution check's second run is not the request's
            made.append("edge")
        original_edge(self, *args, **kwargs)

    def counted_cursor(*args: Any) -> str:
        if not CHECKING.get():
            made.append("cursor")
        return original_cursor(*args)

    monkeypatch.setattr(connections.Edge, "__init__", counted_edge)
    monkeypatch.setattr(keyset_paging, "_sort_cursor", counted_cursor)
    lists = {
        "nodes": "query ShownNodes { accountRequests(first: 3) { nodes { id } } }",
        "pages": """query ShownPages {
          accountRequests(first: 3) { nodes { id } pageInfo { endCursor hasNextPage } }
        }""",
        "edges": "query ShownEdges { accountRequests(first: 3) { edges { cursor node { id } } } }",
    }
    answers, counts = {}, {}
    for name, query in lists.items():
        # when each list is read twice (its plan compiled by the first)
        first = await gql(query, token=dispatcher.token)
        made.clear()
        answers[name] = await gql(query, token=dispatcher.token)
        counts[name] = (made.count("edge"), made.count("cursor"))
        # then the second answer is the first
        assert answers[name] == first
    # and edges were made only where read, cursors only for the page info or edges
    assert counts == {"nodes": (0, 0), "pages": (0, 2), "edges": (3, 3)}
    end = answers["pages"]["accountRequests"]["pageInfo"]["endCursor"]
    assert end == answers["edges"]["accountRequests"]["edges"][-1]["cursor"]
