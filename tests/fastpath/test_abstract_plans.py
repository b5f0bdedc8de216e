"""Plans through interfaces and unions (fastpath/abstract.py, compiler.py,
completion.py).

A request's `linkedItems` are of the `LinkedItem` union: each value's runtime type is
resolved as graphql-core resolves it, and the values of each type are completed
together by a plan compiled for that type from the same selection. The suite's
execution check compares every answer with graphql-core's own; these tests make sure
the plans are really taken, and that a type resolver that fails gets the standard
answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types import union

from fastpath import STATS
from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.factories import make_account, staff
from tests.ids import gid
from tests.linked_items.operations import ADD_TASK, CREATE_INVOICE, LINK, invoice_input

LINKED = """query LinkedItems {
  accountRequests(first: 5) {
    nodes {
      note
      linkedItems(first: 10) {
        totalCount
        nodes {
          __typename
          ... on Task { title status }
          ... on Invoice { number total }
          ... on Node { id }
        }
      }
    }
  }
}"""


def _delta(before: tuple[int, int]) -> tuple[int, int]:
    return STATS.compiled - before[0], STATS.fallbacks - before[1]


async def _world() -> tuple[list[AccountRequest], Any, AccountRequestType]:
    request_type = await AccountRequestType.create(name="Billing")
    account = await make_account()
    requests = [
        await AccountRequest.create(
            account_id=account.id, type_id=request_type.id, note=f"N{n}", source=RequestSource.STAFF
        )
        for n in range(2)
    ]
    return requests, account, request_type


@pytest.mark.fast_paths
async def test_a_union_in_a_list_is_answered_by_the_plan(gql: GraphQLClient) -> None:
    # given a request with a task and an invoice linked
    admin, invoice_id = await _linked_task_and_invoice(gql)
    # when the requests are read with their linked items, twice
    answers = []
    for _ in range(2):
        before = (STATS.compiled, STATS.fallbacks)
        answers.append(await gql(LINKED, token=admin.token))
        assert _delta(before) == (1, 0)
    # then the plan answered both, each item by its own type's selection
    assert answers[0] == answers[1]
    linked = {n["note"]: n["linkedItems"] for n in answers[1]["accountRequests"]["nodes"]}
    assert linked["N1"] == {"totalCount": 0, "nodes": []}
    items = sorted(linked["N0"]["nodes"], key=lambda item: item["__typename"])
    assert [item["__typename"] for item in items] == ["Invoice", "Task"]
    assert items[0]["number"] == "INV-1" and items[0]["id"] == invoice_id
    assert items[1]["title"] == "Call back" and set(items[1]) == {
        "__typename",
        "title",
        "status",
        "id",
    }


async def _linked_task_and_invoice(gql: GraphQLClient) -> tuple[Any, str]:
    """A request (note N0) with a task and an invoice linked, one without (N1); an admin."""
    requests, account, _ = await _world()
    admin = await staff(Role.ADMIN)
    request_id = gid("AccountRequest", requests[0].id)
    task = {"input": {"accountRequestId": request_id, "title": "Call back"}}
    await gql(ADD_TASK, task, token=admin.token)
    created = await gql(CREATE_INVOICE, invoice_input(account), token=admin.token)
    invoice_id: str = created["createInvoice"]["invoice"]["id"]
    link = {"input": {"accountRequestId": request_id, "itemIds": [invoice_id]}}
    await gql(LINK, link, token=admin.token)
    return admin, invoice_id


@pytest.mark.fast_paths
async def test_a_union_type_resolver_that_fails_gives_the_standard_answer(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given linked items, read once, then a LinkedItem type resolver failing for tasks
    admin, _ = await _linked_task_and_invoice(gql)
    first = await gql(LINKED, token=admin.token)
    original = union.get_cast_type_name

    def failing(obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(obj).__name__ == "Task":
            raise RuntimeError("no type")
        return original(obj, *args, **kwargs)

    monkeypatch.setattr(union, "get_cast_type_name", failing)
    # when they are read again
    before = (STATS.compiled, STATS.fallbacks)
    body = await gql.raw(LINKED, token=admin.token)
    # then graphql-core answered: the task's error, the null (no item may be null)
    # reaching the root
    assert first["accountRequests"]["nodes"][0]["linkedItems"]["totalCount"] == 2
    assert STATS.compiled == before[0] and STATS.fallbacks > before[1]
    [error] = body["errors"]
    assert error["path"][:5] == ["accountRequests", "nodes", 0, "linkedItems", "nodes"]
    assert body["data"] is None
