"""The compiled root (fastpath/executor.py) for documents as clients write them: root
fields in fragments on Query (Relay), several root fields (Apollo screens, settings
pages). Anything one root field cannot answer sends the whole operation the
standard way.

The suite's execution check compares every compiled-root answer with graphql-core's
own execution (`DirectQueries._check_compiled_root`); these tests make sure the
compiled root is taken where it may be, and only there.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from api.settings import load_settings
from fastpath import CHECKING
from fastpath.executor import ProjectingExecutor
from fastpath.keys import _root_candidate
from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from models.request_types import AccountRequestType
from schema import build_schema
from tests.client import GraphQLClient, error_codes
from tests.conftest import StatementCounter
from tests.factories import make_account, staff

RELAY = """query RelayRequestsQuery($first: Int) {
  ...RequestsScreen_requests
}

fragment RequestsScreen_requests on Query {
  ... on Query {
    accountRequests(first: $first) {
      totalCount
      edges { node { ...RequestRow_request id __typename } cursor }
    }
  }
  accountRequests(first: $first) { pageInfo { hasNextPage } }
}

fragment RequestRow_request on AccountRequest {
  note
  status
  account { name }
}"""

TWO_ROOTS = """query TwoRootsQuery($first: Int) {
  ...Dashboard_requests
  counts: accountRequestCounts { total byStatus { status count } }
  __typename
}

fragment Dashboard_requests on Query {
  accountRequests(first: $first) { nodes { id note } }
}"""

TWO_LISTS = """query TwoListsQuery {
  accounts(first: 5) { nodes { id name } }
  newest: accountRequests(first: 1) { nodes { id note } }
  accountRequests(first: 5) { nodes { id note } }
}"""

SHARED = """query SharedOne { ...Shared_requests }
query SharedTwo { ...Shared_requests counts: accountRequestCounts { total } }

fragment Shared_requests on Query {
  accountRequests(first: 2) { nodes { id note } }
}"""

UNPLANNED = """query UnplannedRoot {
  accountRequests(first: 2) { nodes { id note } }
  unreadNotificationCount
}"""

BAD_CURSOR = """query SecondRootFails($after: String) {
  accountRequestCounts { total }
  accountRequests(first: 2, after: $after) { nodes { id } }
}"""


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any] | None]:
    """What each compiled-root attempt answered (None: it gave the operation back)."""
    answers: list[dict[str, Any] | None] = []
    original = ProjectingExecutor.execute_compiled_root

    async def counted(self: Any) -> Any:
        data = await original(self)
        if not CHECKING.get():
            answers.append(data)
        return data

    monkeypatch.setattr(ProjectingExecutor, "execute_compiled_root", counted)
    return answers


async def _requests(count: int) -> None:
    request_type = await AccountRequestType.create(name="Billing")
    account = await make_account()
    for n in range(count):
        await AccountRequest.create(
            account_id=account.id, type_id=request_type.id, note=f"N{n}", source=RequestSource.STAFF
        )


async def _post(gql: GraphQLClient, query: str, operation: str, token: str) -> dict[str, Any]:
    response = await gql.http.post(
        "/graphql",
        json={"query": query, "operationName": operation},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.fast_paths
async def test_root_fields_in_fragments_on_query_are_answered_by_the_compiled_root(
    gql: GraphQLClient, core_runs: list[object], compiled: list[Any]
) -> None:
    # given three requests and a Relay document (its root field in a spread on Query,
    # merged from an inline fragment and the fragment itself), read once
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    first = await gql(RELAY, {"first": 2}, token=dispatcher.token)
    # when it is read again
    again = await gql(RELAY, {"first": 2}, token=dispatcher.token)
    # then the compiled root answered it, the same (and as graphql-core does: the check)
    assert again == first and len(compiled) == 1 and None not in compiled and core_runs == []
    connection = again["accountRequests"]
    assert list(connection) == ["totalCount", "edges", "pageInfo"]
    assert connection["totalCount"] == 3 and len(connection["edges"]) == 2
    assert connection["pageInfo"] == {"hasNextPage": True}


@pytest.mark.fast_paths
async def test_several_root_fields_are_answered_by_the_compiled_root_in_document_order(
    gql: GraphQLClient, core_runs: list[object], compiled: list[Any]
) -> None:
    # given requests and a document of a spread root field, an aliased one and
    # `__typename`, read once
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    first = await gql(TWO_ROOTS, {"first": 2}, token=dispatcher.token)
    # when it is read again, and with other variables
    again = await gql(TWO_ROOTS, {"first": 2}, token=dispatcher.token)
    more = await gql(TWO_ROOTS, {"first": 5}, token=dispatcher.token)
    # then the compiled root answered both, keys in the document's order
    assert again == first and core_runs == [] and len(compiled) == 2 and None not in compiled
    assert list(again) == ["accountRequests", "counts", "__typename"]
    assert again["__typename"] == "Query" and again["counts"]["total"] == 3
    assert [len(data["accountRequests"]["nodes"]) for data in (again, more)] == [2, 3]


@pytest.mark.fast_paths
async def test_two_root_lists_are_each_answered_by_their_own_plan(
    gql: GraphQLClient,
    core_runs: list[object],
    compiled: list[Any],
    count_statements: StatementCounter,
    backends: str,
) -> None:
    # given two lists at the root (on PostgreSQL each written by the database, each
    # into its own slot)
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(TWO_LISTS, token=dispatcher.token))
    # then the last two came from the compiled root, equal to the first
    assert answers[0] == answers[1] == answers[2] and core_runs == []
    assert len(compiled) == 2 and None not in compiled
    assert len(answers[2]["accounts"]["nodes"]) == 1 and len(answers[2]["newest"]["nodes"]) == 1
    assert sorted(n["note"] for n in answers[2]["accountRequests"]["nodes"]) == ["N0", "N1"]
    # and on PostgreSQL each list was written by the JSON lane (the two request lists by
    # keyset, the accounts by position), the three run as one statement
    lane = [sql for sql in count_statements.statements if "json_build_object" in sql]
    assert len(lane) == (1 if backends == "services" else 0)
    assert [sql.count("row_to_json(s)") for sql in lane] == [3] * len(lane)


@pytest.mark.fast_paths
async def test_a_fragment_shared_by_two_operations_is_not_seen_through(
    gql: GraphQLClient, core_runs: list[object], compiled: list[Any]
) -> None:
    # given a document whose two operations spread the same fragment on Query
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    first = await _post(gql, SHARED, "SharedOne", dispatcher.token)
    # when one of them is read again
    again = await _post(gql, SHARED, "SharedOne", dispatcher.token)
    # then graphql-core answered it: the fragment's field nodes belong to both
    assert again == first and "errors" not in again and len(core_runs) == 1
    assert compiled == []
    schema = build_schema(load_settings())._schema
    assert _root_candidate(schema, parse(SHARED), "SharedOne") is None


@pytest.mark.fast_paths
async def test_a_root_field_without_a_plan_sends_the_operation_the_standard_way(
    gql: GraphQLClient, core_runs: list[object], compiled: list[Any]
) -> None:
    # given a page beside a count (an Int: no plan), read once
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    first = await gql(UNPLANNED, token=dispatcher.token)
    # when it is read again
    again = await gql(UNPLANNED, token=dispatcher.token)
    # then graphql-core answered the whole operation, the compiled root never tried
    assert again == first and len(core_runs) == 1 and compiled == []
    assert list(again) == ["accountRequests", "unreadNotificationCount"]


@pytest.mark.fast_paths
async def test_an_error_in_one_root_field_gives_the_standard_answer(
    gql: GraphQLClient, core_runs: list[object], compiled: list[Any]
) -> None:
    # given counts beside a page, admitted and compiled
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    await gql(BAD_CURSOR, token=dispatcher.token)
    await gql(BAD_CURSOR, token=dispatcher.token)
    assert compiled[-1] is not None
    # when the page comes with a cursor that is not one of this list
    body = await gql.raw(BAD_CURSOR, {"after": "not-a-cursor"}, token=dispatcher.token)
    # then the compiled root gave it back, and the standard answer has the error
    assert compiled[-1] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["accountRequests"] and body["data"] is None


def test_root_candidates_see_through_fragments_of_one_operation_only() -> None:
    schema = build_schema(load_settings())._schema
    relay = _root_candidate(schema, parse(RELAY), None)
    assert relay is not None and [len(nodes) for _, nodes in relay] == [2]
    roots = _root_candidate(schema, parse(TWO_ROOTS), None)
    assert roots is not None
    assert [output and output.name for output, _ in roots] == [
        "AccountRequestConnection",
        "AccountRequestCounts",
        None,
    ]
    assert _root_candidate(schema, parse(UNPLANNED), None) is None
    directive = """query D($on: Boolean!) { ...F }
    fragment F on Query { companySettings @include(if: $on) { __typename } }"""
    assert _root_candidate(schema, parse(directive), None) is None
