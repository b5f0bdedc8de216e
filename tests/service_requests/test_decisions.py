"""Reviewing a service request: the job draft, approving into a job, declining, who may."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from models import outbox
from models import service_requests as sr
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.conftest import Server
from tests.factories import Person, staff
from tests.ids import gid
from tests.service_requests.operations import (
    APPROVE,
    DECLINE,
    QUEUE_CHANGED,
    approve,
    decline,
    set_company_sla,
)
from tests.service_requests.people import NON_REVIEWERS, REVIEWERS, Pending, pending_request
from tests.ws import socket

DRAFT = """
query Draft($id: ID!) {
  node(id: $id) {
    ... on ServiceRequest {
      status
      jobDraft {
        account { name } site { name }
        serviceType description bookingDate priority slaDueAt
      }
    }
  }
}
"""
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

TOMORROW = date.today() + timedelta(days=1)
REASON = (
    "We do not service dock doors at this site.\n"
    "\n"
    'Please call "Acme Doors" <doors@acme.example> & quote #42;\r\n'
    "  - weekdays 8-17 (ß, é, 漢字, 🚪)\n"
    "\tTabs and <b>markup</b> stay as typed: 100% & {braces} {0}"
)


def parse(value: str) -> datetime:
    """A time the API answered, comparable with `now()`."""
    return datetime.fromisoformat(value)


async def _draft(gql: GraphQLClient, dispatcher: Person, request: Pending) -> dict[str, Any]:
    data = await gql(DRAFT, {"id": request.id}, token=dispatcher.token)
    draft: dict[str, Any] = data["node"]["jobDraft"]
    return draft


async def _jobs() -> list[sr.Job]:
    return await sr.Job.all()


async def _mails() -> list[outbox.OutboxEmail]:
    return await outbox.OutboxEmail.all().order_by("id")


# --- the job draft --------------------------------------------------------------------------


async def test_the_draft_prefills_the_create_job_form_from_the_request(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(
        gql,
        account_name="Northwind",
        site_name="Warehouse",
        sla_hours=4,
        serviceType="INSPECTION",
        description="Check the sprinklers\nin hall 2",
        preferredDate=TOMORROW.isoformat(),
    )

    # when
    before = now()
    draft = await _draft(gql, dispatcher, request)
    after = now()

    # then
    sla_due_at = parse(draft.pop("slaDueAt"))
    assert draft == {
        "account": {"name": "Northwind"},
        "site": {"name": "Warehouse"},
        "serviceType": "INSPECTION",
        "description": "Check the sprinklers\nin hall 2",
        "bookingDate": TOMORROW.isoformat(),
        "priority": "MEDIUM",
    }
    assert before + timedelta(hours=4) <= sla_due_at <= after + timedelta(hours=4)


@pytest.mark.parametrize(("urgency", "priority"), [("NORMAL", "MEDIUM"), ("URGENT", "HIGH")])
async def test_the_draft_maps_urgency_to_priority(
    gql: GraphQLClient, urgency: str, priority: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, urgency=urgency)

    # when
    draft = await _draft(gql, dispatcher, request)

    # then
    assert draft["priority"] == priority
    assert draft["bookingDate"] is None


async def test_without_any_default_sla_the_draft_has_no_sla(gql: GraphQLClient) -> None:
    # given: neither the account nor the company sets default SLA hours
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)

    # when
    draft = await _draft(gql, dispatcher, request)

    # then
    assert draft["slaDueAt"] is None


async def test_the_company_default_sla_applies_when_the_account_has_none(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await set_company_sla(gql, admin, 24)
    request = await pending_request(gql)

    # when
    before = now()
    draft = await _draft(gql, admin, request)
    after = now()

    # then
    sla_due_at = parse(draft["slaDueAt"])
    assert before + timedelta(hours=24) <= sla_due_at <= after + timedelta(hours=24)


async def test_the_account_default_sla_wins_over_the_company_default(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await set_company_sla(gql, admin, 24)
    request = await pending_request(gql, sla_hours=4)

    # when
    before = now()
    draft = await _draft(gql, admin, request)
    after = now()

    # then
    sla_due_at = parse(draft["slaDueAt"])
    assert before + timedelta(hours=4) <= sla_due_at <= after + timedelta(hours=4)


async def test_a_decided_request_has_no_draft(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    assert (await decline(gql, dispatcher.token, request.id, "No."))["userErrors"] == []

    # when
    data = await gql(DRAFT, {"id": request.id}, token=dispatcher.token)

    # then
    assert data["node"] == {"status": "DECLINED", "jobDraft": None}


# --- approve --------------------------------------------------------------------------------


async def test_approving_creates_a_job_linked_to_the_request_ready_for_assignment(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER, name="Dan Dispatcher")
    request = await pending_request(
        gql,
        account_name="Northwind",
        site_name="Warehouse",
        serviceType="MAINTENANCE",
        description="Yearly boiler service",
        preferredDate=TOMORROW.isoformat(),
    )

    # when
    before = now()
    payload = await approve(gql, dispatcher.token, request.id)
    after = now()

    # then
    assert payload["userErrors"] == []
    job, decided = payload["job"], payload["serviceRequest"]
    assert decided["status"] == "APPROVED"
    assert decided["decidedBy"] == {"name": "Dan Dispatcher"}
    assert before <= parse(decided["decidedAt"]) <= after
    assert decided["job"] == {"id": job["id"]}
    assert decided["declineReason"] is None
    assert job == {
        "id": job["id"],
        "status": "READY_FOR_ASSIGNMENT",
        "serviceType": "MAINTENANCE",
        "description": "Yearly boiler service",
        "scheduledStart": None,
        "scheduledEnd": None,
        "priority": "MEDIUM",
        "slaDueAt": None,
        "skills": [],
        "parts": [],
        "assetIds": [],
        "account": {"name": "Northwind"},
        "site": {"name": "Warehouse"},
        "serviceRequest": {"id": request.id, "status": "APPROVED"},
    }
    [row] = await _jobs()
    assert gid("Job", row.id) == job["id"]
    assert row.created_by_id == dispatcher.id
    stored = await sr.ServiceRequest.get(id=request.number)
    assert stored.decided_by_id == dispatcher.id


async def test_every_job_field_overrides_the_draft(gql: GraphQLClient) -> None:
    # given: an urgent request (draft priority HIGH) of an account with a 4-hour SLA
    admin = await staff(Role.ADMIN)
    request = await pending_request(
        gql,
        sla_hours=4,
        urgency="URGENT",
        description="Leaking roof",
        preferredDate=TOMORROW.isoformat(),
    )
    job_input = {
        "scheduledStart": "2031-03-04T08:00:00+00:00",
        "scheduledEnd": "2031-03-04T12:30:00+00:00",
        "priority": "LOW",
        "slaDueAt": "2031-03-05T17:00:00+00:00",
        "skills": ["roofing", "  heights  ", "roofing"],
        "parts": ["tar paper", "nails"],
        "assetIds": ["ROOF-1"],
        "description": "  Patch the roof above bay 3  ",
    }

    # when
    payload = await approve(gql, admin.token, request.id, job_input)

    # then
    assert payload["userErrors"] == []
    job = payload["job"]
    assert parse(job["scheduledStart"]) == parse("2031-03-04T08:00:00+00:00")
    assert parse(job["scheduledEnd"]) == parse("2031-03-04T12:30:00+00:00")
    assert job["priority"] == "LOW"
    assert parse(job["slaDueAt"]) == parse("2031-03-05T17:00:00+00:00")
    assert job["skills"] == ["roofing", "heights"]
    assert job["parts"] == ["tar paper", "nails"]
    assert job["assetIds"] == ["ROOF-1"]
    assert job["description"] == "Patch the roof above bay 3"


@pytest.mark.parametrize(("urgency", "priority"), [("NORMAL", "MEDIUM"), ("URGENT", "HIGH")])
async def test_without_a_priority_the_job_takes_the_mapped_urgency(
    gql: GraphQLClient, urgency: str, priority: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, urgency=urgency)

    # when
    payload = await approve(gql, dispatcher.token, request.id, {"skills": ["doors"]})

    # then
    assert payload["job"]["priority"] == priority


async def test_the_job_inherits_the_account_sla_from_the_approval_time(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, sla_hours=4)

    # when
    before = now()
    payload = await approve(gql, dispatcher.token, request.id)
    after = now()

    # then
    sla_due_at = parse(payload["job"]["slaDueAt"])
    assert before + timedelta(hours=4) <= sla_due_at <= after + timedelta(hours=4)
    decided_at = parse(payload["serviceRequest"]["decidedAt"])
    assert sla_due_at == decided_at + timedelta(hours=4)


async def test_the_job_inherits_the_company_sla_when_the_account_has_none(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await set_company_sla(gql, admin, 48)
    request = await pending_request(gql)

    # when
    before = now()
    payload = await approve(gql, admin.token, request.id)
    after = now()

    # then
    sla_due_at = parse(payload["job"]["slaDueAt"])
    assert before + timedelta(hours=48) <= sla_due_at <= after + timedelta(hours=48)


async def test_without_any_default_the_job_has_no_sla(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)

    # when
    payload = await approve(gql, dispatcher.token, request.id, {"priority": "HIGH"})

    # then
    assert payload["userErrors"] == []
    assert payload["job"]["slaDueAt"] is None
    assert (await sr.Job.get()).sla_due_at is None


@pytest.mark.parametrize(
    ("job_input", "code", "field"),
    [
        (
            {
                "scheduledStart": "2031-03-04T12:00:00+00:00",
                "scheduledEnd": "2031-03-04T08:00:00+00:00",
            },
            "INVALID",
            ["input", "job", "scheduledEnd"],
        ),
        (
            {
                "scheduledStart": "2031-03-04T12:00:00+00:00",
                "scheduledEnd": "2031-03-04T12:00:00+00:00",
            },
            "INVALID",
            ["input", "job", "scheduledEnd"],
        ),
        ({"description": " \n "}, "REQUIRED", ["input", "job", "description"]),
        ({"skills": ["x" * 101]}, "TOO_LONG", ["input", "job", "skills"]),
    ],
)
async def test_a_refused_approval_writes_nothing(
    gql: GraphQLClient, job_input: dict[str, Any], code: str, field: list[str]
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, sla_hours=4)

    # when
    payload = await approve(gql, dispatcher.token, request.id, job_input)

    # then
    assert error_pairs(payload) == [(code, field)]
    assert (payload["job"], payload["serviceRequest"]) == (None, None)
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.status, stored.decided_at, stored.decided_by_id) == (
        sr.ServiceRequestStatus.PENDING,
        None,
        None,
    )
    assert await _jobs() == []
    assert await _mails() == []


async def test_approving_twice_is_already_decided_and_changes_nothing(
    gql: GraphQLClient,
) -> None:
    # given
    first = await staff(Role.DISPATCHER, name="First")
    second = await staff(Role.ADMIN, name="Second")
    request = await pending_request(gql, sla_hours=4)
    approved = await approve(gql, first.token, request.id, {"priority": "LOW"})
    assert approved["userErrors"] == []

    # when
    again = await approve(gql, second.token, request.id, {"priority": "EMERGENCY"})

    # then
    assert error_pairs(again) == [("ALREADY_DECIDED", ["input", "id"])]
    assert "already approved" in again["userErrors"][0]["message"]
    assert (again["job"], again["serviceRequest"]) == (None, None)
    [job] = await _jobs()
    assert job.priority is sr.JobPriority.LOW
    stored = await sr.ServiceRequest.get(id=request.number)
    assert stored.decided_by_id == first.id
    assert len(await _mails()) == 1


async def test_a_declined_request_cannot_be_approved(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    assert (await decline(gql, dispatcher.token, request.id, "Not our area."))["userErrors"] == []

    # when
    payload = await approve(gql, dispatcher.token, request.id)

    # then
    assert error_pairs(payload) == [("ALREADY_DECIDED", ["input", "id"])]
    assert "already declined" in payload["userErrors"][0]["message"]
    assert await _jobs() == []
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.status, stored.decline_reason) == (
        sr.ServiceRequestStatus.DECLINED,
        "Not our area.",
    )
    [mail] = await _mails()
    assert mail.template == "service_request_declined"


@pytest.mark.parametrize("global_id", [gid("ServiceRequest", 999_999), gid("Account", 1)])
async def test_approving_an_unknown_request_is_not_found(
    gql: GraphQLClient, global_id: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    await pending_request(gql)

    # when
    payload = await approve(gql, dispatcher.token, global_id)

    # then
    assert error_pairs(payload) == [("NOT_FOUND", ["input", "id"])]
    assert await _jobs() == []


async def test_a_decision_is_published_to_queue_subscribers(
    server: Server, gql: GraphQLClient
) -> None:
    # given two pending requests and a dispatcher watching the queue badge
    dispatcher = await staff(Role.DISPATCHER)
    first = await pending_request(gql)
    second = await pending_request(gql)
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.2)  # the subscription is registered with the broker

        # when one is approved
        assert (await approve(gql, dispatcher.token, first.id))["userErrors"] == []
        approved = await ws.receive()
        # and the other declined
        assert (await decline(gql, dispatcher.token, second.id, "No."))["userErrors"] == []
        declined = await ws.receive()

        # then
        assert approved["type"] == "next"
        assert approved["payload"]["data"] == {"serviceRequestQueueChanged": {"pendingCount": 1}}
        assert declined["payload"]["data"] == {"serviceRequestQueueChanged": {"pendingCount": 0}}

        # and a refused decision publishes nothing
        refused = await approve(gql, dispatcher.token, first.id)
        assert error_pairs(refused) == [("ALREADY_DECIDED", ["input", "id"])]
        assert await ws.nothing_within(0.3)


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
