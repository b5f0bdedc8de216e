"""The direct lane (schema/direct.py): queries seen before skip Strawberry's extension
machinery, and anything it is not sure about still goes the standard way."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from fastpath import CHECKING
from fastpath.direct import DirectQueries
from fastpath.executor import ProjectingExecutor
from fastpath.keys import arguments_key
from models.account_requests import AccountRequest, RequestSource, RequestStatus
from models.permissions import Role
from models.request_types import AccountRequestType
from models.validation import MAX_LIST_ITEMS
from schema.extensions import DocketSchema
from tests.client import GraphQLClient, assert_forbidden, error_codes
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import submitted


def queue(name: str) -> str:
    """The review queue with job drafts, under an operation name of its own: admission
    lasts as long as the process, so each test sends a text no other test sent."""
    return (
        f"query {name} {{ serviceRequests(first: 5) {{ nodes {{ id jobDraft {{ priority }} }} }} }}"
    )


BY_STATUS = """query ByStatus($statuses: [RequestStatus!]) {
  accountRequests(first: 1, filter: {statuses: $statuses}) { totalCount }
}"""


@pytest.fixture
def standard_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations Strawberry's `Schema.execute` ran (the standard lane)."""
    runs: list[str] = []
    original = DocketSchema.execute

    async def counted(self: Any, query: str | None, *args: Any, **kwargs: Any) -> Any:
        runs.append(query or "")
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(DocketSchema, "execute", counted)
    return runs


async def _one_pending(gql: GraphQLClient) -> tuple[Any, Any]:
    """A pending service request: the portal contact who submitted it, and a dispatcher."""
    account = await make_account()
    contact = await portal_contact(account)
    await submitted(gql, contact, await make_site(account))
    return contact, await staff(Role.DISPATCHER)


async def _requests(count: int) -> None:
    request_type = await AccountRequestType.create(name="Billing")
    account = await make_account()
    for n in range(count):
        await AccountRequest.create(
            account_id=account.id, type_id=request_type.id, note=f"N{n}", source=RequestSource.STAFF
        )


@pytest.mark.fast_paths
async def test_a_query_answered_cleanly_once_runs_directly_after(
    gql: GraphQLClient, standard_runs: list[str]
) -> None:
    # given a queue with one request, read once by a dispatcher
    _, dispatcher = await _one_pending(gql)
    query = queue("Repeated")
    first = await gql(query, token=dispatcher.token)
    # when the same query comes again
    again = await gql(query, token=dispatcher.token)
    # then the same answer came without the standard lane
    assert again == first and first["serviceRequests"]["nodes"][0]["jobDraft"] is not None
    assert standard_runs.count(query) == 1


async def test_mutations_always_take_the_standard_lane(
    gql: GraphQLClient, standard_runs: list[str]
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    mutation = "mutation { logout { ok } }"
    for _ in range(2):
        await gql.raw(mutation, token=dispatcher.token)
        dispatcher = await staff(Role.DISPATCHER)
    assert standard_runs.count(mutation) == 2


async def test_an_answer_with_errors_is_given_by_the_standard_lane(
    gql: GraphQLClient, standard_runs: list[str]
) -> None:
    # given the queue query admitted by a dispatcher
    contact, dispatcher = await _one_pending(gql)
    query = queue("Refused")
    await gql(query, token=dispatcher.token)
    # when a portal contact, who may not read job drafts, sends the same text
    body = await gql.raw(query, token=contact.token)
    # then the refusal comes worded and coded by the standard lane
    assert_forbidden(body)
    assert body["errors"][0]["path"][-1] == "jobDraft"
    assert standard_runs.count(query) == 2


async def test_over_long_variable_lists_are_refused_after_admission(gql: GraphQLClient) -> None:
    # given a query admitted with a short list
    dispatcher = await staff(Role.DISPATCHER)
    await gql(BY_STATUS, {"statuses": ["OPEN"]}, token=dispatcher.token)
    # when it comes with a list over the cap
    over = {"statuses": ["OPEN"] * (MAX_LIST_ITEMS + 1)}
    body = await gql.raw(BY_STATUS, over, token=dispatcher.token)
    # then the standard lane refuses it, as it would have the first time
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.fast_paths
async def test_the_execution_check_catches_a_direct_answer_that_differs(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a direct lane that would answer something else
    original = DirectQueries._run

    async def wrong(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, *args, **kwargs)
        if result is not None:
            result.data = {"tampered": True}
        return result

    monkeypatch.setattr(DirectQueries, "_run", wrong)
    dispatcher = await staff(Role.DISPATCHER)
    # when a query is admitted under EXECUTION_CHECK (the suite's setting)
    response = await gql.http.post(
        "/graphql",
        json={"query": "query CheckedMe { me { __typename } }"},
        headers={"authorization": f"Bearer {dispatcher.token}"},
    )
    # then the request fails instead of answering
    assert response.status_code == 500


async def test_a_text_longer_than_64_kb_is_never_admitted(
    gql: GraphQLClient, standard_runs: list[str]
) -> None:
    # given a query padded past 64 KB with a comment
    dispatcher = await staff(Role.DISPATCHER)
    query = "# " + "x" * (64 * 1024) + "\nquery Long { __typename }"
    # when it comes twice, then both times it goes the standard way
    for _ in range(2):
        assert await gql(query, token=dispatcher.token) == {"__typename": "Query"}
    assert standard_runs.count(query) == 2


def page(name: str) -> str:
    """Two account requests a page, under an operation name of its own (see `queue`)."""
    return (
        f"query {name}($after: String) {{ accountRequests(first: 2, after: $after)"
        " { nodes { id note } pageInfo { endCursor } } }"
    )


@pytest.mark.fast_paths
async def test_a_compiled_one_field_query_runs_from_its_root_resolver_to_its_plan(
    gql: GraphQLClient, standard_runs: list[str], core_runs: list[object]
) -> None:
    # given three requests, and the page query read once (admitted, its plan compiled)
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    query = page("RootPage")
    first = await gql(query, token=dispatcher.token)
    # when it is read again, and on from its cursor
    again = await gql(query, token=dispatcher.token)
    after = again["accountRequests"]["pageInfo"]["endCursor"]
    rest = await gql(query, {"after": after}, token=dispatcher.token)
    # then the answers are the same (the suite's check compared them with graphql-core's
    # own execution), and neither lane's executor ran for them
    assert again == first and len(rest["accountRequests"]["nodes"]) == 1
    assert standard_runs.count(query) == 1 and core_runs == []


@pytest.mark.fast_paths
async def test_a_root_resolver_error_is_answered_by_the_standard_lane(
    gql: GraphQLClient, standard_runs: list[str], core_runs: list[object]
) -> None:
    # given the page query admitted and compiled
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    query = page("RootPageBadCursor")
    await gql(query, token=dispatcher.token)
    # when it comes with a cursor that is not one of this list
    body = await gql.raw(query, {"after": "not-a-cursor"}, token=dispatcher.token)
    # then the standard lane answers with the resolver's error, worded and coded
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert standard_runs.count(query) == 2 and len(core_runs) == 1


@pytest.mark.fast_paths
async def test_the_execution_check_catches_a_compiled_root_that_differs(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a compiled root that would answer something else
    original = ProjectingExecutor.execute_compiled_root

    async def wrong(self: Any) -> Any:
        data = await original(self)
        return {"accountRequests": {"tampered": True}} if data is not None else None

    monkeypatch.setattr(ProjectingExecutor, "execute_compiled_root", wrong)
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    query = "query CheckedRoot { accountRequests(first: 1) { nodes { id } } }"
    await gql(query, token=dispatcher.token)
    # when the admitted query runs again under EXECUTION_CHECK (the suite's setting)
    response = await gql.http.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {dispatcher.token}"}
    )
    # then the request fails instead of answering
    assert response.status_code == 500


@pytest.mark.fast_paths
async def test_a_query_without_a_compiled_root_builds_one_executor(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given `{ me { __typename } }` admitted (a union at the root, so no plan), and a
    # count of the executors built for it afterwards
    dispatcher = await staff(Role.DISPATCHER)
    query = "query OneExecutor { me { __typename } }"
    await gql(query, token=dispatcher.token)
    built: list[object] = []
    original = ProjectingExecutor.build.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if not CHECKING.get():
            built.append(args[1])
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(ProjectingExecutor, "build", classmethod(counted))
    # when it comes again, then the direct lane built graphql-core's executor only
    assert await gql(query, token=dispatcher.token) == {"me": {"__typename": "User"}}
    assert len(built) == 1


async def test_a_compiled_root_reads_each_requests_own_variables(gql: GraphQLClient) -> None:
    # given two open requests and a completed one, and a page query admitted
    await _requests(3)
    first = await AccountRequest.all().order_by("id").first()
    assert first is not None
    await AccountRequest.filter(id=first.id).update(status=RequestStatus.COMPLETED)
    dispatcher = await staff(Role.DISPATCHER)
    query = """query RootVariables($first: Int!, $statuses: [RequestStatus!]) {
      accountRequests(first: $first, filter: {statuses: $statuses}) { nodes { status } }
    }"""

    async def statuses(**variables: Any) -> list[str]:
        data = await gql(query, variables, token=dispatcher.token)
        return [node["status"] for node in data["accountRequests"]["nodes"]]

    # when it is read with other variable values, and the first ones again
    assert await statuses(first=1, statuses=["OPEN"]) == ["OPEN"]
    assert await statuses(first=2, statuses=["OPEN"]) == ["OPEN", "OPEN"]
    assert await statuses(first=2, statuses=["COMPLETED"]) == ["COMPLETED"]
    assert await statuses(first=2, statuses=None) == ["OPEN", "OPEN"]
    # then each answer was its own variables' (the remembered arguments included)
    assert await statuses(first=1, statuses=["OPEN"]) == ["OPEN"]


def test_argument_keys_tell_values_and_types_apart_and_refuse_what_they_cannot_key() -> None:
    node = parse("query($a: Int, $b: [String]) { f(x: $a, y: {z: $b}) }").definitions[0]
    field = node.selection_set.selections[0]  # type: ignore[attr-defined]
    keys = [
        arguments_key(field, values)
        for values in ({"a": 1}, {"a": True}, {"a": 1, "b": ["q"]}, {"a": 1, "b": None}, {})
    ]
    assert len(set(keys)) == 5
    assert arguments_key(field, {"a": object()}) is None
