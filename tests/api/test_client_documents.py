"""Documents shaped as real clients send them answer exactly as standard execution.

Apollo, Relay, urql and GraphiQL write screens as named (and nested) fragments,
put several operations in one document and pick one by `operationName`, and send
the same document again and again. Each case below failed before the fix it
names (issue 19); each is sent several times, since later sends take the fast
paths (the direct lane admits a document after its first clean run, plans are
cached per document).
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
import pytest

from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from tests.account_requests.rows import make_type
from tests.client import GraphQLClient
from tests.factories import make_account, staff

SENDS = 3

FRAGMENT_ON_SETTINGS = """
query { companySettings { ...C } }
fragment C on CompanySettings { currency maxPhotosPerRequest }
"""

NESTED_FRAGMENTS = """
query Dashboard($first: Int!) {
  accountRequests(first: $first) { ...Page }
}
fragment Page on AccountRequestConnection {
  __typename
  totalCount
  nodes { ...Row }
  pageInfo { __typename hasNextPage endCursor }
}
fragment Row on AccountRequest { __typename id note account { ...Named } }
fragment Named on Account { __typename id name }
"""

# Two operations sharing one fragment on Query: each must get its own plan.
SHARED_ROOT_FRAGMENT = """
query WithCount { ...List accountRequests(first: 5) { totalCount } }
query WithEdges {
  ...List
  accountRequests(first: 5) { edges { cursor node { id account { name } } } pageInfo { endCursor } }
}
query NodesOnly { ...List }
fragment List on Query { accountRequests(first: 5) { nodes { id note } } }
"""


async def _requests(count: int) -> None:
    request_type = await make_type("Billing")
    for n in range(count):
        account = await make_account()
        await AccountRequest.create(
            account_id=account.id,
            type_id=request_type.id,
            note=f"Request {n}",
            source=RequestSource.STAFF,
        )


async def _send(
    gql: GraphQLClient, query: str, token: str, name: str | None = None, **variables: Any
) -> dict[str, Any]:
    """The `data` of `SENDS` sends of one operation, which must all agree."""
    answers = []
    for _ in range(SENDS):
        response = await gql.http.post(
            "/graphql",
            json={"query": query, "variables": variables, "operationName": name},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        answers.append(body["data"])
    assert all(answer == answers[0] for answer in answers), answers
    data: dict[str, Any] = answers[0]
    return data


async def test_a_named_fragment_is_answered(gql: GraphQLClient) -> None:
    # given an admin
    admin = await staff(Role.ADMIN)
    # when GraphiQL-style code sends the smallest fragment query
    data = await _send(gql, FRAGMENT_ON_SETTINGS, admin.token)
    # then it answers (it was "Unexpected error": FragmentDetails is no AST node)
    assert data == {"companySettings": {"currency": "USD", "maxPhotosPerRequest": 50}}


async def test_nested_fragments_on_a_list_are_answered(gql: GraphQLClient) -> None:
    # given three requests
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    # when a screen written as nested fragments reads them
    data = await _send(gql, NESTED_FRAGMENTS, dispatcher.token, first=2)
    # then every fragment's fields are there
    page = data["accountRequests"]
    assert page["__typename"] == "AccountRequestConnection"
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["endCursor"]
    assert [set(row) for row in page["nodes"]] == [{"__typename", "id", "note", "account"}] * 2
    assert all(row["account"]["__typename"] == "Account" for row in page["nodes"])


async def test_operations_sharing_a_root_fragment_each_get_their_own_answer(
    gql: GraphQLClient,
) -> None:
    # given three requests
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    # when the operations of one document are sent in turn, twice over
    for _ in range(2):
        with_count = await _send(gql, SHARED_ROOT_FRAGMENT, dispatcher.token, "WithCount")
        with_edges = await _send(gql, SHARED_ROOT_FRAGMENT, dispatcher.token, "WithEdges")
        nodes_only = await _send(gql, SHARED_ROOT_FRAGMENT, dispatcher.token, "NodesOnly")
        # then each answers what it asked for, no more and no less
        assert set(with_count["accountRequests"]) == {"nodes", "totalCount"}
        assert with_count["accountRequests"]["totalCount"] == 3
        edges = with_edges["accountRequests"]
        assert set(edges) == {"nodes", "edges", "pageInfo"}
        assert len(edges["edges"]) == 3
        assert all(edge["node"]["account"]["name"] for edge in edges["edges"])
        assert edges["pageInfo"]["endCursor"] == edges["edges"][-1]["cursor"]
        assert set(nodes_only["accountRequests"]) == {"nodes"}
        assert [set(row) for row in nodes_only["accountRequests"]["nodes"]] == [{"id", "note"}] * 3


async def test_deeply_nested_variables_are_refused_with_a_code(http: httpx.AsyncClient) -> None:
    # given a document that has answered cleanly before (so the direct lane admits it)
    query = "{ __typename }"
    first = await http.post("/graphql", json={"query": query})
    assert first.json() == {"data": {"__typename": "Query"}}
    # when it is sent again with a variable nested far deeper than any input type
    depth = 600  # deeper than Python's stack allows a recursive walk, within JSON's limit
    nested = "[" * depth + '"x"' + "]" * depth
    body = '{"query": "' + query + '", "variables": {"v": ' + nested + "}}"
    for _ in range(2):
        response = await http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        # then it is a coded refusal, not an HTTP 500 or a raw RecursionError text
        assert response.status_code == 200, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "recursion" not in error["message"].lower()


async def test_a_subscription_over_http_is_refused_with_a_clear_code(
    http: httpx.AsyncClient,
) -> None:
    # given a signed-in user
    admin = await staff(Role.ADMIN)
    query = "subscription { notificationAdded { id } }"
    headers = {"authorization": f"Bearer {admin.token}", "x-docket-csrf": "1"}
    # when a client sends a subscription by POST and by GET
    posted = await http.post("/graphql", json={"query": query}, headers=headers)
    got = await http.get("/graphql", params={"query": query}, headers=headers)
    # then both are told to use the WebSocket, with a code
    for response in (posted, got):
        assert response.status_code == 200 or response.status_code == 400, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "OPERATION_NOT_SUPPORTED", error
        assert "WebSocket" in error["message"]


LIST = """
query List($filter: AccountRequestFilter, $after: String, $order: AccountRequestOrder) {
  accountRequests(first: 5, filter: $filter, after: $after, orderBy: $order) { nodes { id } }
}
"""


def _cursor(*parts: Any) -> str:
    raw = orjson.dumps(list(parts))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_VALUES: list[tuple[str, dict[str, Any], str]] = [
    ("NUL in a search", {"filter": {"search": "leak\u0000"}}, "filter.search"),
    ("NUL in a cursor", {"after": "cur\u0000sor"}, "after"),
    (
        "NUL inside a cursor's sort value",
        {
            "after": _cursor("sort", "account__name", ["v", "Acme\u0000"], 1),
            "order": {"field": "ACCOUNT_NAME", "direction": "ASC"},
        },
        "after",
    ),
    (
        "a sort value beyond 32 bits",
        {
            "after": _cursor("sort", "status_rank", ["v", 2**40], 1),
            "order": {"field": "STATUS", "direction": "ASC"},
        },
        "after",
    ),
    (
        "a sort value beyond 64 bits",
        {
            "after": _cursor("sort", "status_rank", ["v", 2**63 - 1], 1),
            "order": {"field": "STATUS", "direction": "ASC"},
        },
        "after",
    ),
    (
        "a cursor time past year 9999 in UTC",
        {"after": _cursor("sort", "updated_at", ["t", "9999-12-31T23:00:00-05:00"], 1)},
        "after",
    ),
    (
        "a cursor time before year 1 in UTC",
        {"after": _cursor("sort", "updated_at", ["t", "0001-01-01T00:00:00+05:00"], 1)},
        "after",
    ),
    (
        "a filter time past year 9999 in UTC",
        {"filter": {"createdAfter": "9999-12-31T23:00:00-05:00"}},
        "filter",
    ),
    (
        "a filter time before year 1 in UTC",
        {"filter": {"updatedBefore": "0001-01-01T00:30:00+01:00"}},
        "filter",
    ),
]


@pytest.mark.parametrize(("case", "variables", "named"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
async def test_values_the_database_cannot_hold_are_refused_by_name(
    http: httpx.AsyncClient, case: str, variables: dict[str, Any], named: str
) -> None:
    # given a dispatcher and a request to list
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    headers = {"authorization": f"Bearer {dispatcher.token}"}
    for _ in range(SENDS):
        # when a list is asked for with a value no column can hold
        response = await http.post(
            "/graphql", json={"query": LIST, "variables": variables}, headers=headers
        )
        # then it is refused with a code naming the argument, not "Unexpected error"
        assert response.status_code == 200, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (case, error)
        assert named.split(".")[0] in error["message"] + str(error["extensions"]), (case, error)


async def test_a_huge_offset_cursor_is_refused(http: httpx.AsyncClient) -> None:
    # given an admin and an offset-paged list
    admin = await staff(Role.ADMIN)
    cursor = base64.urlsafe_b64encode(f"cursor:{10**30}".encode()).decode()
    # when a cursor names an offset no database takes
    response = await http.post(
        "/graphql",
        json={
            "query": "query($a: String) { accounts(after: $a) { nodes { id } } }",
            "variables": {"a": cursor},
        },
        headers={"authorization": f"Bearer {admin.token}"},
    )
    # then it is a coded refusal naming `after`
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "after" in error["message"]


async def test_a_nul_in_a_literal_is_refused_by_name(http: httpx.AsyncClient) -> None:
    # given a dispatcher
    dispatcher = await staff(Role.DISPATCHER)
    # when a document's own literal holds a NUL character
    query = '{ accountRequests(filter: {search: "a\\u0000b"}) { nodes { id } } }'
    response = await http.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {dispatcher.token}"}
    )
    # then the argument is named, with a code
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "filter.search" in error["message"]


@pytest.mark.parametrize("field", ["users", "accounts", "accountRequests"])
async def test_a_search_longer_than_anyone_searches_is_refused(
    http: httpx.AsyncClient, field: str
) -> None:
    # given an admin
    admin = await staff(Role.ADMIN)
    # when a list is searched for 50,001 characters (SQLite gave up: "Unexpected error")
    query = f"query($s: String) {{ {field}(filter: {{search: $s}}) {{ totalCount }} }}"
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": {"s": "x" * 50_001}},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    # then it is refused by name
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "filter.search" in error["message"]
