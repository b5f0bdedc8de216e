"""Compiled projections answer the lists clients read all day, exactly as standard execution.

The whole suite runs with EXECUTION_CHECK on (tests/conftest.py): every query a
test sends is completed both ways and any difference fails it. These tests make
sure the fast path is really taken for the shapes that matter, and that what it
does not cover falls back to standard execution with the same answer and errors.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from strawberry.schema import schema_converter

from fastpath import CHECKING, STATS, json_lane
from fastpath.executor import ProjectingExecutor
from models import service_requests
from models.account_requests import AccountRequest, RequestSource
from models.permissions import Role
from models.request_types import AccountRequestType
from schema.relay import keyset_paging
from schema.service_requests.permissions import CanReview
from tests.client import GraphQLClient
from tests.factories import make_account, make_contact, make_site, portal_contact, staff
from tests.service_requests.operations import submitted

DASHBOARD = """
query Dashboard($first: Int!) {
  accountRequests(first: $first, filter: {statuses: [OPEN]},
                  orderBy: {field: UPDATED_AT, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { __typename id status note createdAt updatedAt type { name } account { name number }
            assignee { name } contact { name email }
            timeline(first: 3) { nodes { kind actor { name } } } }
  }
}
"""
WITH_DIRECTIVE = """
query Dashboard($first: Int!, $withNote: Boolean!) {
  accountRequests(first: $first) { nodes { id note @include(if: $withNote) } }
}
"""
REVIEW_QUEUE = """
query Queue {
  serviceRequests(first: 50, filter: {statuses: [PENDING]}) {
    nodes { id description urgency status account { name } site { name city }
            jobDraft { priority slaDueAt } }
  }
}
"""


def _delta(before: tuple[int, int]) -> tuple[int, int]:
    return STATS.compiled - before[0], STATS.fallbacks - before[1]


async def _requests(count: int) -> None:
    request_type = await AccountRequestType.create(name="Billing")
    assignee = await staff(Role.TECHNICIAN)
    for n in range(count):
        account = await make_account()
        contact = await make_contact(account)
        await AccountRequest.create(
            account_id=account.id,
            type_id=request_type.id,
            assignee_id=assignee.id if n % 2 else None,
            contact_id=contact.id if n % 3 else None,
            note=f"Request {n}",
            source=RequestSource.STAFF,
        )


@pytest.mark.fast_paths
async def test_the_dashboard_list_is_answered_by_a_compiled_plan(gql: GraphQLClient) -> None:
    # given twelve open requests, some without assignee or contact
    await _requests(12)
    dispatcher = await staff(Role.DISPATCHER)
    # when the dashboard list is read
    before = (STATS.compiled, STATS.fallbacks)
    data = await gql(DASHBOARD, {"first": 10}, token=dispatcher.token)
    # then the plan answered it (the execution check compared it with standard execution)
    assert _delta(before) == (1, 0)
    page = data["accountRequests"]
    assert page["totalCount"] == 12 and page["pageInfo"]["hasNextPage"] is True
    assert len(page["nodes"]) == 10
    assert {node["__typename"] for node in page["nodes"]} == {"AccountRequest"}
    assert any(node["assignee"] is None for node in page["nodes"])
    assert any(node["contact"] is not None for node in page["nodes"])


@pytest.mark.fast_paths
async def test_the_review_queue_is_answered_by_a_compiled_plan(gql: GraphQLClient) -> None:
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    for urgency in ("NORMAL", "URGENT"):
        await submitted(gql, contact, site, urgency=urgency)
    before = (STATS.compiled, STATS.fallbacks)
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    assert _delta(before) == (1, 0)
    priorities = {node["jobDraft"]["priority"] for node in data["serviceRequests"]["nodes"]}
    assert priorities == {"MEDIUM", "HIGH"}


async def _three_pending(gql: GraphQLClient) -> Any:
    """Three pending service requests of one account; the dispatcher who reviews them."""
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    for _ in range(3):
        await submitted(gql, contact, site)
    return await staff(Role.DISPATCHER)


@pytest.mark.fast_paths
async def test_a_viewer_permission_is_checked_once_for_the_whole_list(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three pending requests, and a count of the job draft's permission checks
    dispatcher = await _three_pending(gql)
    checks: list[object] = []
    original = CanReview.has_permission

    def counted(self: Any, source: Any, info: Any, **kwargs: Any) -> bool:
        if not CHECKING.get():  # the execution check's standard pass checks per object
            checks.append(source)
        return original(self, source, info, **kwargs)

    monkeypatch.setattr(CanReview, "has_permission", counted)
    # when a reviewer reads the queue with its drafts
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then every draft is there, from one check for the list, not one per request
    assert [node["jobDraft"] is not None for node in data["serviceRequests"]["nodes"]] == [True] * 3
    assert checks == [None]


@pytest.mark.fast_paths
async def test_the_drafts_of_a_list_are_made_in_one_call_in_the_requests_task(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three pending requests, and a note of each call making drafts (in Python:
    # on PostgreSQL the JSON lane has the database write them, test_written_fields.py)
    monkeypatch.setattr(json_lane, "ENABLED", False)
    dispatcher = await _three_pending(gql)
    calls: list[tuple[object, int]] = []
    original = service_requests.drafts

    def noted(requests: Any, *args: Any) -> Any:
        if not CHECKING.get():
            calls.append((asyncio.current_task(), len(requests)))
        return original(requests, *args)

    monkeypatch.setattr(service_requests, "drafts", noted)
    # when a reviewer reads the queue with its drafts
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then all three were made by one call, in the request's own task
    assert [node["jobDraft"] is not None for node in data["serviceRequests"]["nodes"]] == [True] * 3
    [(task, count)] = calls
    assert count == 3 and task is not None


async def test_a_document_with_directives_takes_standard_execution(gql: GraphQLClient) -> None:
    await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    before = (STATS.compiled, STATS.fallbacks)
    shown = await gql(WITH_DIRECTIVE, {"first": 5, "withNote": True}, token=dispatcher.token)
    hidden = await gql(WITH_DIRECTIVE, {"first": 5, "withNote": False}, token=dispatcher.token)
    assert _delta(before) == (0, 0)
    assert all("note" in node for node in shown["accountRequests"]["nodes"])
    assert all(set(node) == {"id"} for node in hidden["accountRequests"]["nodes"])


@pytest.mark.fast_paths
async def test_a_refused_field_falls_back_with_the_standard_error(gql: GraphQLClient) -> None:
    # given a portal contact, who may list its requests but not read job drafts
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    await submitted(gql, contact, site)
    # when it asks for the drafts
    before = (STATS.compiled, STATS.fallbacks)
    body: dict[str, Any] = await gql.raw(
        "query { serviceRequests(first: 5) {"
        " nodes { id account { name } jobDraft { priority } } } }",
        token=contact.token,
    )
    # then the plan gave way to standard execution, which reports the field's error
    assert _delta(before) == (0, 1)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"][-1] == "jobDraft"
    # and the sibling that was loading when the plan gave way is answered in full
    [card] = body["data"]["serviceRequests"]["nodes"]
    assert card["account"] == {"name": account.name} and card["jobDraft"] is None


@pytest.mark.fast_paths
async def test_the_execution_check_catches_a_plan_that_answers_differently(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a plan that would read the wrong attribute for `note`
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    original = ProjectingExecutor._complete_objects

    async def wrong(self: Any, plan: Any, sources: Any) -> list[Any]:
        answers: list[dict[str, Any]] = await original(self, plan, sources)
        return [answer | {"note": "tampered"} if "note" in answer else answer for answer in answers]

    monkeypatch.setattr(ProjectingExecutor, "_complete_objects", wrong)
    # when a list is read
    body = await gql.raw(
        "query { accountRequests(first: 5) { nodes { id note } } }", token=dispatcher.token
    )
    # then the check refuses to answer with it
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INTERNAL_SERVER_ERROR"]


def _count_type_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The class of each object Strawberry's type check is asked about from now on
    (the execution check's second run left out)."""
    checked: list[str] = []
    original = schema_converter.get_strawberry_type_cast

    def counted(value: Any) -> Any:
        if not CHECKING.get():
            checked.append(type(value).__name__)
        return original(value)

    monkeypatch.setattr(schema_converter, "get_strawberry_type_cast", counted)
    return checked


@pytest.mark.fast_paths
async def test_items_and_related_rows_made_by_their_class_skip_the_type_check(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given twelve requests, and a count of Strawberry's type checks by class
    await _requests(12)
    dispatcher = await staff(Role.DISPATCHER)
    checked = _count_type_checks(monkeypatch)
    # when the dashboard list is read by its plan
    data = await gql(DASHBOARD, {"first": 10}, token=dispatcher.token)
    # then neither the page's items nor the related rows the plan made were checked
    assert len(data["accountRequests"]["nodes"]) == 10
    assert not {"AccountRequest", "Account", "AccountRequestType", "User", "Contact"} & set(checked)
    # and items of a plain list (no maker named) are checked, each of them
    monkeypatch.setattr(keyset_paging, "Made", lambda items, of: list(items))
    checked.clear()
    again = await gql(DASHBOARD, {"first": 10}, token=dispatcher.token)
    assert again == data and checked.count("AccountRequest") == 10


@pytest.mark.fast_paths
async def test_job_drafts_made_by_their_batch_skip_the_type_check(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three pending requests, and a count of Strawberry's type checks by class
    dispatcher = await _three_pending(gql)
    checked = _count_type_checks(monkeypatch)
    # when the review queue is read by its plan
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then neither the requests (their page's own) nor the drafts their batch declares
    # it makes were checked
    assert all(node["jobDraft"] for node in data["serviceRequests"]["nodes"])
    assert "ServiceRequest" not in checked and "JobDraft" not in checked


def _review_queue_arguments() -> list[Any]:
    return [
        given
        for given in ProjectingExecutor._arguments.values()
        if given.node.name.value == "serviceRequests" and given.converted is not None
    ]


@pytest.mark.fast_paths
async def test_root_arguments_are_converted_once_for_a_document_and_its_variables(
    gql: GraphQLClient,
) -> None:
    # given three pending requests and the review queue read once
    dispatcher = await _three_pending(gql)
    ProjectingExecutor._arguments.clear()
    ProjectingExecutor._arguments_by_values.clear()
    first = await gql(REVIEW_QUEUE, token=dispatcher.token)
    [given] = _review_queue_arguments()
    converted = given.converted
    # when it is read again
    again = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then the same answer came from the arguments converted the first time
    assert again == first and len(again["serviceRequests"]["nodes"]) == 3
    assert _review_queue_arguments() == [given] and given.converted is converted
    assert [status.name for status in converted.kwargs["filter"].statuses] == ["PENDING"]


async def test_a_refused_viewer_is_refused_where_the_arguments_were_converted_before(
    gql: GraphQLClient,
) -> None:
    # given the review queue read by a dispatcher (its arguments converted)
    dispatcher = await _three_pending(gql)
    await gql(REVIEW_QUEUE, token=dispatcher.token)
    technician = await staff(Role.TECHNICIAN)
    # when a technician, who may not review, reads the same document
    body = await gql.raw(REVIEW_QUEUE, token=technician.token)
    # then the field's permission refuses it, as standard execution does
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert body["data"] is None


@pytest.mark.fast_paths
async def test_the_execution_check_catches_a_resolver_that_changes_its_arguments(
    gql: GraphQLClient, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the review queue read once, and a domain filter that adds to the statuses
    # it is handed (converted once, shared by later requests)
    dispatcher = await _three_pending(gql)
    await gql(REVIEW_QUEUE, token=dispatcher.token)
    original = service_requests.filter_service_requests

    def changing(query: Any, spec: Any) -> Any:
        spec.statuses.append(service_requests.ServiceRequestStatus.DECLINED)
        return original(query, spec)

    monkeypatch.setattr(service_requests, "filter_service_requests", changing)
    # when the review queue is read again
    response = await http.post(
        "/graphql",
        json={"query": REVIEW_QUEUE},
        headers={"authorization": f"Bearer {dispatcher.token}"},
    )
    # then the check refuses to answer with arguments a later request would inherit
    assert response.status_code == 500 and "Traceback" not in response.text
    # and the next request converts them anew
    monkeypatch.undo()
    again = await gql(REVIEW_QUEUE, token=dispatcher.token)
    assert len(again["serviceRequests"]["nodes"]) == 3
