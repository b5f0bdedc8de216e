"""Plans through interfaces and unions, and root fields returning lists
(fastpath/abstract.py, compiler.py, completion.py, executor.py).

`nodes(ids:)` returns `[Node]`, a request's `linkedItems` the `LinkedItem` union:
each value's runtime type is resolved as graphql-core resolves it, and the values of
each type are completed together by a plan compiled for that type from the same
selection. The suite's execution check compares every answer with graphql-core's
own; these tests make sure the plans are really taken, and that whatever graphql-core
would report (a type resolver that fails, or names a type that is not possible)
gets the standard answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema import schema_converter
from strawberry.types import union

from fastpath import CHECKING, STATS
from fastpath.executor import ProjectingExecutor
from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.factories import make_account, staff
from tests.ids import gid
from tests.linked_items.operations import ADD_TASK, CREATE_INVOICE, LINK, invoice_input

NODES = """query NodesBatch($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on AccountRequest { requestNumber: number status note account { ...AccountChip } }
    ... on Account { ...AccountChip }
    ... on AccountRequestType { name }
  }
}

fragment AccountChip on Account { id name number isActive __typename }"""

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

TYPES = """query RequestTypes {
  accountRequestTypes(includeInactive: true) {
    __typename id name isActive defaultAssignee { name }
  }
}"""


def _delta(before: tuple[int, int]) -> tuple[int, int]:
    return STATS.compiled - before[0], STATS.fallbacks - before[1]


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Each batch a plan completed: its object type and how many objects (the
    execution check's standard pass left out)."""
    seen: list[tuple[str, int]] = []
    original = ProjectingExecutor._complete_objects

    async def counted(self: Any, plan: Any, sources: Any, **kwargs: Any) -> Any:
        if not CHECKING.get():
            seen.append((plan.type.name, len(sources)))
        return await original(self, plan, sources, **kwargs)

    monkeypatch.setattr(ProjectingExecutor, "_complete_objects", counted)
    return seen


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


async def _ids() -> list[str | None]:
    requests, account, request_type = await _world()
    return [
        gid("AccountRequest", requests[0].id),
        gid("Account", account.id),
        gid("AccountRequest", 999_999),  # no such request: null
        gid("AccountRequestType", request_type.id),
        gid("AccountRequest", requests[1].id),
    ]


@pytest.mark.fast_paths
async def test_nodes_of_several_types_are_answered_by_a_plan_per_type(
    gql: GraphQLClient, batches: list[tuple[str, int]]
) -> None:
    # given two requests, their account, their type and an unknown ID, in that order
    ids = await _ids()
    dispatcher = await staff(Role.DISPATCHER)
    # when the batch is read (the standard way once, then by the compiled root)
    answers = []
    for _ in range(2):
        before = (STATS.compiled, STATS.fallbacks)
        answers.append(await gql(NODES, {"ids": ids}, token=dispatcher.token))
        # then a plan answered it each time (the execution check compared it)
        assert _delta(before) == (1, 0)
    assert answers[0] == answers[1]
    nodes = answers[1]["nodes"]
    assert [node and node["__typename"] for node in nodes] == [
        "AccountRequest",
        "Account",
        None,
        "AccountRequestType",
        "AccountRequest",
    ]
    assert [nodes[0]["note"], nodes[4]["note"]] == ["N0", "N1"]
    assert nodes[0]["account"] == nodes[1] and list(nodes[3]) == ["__typename", "id", "name"]
    # and the two requests were completed together, each type in a batch of its own
    assert ("AccountRequest", 2) in batches and ("AccountRequestType", 1) in batches


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


@pytest.mark.fast_paths
async def test_a_root_list_is_answered_by_the_compiled_root(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given request types, one with a default assignee
    assignee = await staff(Role.TECHNICIAN)
    await AccountRequestType.create(name="Billing", default_assignee_id=assignee.id)
    await AccountRequestType.create(name="Repair", is_active=False)
    admin = await staff(Role.ADMIN)
    compiled: list[Any] = []
    original = ProjectingExecutor.execute_compiled_root

    async def counted(self: Any) -> Any:
        data = await original(self)
        if not CHECKING.get():
            compiled.append(data)
        return data

    monkeypatch.setattr(ProjectingExecutor, "execute_compiled_root", counted)
    # when the list is read three times
    answers = []
    for _ in range(3):
        before = (STATS.compiled, STATS.fallbacks)
        answers.append(await gql(TYPES, token=admin.token))
        assert _delta(before) == (1, 0)
    # then the first by the plan in graphql-core's walk, the others by the compiled root
    assert answers[0] == answers[1] == answers[2]
    assert len(compiled) == 2 and None not in compiled
    types = {t["name"]: t for t in answers[2]["accountRequestTypes"]}
    assert types["Billing"]["defaultAssignee"] == {"name": assignee.user.name}
    assert types["Repair"]["isActive"] is False and types["Repair"]["defaultAssignee"] is None


@pytest.mark.fast_paths
@pytest.mark.parametrize("resolved", ["raises", "Query", "NoSuchType"])
async def test_a_type_resolver_graphql_core_would_refuse_gives_the_standard_answer(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, resolved: str
) -> None:
    # given the batch, read once, and then a Node type resolver that fails for
    # requests: raises, names a type that is not possible, or no type at all
    ids = await _ids()
    dispatcher = await staff(Role.DISPATCHER)
    first = await gql(NODES, {"ids": ids}, token=dispatcher.token)
    _resolve_requests_as(monkeypatch, resolved)
    # when it is read again
    before = (STATS.compiled, STATS.fallbacks)
    body = await gql.raw(NODES, {"ids": ids}, token=dispatcher.token)
    # then graphql-core answered it: the requests null, each with its error
    assert STATS.compiled == before[0]
    assert sorted(error["path"] for error in body["errors"]) == [["nodes", 0], ["nodes", 4]]
    nodes = body["data"]["nodes"]
    assert nodes[0] is None and nodes[4] is None
    assert nodes[1] == first["nodes"][1] and nodes[3] == first["nodes"][3]


@pytest.mark.fast_paths
async def test_a_possible_type_whose_check_passes_is_completed_as_graphql_core_does(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a Node type resolver naming Team for requests (Team's type check passes
    # for any Node: it is an instance of the interface's class)
    ids = await _ids()
    dispatcher = await staff(Role.DISPATCHER)
    _resolve_requests_as(monkeypatch, "Team")
    # when the batch is read
    before = (STATS.compiled, STATS.fallbacks)
    data = await gql(NODES, {"ids": ids}, token=dispatcher.token)
    # then the plan completed them as Team, as graphql-core does (the execution check)
    assert _delta(before) == (1, 0)
    assert data["nodes"][0] == {"__typename": "Team", "id": ids[0]}


def _resolve_requests_as(monkeypatch: pytest.MonkeyPatch, resolved: str) -> None:
    """Strawberry's Node type resolver, for account requests: raises, or names `resolved`."""
    original = schema_converter.get_cast_type_name

    def failing(obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(obj).__name__ == "AccountRequest":
            if resolved == "raises":
                raise RuntimeError("no type")
            return resolved
        return original(obj, *args, **kwargs)

    monkeypatch.setattr(schema_converter, "get_cast_type_name", failing)
