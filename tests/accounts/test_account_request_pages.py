"""Account.accountRequests reads one page of each account's requests, not all of them,
and answers exactly what paging the whole list answered."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from tortoise import connections

from models.account_requests import AccountRequest
from models.accounts import Account
from models.permissions import Role
from schema.relay.connections import PageArgs
from schema.relay.offset_paging import paginate_list
from tests.account_requests.rows import day, make_request, make_type
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid

PAGE = """
query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on Account {
      accountRequests(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { number } }
      }
    }
  }
}
"""

ACCOUNTS = """
query Accounts($first: Int!) {
  accounts(first: 50) {
    nodes {
      id
      accountRequests(first: $first) {
        totalCount pageInfo { hasNextPage endCursor } nodes { number }
      }
    }
  }
}
"""


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{position}".encode()).decode().rstrip("=")


async def _account_with_requests() -> tuple[Account, list[AccountRequest]]:
    """Nine requests, two of them created at the same moment (the ID decides), three
    internal; beside them requests of other accounts."""
    kind = await make_type()
    account = await make_account()
    other = await make_account()
    rows = []
    for n, made in enumerate((5, 2, 7, 7, 1, 9, 3, 4, 6)):
        rows.append(await make_request(account, kind, note=f"r{n}", created_at=day(made)))
        await make_request(other, kind, created_at=day(made))
    await AccountRequest.filter(id__in=[rows[1].id, rows[3].id, rows[8].id]).update(internal=True)
    return account, rows


def _expected(ordered: list[int], variables: dict[str, Any]) -> dict[str, Any]:
    """What paging the whole list answers (schema.relay.offset_paging.paginate_list)."""
    args = PageArgs(*(variables.get(name) for name in ("first", "after", "last", "before")))
    page = paginate_list(ordered, args)
    edges = [{"cursor": edge.position(), "node": {"number": edge.node}} for edge in page.edges]
    return {
        "totalCount": len(ordered),
        "pageInfo": {
            "hasNextPage": page.page_info.has_next_page,
            "hasPreviousPage": page.page_info.has_previous_page,
            "startCursor": page.page_info.start_cursor,
            "endCursor": page.page_info.end_cursor,
        },
        "edges": edges,
    }


def _paging() -> Iterator[dict[str, Any]]:
    cursors = [None, cursor(0), cursor(2), cursor(5), cursor(6), cursor(20), cursor(2**31 - 1)]
    for first, after, before in itertools.product([None, 0, 1, 3, 100], cursors, cursors):
        yield {"first": first, "after": after, "before": before}
    for last, after, before in itertools.product([1, 3, 100], cursors[:3], cursors):
        yield {"last": last, "after": after, "before": before}


@pytest.mark.parametrize("viewer", ["dispatcher", "portal contact"])
async def test_every_page_is_the_page_of_the_whole_list(gql: GraphQLClient, viewer: str) -> None:
    # given an account's requests, and who looks at them (a contact sees no internal ones)
    account, rows = await _account_with_requests()
    person: Person = (
        await staff(Role.DISPATCHER) if viewer == "dispatcher" else await portal_contact(account)
    )
    stored = await AccountRequest.filter(id__in=[row.id for row in rows])
    shown = [row for row in stored if viewer == "dispatcher" or not row.internal]
    ordered = [row.id for row in sorted(shown, key=lambda r: (r.created_at, r.id), reverse=True)]
    for paging in _paging():
        # when the account's requests are paged so
        data = await gql(PAGE, {"id": gid("Account", account.id), **paging}, token=person.token)
        # then the answer is the whole list's page
        assert data["node"]["accountRequests"] == _expected(ordered, paging), paging


async def test_a_cursor_of_another_kind_is_refused_as_before(gql: GraphQLClient) -> None:
    account, _ = await _account_with_requests()
    dispatcher = await staff(Role.DISPATCHER)
    for argument in ("after", "before"):
        response = await gql.raw(
            PAGE,
            {"id": gid("Account", account.id), "first": 2, argument: "bm90LWEtY3Vyc29y"},
            token=dispatcher.token,
        )
        [error] = response["errors"]
        assert error["message"] == f"`{argument}` is not a cursor of this list.", error


async def _accounts(count: int, requests: int) -> None:
    kind = await make_type()
    for _ in range(count):
        account = await make_account()
        for n in range(requests):
            await make_request(account, kind, created_at=day(n % 5))


class RowsRead:
    """The rows each statement on account_requests handed back (spied on the client)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[tuple[str, int]] = []
        client = type(connections.get("default"))
        original = client.execute_query

        async def execute_query(self_: Any, query: str, values: Any = None) -> Any:
            result = await original(self_, query, values)
            if '"account_requests"' in query:
                self.read.append((query, len(result[1])))
            return result

        monkeypatch.setattr(client, "execute_query", execute_query)


async def test_a_page_of_accounts_reads_at_most_first_plus_one_requests_of_each(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three accounts with two requests each, and a dispatcher
    await _accounts(3, 2)
    dispatcher = await staff(Role.DISPATCHER)
    spy = RowsRead(monkeypatch)

    async def statements() -> tuple[int, dict[str, Any]]:
        count_statements.statements.clear()
        spy.read.clear()
        return count_statements.count, await gql(ACCOUNTS, {"first": 3}, token=dispatcher.token)

    few, _ = await statements()
    # when there are four times the accounts, each with ten times the requests
    await _accounts(9, 20)
    many, data = await statements()
    # then the statements are as many
    assert many == few, count_statements.statements
    nodes = data["accounts"]["nodes"]
    assert len(nodes) == 12
    by_size = sorted(node["accountRequests"]["totalCount"] for node in nodes)
    assert by_size == [2] * 3 + [20] * 9
    for node in nodes:
        page = node["accountRequests"]
        assert len(page["nodes"]) == min(3, page["totalCount"])
        assert page["pageInfo"]["hasNextPage"] == (page["totalCount"] > 3)
    # and no statement handed over more than first + 1 requests of each account
    assert spy.read, "no statement read account_requests"
    for query, rows in spy.read:
        assert rows <= 4 * len(nodes), query
