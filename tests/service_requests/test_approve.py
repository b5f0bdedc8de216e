"""Approving a service request into a job."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from models import service_requests as sr
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, error_pairs
from tests.conftest import Server
from tests.factories import staff
from tests.ids import gid
from tests.service_requests.operations import (
    QUEUE_CHANGED,
    approve,
    decline,
    parse,
    set_company_sla,
)
from tests.service_requests.people import pending_request
from tests.service_requests.rows import TOMORROW, _jobs, _mails
from tests.ws import socket

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
