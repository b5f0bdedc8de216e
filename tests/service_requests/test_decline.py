"""Declining a service request, and who may review one."""

from __future__ import annotations

from typing import Any

import pytest

from models import service_requests as sr
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import staff
from tests.service_requests.operations import (
    APPROVE,
    DECLINE,
    DRAFT,
    approve,
    decline,
    parse,
)
from tests.service_requests.people import NON_REVIEWERS, REVIEWERS, Pending, pending_request
from tests.service_requests.rows import _jobs, _mails

DRAFTS = """
{ serviceRequests(first: 10) { nodes { id jobDraft { priority slaDueAt } } } }
"""
MY_REQUESTS = """
{
  serviceRequests(first: 10) {
    nodes { id number status declineReason decidedAt job { id } }
  }
}
"""
REASON = (
    "We do not service dock doors at this site.\n"
    "\n"
    'Please call "Acme Doors" <doors@acme.example> & quote #42;\r\n'
    "  - weekdays 8-17 (ß, é, 漢字, 🚪)\n"
    "\tTabs and <b>markup</b> stay as typed: 100% & {braces} {0}"
)


# --- decline --------------------------------------------------------------------------------


async def test_declining_records_who_when_and_why(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada Admin")
    request = await pending_request(gql)

    # when
    before = now()
    payload = await decline(gql, admin.token, request.id, "Outside our service area.")
    after = now()

    # then
    assert payload["userErrors"] == []
    decided = payload["serviceRequest"]
    assert decided["status"] == "DECLINED"
    assert decided["decidedBy"] == {"name": "Ada Admin"}
    assert decided["declineReason"] == "Outside our service area."
    assert decided["job"] is None
    assert before <= parse(decided["decidedAt"]) <= after
    assert await _jobs() == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "REQUIRED"), ("   \n\t  ", "REQUIRED"), ("x" * 2_001, "TOO_LONG")],
)
async def test_a_decline_needs_a_reason_of_at_most_2000_characters(
    gql: GraphQLClient, reason: str, code: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)

    # when
    payload = await decline(gql, dispatcher.token, request.id, reason)

    # then
    assert error_pairs(payload) == [(code, ["input", "reason"])]
    assert payload["serviceRequest"] is None
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.status, stored.decline_reason, stored.decided_at) == (
        sr.ServiceRequestStatus.PENDING,
        None,
        None,
    )
    assert await _mails() == []


async def test_a_reason_of_exactly_2000_characters_is_accepted(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    reason = "Line\n" * 399 + "Last!"
    assert len(reason) == 2_000

    # when
    payload = await decline(gql, dispatcher.token, request.id, reason)

    # then
    assert payload["userErrors"] == []
    assert payload["serviceRequest"]["declineReason"] == reason


async def test_the_portal_contact_reads_the_reason_verbatim(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)

    # when
    payload = await decline(gql, dispatcher.token, request.id, REASON)
    mine = await gql(MY_REQUESTS, token=request.contact.token)

    # then
    assert payload["userErrors"] == []
    [card] = mine["serviceRequests"]["nodes"]
    assert card["id"] == request.id
    assert card["status"] == "DECLINED"
    assert card["declineReason"] == REASON
    assert card["decidedAt"] is not None
    assert card["job"] is None


async def test_a_declined_request_is_final(gql: GraphQLClient) -> None:
    # given
    first = await staff(Role.DISPATCHER)
    second = await staff(Role.ADMIN)
    request = await pending_request(gql)
    assert (await decline(gql, first.token, request.id, "First reason"))["userErrors"] == []

    # when
    again = await decline(gql, second.token, request.id, "Second reason")

    # then
    assert error_pairs(again) == [("ALREADY_DECIDED", ["input", "id"])]
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.decline_reason, stored.decided_by_id) == ("First reason", first.id)
    assert len(await _mails()) == 1


async def test_an_approved_request_cannot_be_declined(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    assert (await approve(gql, dispatcher.token, request.id))["userErrors"] == []

    # when
    payload = await decline(gql, dispatcher.token, request.id, "Changed my mind")

    # then
    assert error_pairs(payload) == [("ALREADY_DECIDED", ["input", "id"])]
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.status, stored.decline_reason) == (sr.ServiceRequestStatus.APPROVED, None)
    assert len(await _jobs()) == 1


# --- who may --------------------------------------------------------------------------------


async def _decide_as(
    gql: GraphQLClient, token: str | None, request: Pending
) -> list[dict[str, Any]]:
    variables = {"input": {"id": request.id}}
    return [
        await gql.raw(APPROVE, variables, token=token),
        await gql.raw(DECLINE, {"input": {"id": request.id, "reason": "No."}}, token=token),
        await gql.raw(DRAFT, {"id": request.id}, token=token),
        await gql.raw(DRAFTS, token=token),
    ]


async def _still_pending(request: Pending) -> None:
    stored = await sr.ServiceRequest.get(id=request.number)
    assert stored.status is sr.ServiceRequestStatus.PENDING
    assert await _jobs() == []
    assert await _mails() == []


async def test_anonymous_may_not_review(gql: GraphQLClient) -> None:
    # given
    request = await pending_request(gql)

    # when
    approved, declined, _, drafts = await _decide_as(gql, None, request)

    # then
    assert_unauthenticated(approved)
    assert_unauthenticated(declined)
    assert_unauthenticated(drafts)
    await _still_pending(request)


@pytest.mark.parametrize("role", NON_REVIEWERS)
async def test_staff_who_do_not_review_are_forbidden(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    request = await pending_request(gql)

    # when
    approved, declined, draft, drafts = await _decide_as(gql, viewer.token, request)

    # then
    assert_forbidden(approved)
    assert_forbidden(declined)
    assert_forbidden(drafts)
    assert draft["data"]["node"] is None  # as if the request did not exist
    await _still_pending(request)


async def test_the_portal_contact_may_not_review_its_own_request(gql: GraphQLClient) -> None:
    # given
    request = await pending_request(gql)

    # when
    approved, declined, draft, drafts = await _decide_as(gql, request.contact.token, request)

    # then
    assert_forbidden(approved)
    assert_forbidden(declined)
    assert_forbidden(draft)
    assert draft["data"]["node"] == {"status": "PENDING", "jobDraft": None}
    assert_forbidden(drafts)
    await _still_pending(request)


@pytest.mark.parametrize("role", REVIEWERS)
async def test_admins_and_dispatchers_review(gql: GraphQLClient, role: Role) -> None:
    # given
    reviewer = await staff(role)
    to_approve = await pending_request(gql, sla_hours=2)
    to_decline = await pending_request(gql)

    # when
    drafts = await gql(DRAFTS, token=reviewer.token)
    approved = await approve(gql, reviewer.token, to_approve.id)
    declined = await decline(gql, reviewer.token, to_decline.id, "No.")

    # then
    assert {node["id"] for node in drafts["serviceRequests"]["nodes"]} == {
        to_approve.id,
        to_decline.id,
    }
    assert all(
        node["jobDraft"]["priority"] == "MEDIUM" for node in drafts["serviceRequests"]["nodes"]
    )
    assert approved["userErrors"] == []
    assert approved["serviceRequest"]["status"] == "APPROVED"
    assert declined["userErrors"] == []
    assert declined["serviceRequest"]["status"] == "DECLINED"
