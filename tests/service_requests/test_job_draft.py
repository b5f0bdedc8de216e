"""The job draft a reviewer starts from when approving a service request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import Person, staff
from tests.service_requests.operations import (
    DRAFT,
    decline,
    parse,
    set_company_sla,
)
from tests.service_requests.people import Pending, pending_request
from tests.service_requests.rows import TOMORROW


async def _draft(gql: GraphQLClient, dispatcher: Person, request: Pending) -> dict[str, Any]:
    data = await gql(DRAFT, {"id": request.id}, token=dispatcher.token)
    draft: dict[str, Any] = data["node"]["jobDraft"]
    return draft


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
