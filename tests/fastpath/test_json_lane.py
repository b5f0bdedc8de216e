"""The JSON lane (fastpath/json_lane.py): on PostgreSQL a list that shows only its
items, columns and related rows read from whole tables, is written by the database
in one statement.

The suite's execution check compares every one of these answers with standard
execution; these tests make sure the lane is taken where it may be (PostgreSQL) and
only there, and that what it writes is what GraphQL writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.account_requests import AccountRequest, RequestSource
from models.ids import global_id
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, portal_contact, staff
from tests.fastpath.lane import lane_statements, read_three_times, reading
from tests.service_requests.operations import submitted

CARDS = """query LaneCards {
  accountRequests(first: 10, orderBy: {field: CREATED_AT, direction: ASC}) {
    __typename
    nodes {
      __typename id number status note createdAt updatedAt
      type { __typename name } account { id name number } assignee { name } contact { name email }
    }
  }
}"""


async def _three_requests() -> list[AccountRequest]:
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    account = await make_account(name='Quinn "Motors" — Ünit 7')
    contact = await make_contact(account)
    assignee = await staff(Role.TECHNICIAN)
    notes = ["Line one\nline two\t\u00e9\U0001f600", 'It\'s "quoted" \\ here', ""]
    made = []
    for n, note in enumerate(notes):
        made.append(
            await AccountRequest.create(
                account_id=account.id,
                type_id=kind.id,
                note=note,
                source=RequestSource.STAFF,
                assignee_id=assignee.row.id if n != 1 else None,
                contact_id=contact.id if n != 2 else None,
            )
        )
    # A time on the second (no fraction) is written without one, as isoformat() does.
    whole = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    await AccountRequest.filter(id=made[0].id).update(created_at=whole)
    return made


@pytest.mark.fast_paths
async def test_a_list_of_items_only_is_one_statement_on_postgresql(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given three requests, with and without assignee and contact, awkward text
    made = await _three_requests()
    dispatcher = await staff(Role.DISPATCHER)
    # when the same list is read three times (admitted, compiled, then fast)
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(CARDS, token=dispatcher.token))
    # then all three answers are the same
    assert answers[0] == answers[1] == answers[2]
    nodes = answers[2]["accountRequests"]["nodes"]
    assert [node["id"] for node in nodes] == [global_id("AccountRequest", r.id) for r in made]
    assert answers[2]["accountRequests"]["__typename"] == "AccountRequestConnection"
    first = nodes[0]
    assert first["createdAt"] == "2026-03-01T09:30:00+00:00"
    assert first["note"] == "Line one\nline two\t\u00e9\U0001f600"
    assert nodes[1]["note"] == 'It\'s "quoted" \\ here'
    assert nodes[1]["assignee"] is None and nodes[2]["contact"] is None
    assert first["account"]["name"] == 'Quinn "Motors" — Ünit 7'
    assert first["type"] == {"__typename": "AccountRequestType", "name": "Billing"}
    assert first["status"] == "OPEN"
    # and on PostgreSQL the last was one statement for the list and its relations
    if backends == "services":
        assert len(lane_statements(count_statements)) == 1
        assert reading(count_statements, "accounts") == []
        assert reading(count_statements, "contacts") == []
    else:  # SQLite has no such lane: the page and a statement per relation
        assert lane_statements(count_statements) == []
        assert len(reading(count_statements, "accounts")) == 1


APOLLO_PAGE = """query LaneApolloPage($first: Int, $after: String) {
  accountRequests(first: $first, after: $after) {
    totalCount
    pageInfo { ...LanePageInfo __typename }
    edges { cursor node { ...LaneRow __typename } __typename }
    __typename
  }
}

fragment LanePageInfo on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
  __typename
}

fragment LaneRow on AccountRequest {
  id
  note
  status
  account { ...LaneNodeId name __typename }
  __typename
}

fragment LaneNodeId on Node {
  id
  __typename
}"""


@pytest.mark.fast_paths
async def test_a_page_as_apollo_asks_for_it_is_one_statement_with_its_count(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given three requests and the page Apollo sends (fragments, __typename, edges,
    # cursors, pageInfo and the whole list's count)
    made = await _three_requests()
    dispatcher = await staff(Role.DISPATCHER)
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(APOLLO_PAGE, {"first": 2}, token=dispatcher.token))
    # then the answers agree, with a next page and its cursor
    assert answers[0] == answers[1] == answers[2]
    page = answers[2]["accountRequests"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    assert page["edges"][0]["__typename"] == "AccountRequestEdge"
    first = page["edges"][0]["node"]
    assert set(first) == {"id", "note", "status", "account", "__typename"}
    assert first["account"]["__typename"] == "Account"
    if backends == "services":
        assert len(lane_statements(count_statements)) == 1
        assert reading(count_statements, "account_requests") == []
    else:
        assert lane_statements(count_statements) == []
    # and when the next page is asked for after that cursor (three times again)
    after = page["pageInfo"]["endCursor"]
    rest = [
        await gql(APOLLO_PAGE, {"first": 2, "after": after}, token=dispatcher.token)
        for _ in range(3)
    ]
    # then it holds the last request, and nothing before or after is lost
    assert rest[0] == rest[1] == rest[2]
    tail = rest[2]["accountRequests"]
    ids = [edge["node"]["id"] for edge in page["edges"] + tail["edges"]]
    assert sorted(ids) == sorted(global_id("AccountRequest", r.id) for r in made)
    assert tail["pageInfo"]["hasNextPage"] is False
    assert tail["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.fast_paths
async def test_a_page_counted_backwards_is_paged_the_usual_way(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given requests and a list paged from its end (`last`)
    await _three_requests()
    dispatcher = await staff(Role.DISPATCHER)
    query = """query LaneBackwards {
      accountRequests(last: 2) { nodes { id note } pageInfo { hasPreviousPage } }
    }"""
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(query, token=dispatcher.token))
    # then no request took the lane (it pages forwards only) and the answers agree
    assert lane_statements(count_statements) == []
    assert answers[0] == answers[2]
    assert answers[2]["accountRequests"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.fast_paths
async def test_a_portal_contacts_list_keeps_its_scope(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given requests on a contact's account and on another account
    made = await _three_requests()
    account = await made[0].account
    other = await make_account(name="Someone else")
    kind = await AccountRequestType.get(name="Billing")
    await AccountRequest.create(
        account_id=other.id, type_id=kind.id, note="Not yours", source=RequestSource.STAFF
    )
    contact = await portal_contact(account)
    query = """query LanePortal {
      accountRequests(first: 10) { nodes { id note account { name } } }
    }"""
    answers = [await gql(query, token=contact.token) for _ in range(3)]
    # then every answer lists the contact's account's requests only, however it was made
    for answer in answers:
        names = {node["account"]["name"] for node in answer["accountRequests"]["nodes"]}
        assert names == {account.name}


@pytest.mark.fast_paths
async def test_batched_fields_of_the_items_are_completed_beside_what_the_database_wrote(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given three pending service requests and the review queue with job drafts (a
    # batched field computed in Python)
    account = await make_account()
    contact = await portal_contact(account)
    for _ in range(3):
        await submitted(gql, contact, await make_site(account))
    dispatcher = await staff(Role.DISPATCHER)
    query = """query LaneReviewQueue {
      serviceRequests(first: 10) {
        nodes { id description urgency jobDraft { priority slaDueAt } account { name } }
      }
    }"""
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(query, token=dispatcher.token))
    # then the answers agree (times computed from the clock within a second) and hold
    # a draft per request, its fields in the document's order
    nodes = answers[2]["serviceRequests"]["nodes"]
    assert len(nodes) == 3
    assert [list(node) for node in nodes] == [
        ["id", "description", "urgency", "jobDraft", "account"]
    ] * 3
    assert all(node["jobDraft"]["priority"] == "MEDIUM" for node in nodes)
    assert [node["id"] for node in nodes] == [
        node["id"] for node in answers[0]["serviceRequests"]["nodes"]
    ]
    if backends == "services":
        assert len(lane_statements(count_statements)) == 1
        assert reading(count_statements, "service_requests") == []
    else:
        assert lane_statements(count_statements) == []


@pytest.mark.fast_paths
async def test_relations_of_relations_are_written_inside_their_rows(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given requests on an account with a manager, and one on an account without
    manager = await staff(Role.ACCOUNT_MANAGER)
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    managed = await make_account(name="Managed", manager=manager.row)
    loose = await make_account(name="Loose")
    for account in (managed, loose):
        await AccountRequest.create(
            account_id=account.id, type_id=kind.id, note="N", source=RequestSource.STAFF
        )
    dispatcher = await staff(Role.DISPATCHER)
    query = """query LaneNested {
      accountRequests(first: 10, orderBy: {field: CREATED_AT, direction: ASC}) {
        nodes { id account { name manager { id name __typename } } }
      }
    }"""
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(query, token=dispatcher.token))
    # then the manager is inside its account, and absent where there is none
    assert answers[0] == answers[2]
    accounts = [node["account"] for node in answers[2]["accountRequests"]["nodes"]]
    assert accounts[0]["manager"]["id"] == global_id("User", manager.row.id)
    assert accounts[1] == {"name": "Loose", "manager": None}
    if backends == "services":
        assert len(lane_statements(count_statements)) == 1
        assert reading(count_statements, "users") == []


@pytest.mark.fast_paths
@pytest.mark.parametrize(
    ("arguments", "joined"),
    [
        # a page filtered by equality: its limit written in, its plan kept
        ("first: 10, filter: {statuses: [OPEN]}", True),
        # a search: planned for its pattern at every execution
        ('first: 10, filter: {search: "motors"}', False),
    ],
)
async def test_related_rows_are_joined_where_the_page_keeps_its_plan(
    gql: GraphQLClient,
    count_statements: StatementCounter,
    backends: str,
    arguments: str,
    joined: bool,
) -> None:
    # given requests on an account whose name holds the search word
    requests = await _three_requests()
    admin = await staff(Role.ADMIN)
    shown = "nodes { note account { name } }"
    document = f"query LaneJoins {{ accountRequests({arguments}) {{ {shown} }} }}"
    # when the list is read until the lane writes it
    data = await read_three_times(gql, count_statements, document, token=admin.token)
    # then every request shows its account, however the statement reads it
    assert len(data["accountRequests"]["nodes"]) == len(requests)
    assert {node["account"]["name"] for node in data["accountRequests"]["nodes"]} == {
        'Quinn "Motors" — Ünit 7'
    }
    # and on PostgreSQL the account is joined to a page that keeps its plan, and read by
    # a subquery per item in a page planned each time
    lane = lane_statements(count_statements)
    if backends == "services":
        [statement] = lane
        assert ('LEFT JOIN "accounts"' in statement) is joined
        assert ('FROM "accounts" r1 WHERE' in statement) is not joined
    else:
        assert lane == []
