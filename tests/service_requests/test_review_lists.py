"""Who reads which service requests, and the list's card, filters and total count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid, pk_of
from tests.service_requests.operations import (
    NODE,
    QUEUE,
    SERVICE_REQUESTS,
    _ids,
    approved_job,
    decline,
    submitted,
)
from tests.service_requests.people import NON_REVIEWERS, REVIEWERS
from tests.service_requests.rows import T0, _mixed, request_row

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
WITH_DRAFT = """
query Drafts {
  serviceRequests(first: 10) {
    nodes { id jobDraft { priority bookingDate slaDueAt } }
  }
}
"""


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", REVIEWERS)
async def test_reviewers_see_every_accounts_requests(gql: GraphQLClient, role: Role) -> None:
    # given
    reviewer = await staff(role)
    rows = []
    for n in range(3):
        account = await make_account()
        rows.append(
            await request_row(
                account, await make_site(account), submitted_at=T0 + timedelta(hours=n)
            )
        )
    # when
    seen = await _ids(gql, reviewer.token)
    # then newest first
    assert seen == [row.id for row in reversed(rows)]


@pytest.mark.parametrize("role", NON_REVIEWERS)
async def test_other_staff_are_refused_the_list_and_the_queue(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    account = await make_account()
    await request_row(account, await make_site(account))
    person = await staff(role)
    # when / then
    assert_forbidden(await gql.raw(SERVICE_REQUESTS, {"first": 10}, token=person.token))
    assert_forbidden(await gql.raw(QUEUE, token=person.token))


async def test_anonymous_is_refused_the_list_and_the_queue(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(SERVICE_REQUESTS, {"first": 10}))
    assert_unauthenticated(await gql.raw(QUEUE))


async def test_a_portal_contact_sees_only_its_own_accounts_requests(gql: GraphQLClient) -> None:
    # given two customers
    mine = await make_account("Mine")
    theirs = await make_account("Theirs")
    contact = await portal_contact(mine)
    colleague = await portal_contact(mine)
    site = await make_site(mine)
    own = await submitted(gql, contact, site)
    colleagues = await submitted(gql, colleague, site)
    other = await request_row(theirs, await make_site(theirs))
    # when
    data = await gql(SERVICE_REQUESTS, {"first": 10}, token=contact.token)
    # then the whole account's requests ("My Service Requests"), none of the other account's
    assert {n["id"] for n in data["serviceRequests"]["nodes"]} == {own, colleagues}
    assert data["serviceRequests"]["totalCount"] == 2
    # and asking for the other account by filter finds nothing
    assert await _ids(gql, contact.token, filter={"accountIds": [gid("Account", theirs.id)]}) == []
    assert await _ids(gql, contact.token, filter={"statuses": ["PENDING"]}) == sorted(
        [pk_of(own), pk_of(colleagues)], reverse=True
    )
    assert other.id not in await _ids(gql, contact.token)


async def test_another_accounts_request_reads_like_a_made_up_id(gql: GraphQLClient) -> None:
    # given
    mine = await make_account()
    theirs = await make_account()
    contact = await portal_contact(mine)
    own = await request_row(mine, await make_site(mine))
    other = await request_row(theirs, await make_site(theirs))
    other_id = gid("ServiceRequest", other.id)
    made_up = gid("ServiceRequest", other.id + 1000)
    # when
    foreign = await gql.raw(NODE, {"id": other_id}, token=contact.token)
    missing = await gql.raw(NODE, {"id": made_up}, token=contact.token)
    listed = await gql(
        NODES, {"ids": [gid("ServiceRequest", own.id), other_id, made_up]}, token=contact.token
    )
    # then
    assert foreign == missing == {"data": {"node": None}}
    assert listed == {"nodes": [{"id": gid("ServiceRequest", own.id)}, None, None]}


async def test_technicians_cannot_read_a_request_by_id(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    row = await request_row(account, await make_site(account))
    technician = await staff(Role.TECHNICIAN)
    # when
    data = await gql(NODE, {"id": gid("ServiceRequest", row.id)}, token=technician.token)
    # then
    assert data == {"node": None}


async def test_the_job_draft_is_for_reviewers_only(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    await submitted(gql, contact, site, urgency="URGENT")
    # when
    as_contact = await gql.raw(WITH_DRAFT, token=contact.token)
    as_dispatcher = await gql(WITH_DRAFT, token=dispatcher.token)
    # then the contact gets no draft, only a FORBIDDEN error on that field
    assert [e["extensions"]["code"] for e in as_contact["errors"]] == ["FORBIDDEN"]
    assert as_contact["errors"][0]["path"][-1] == "jobDraft"
    nodes = (as_contact.get("data") or {}).get("serviceRequests") or {"nodes": []}
    assert all(node.get("jobDraft") is None for node in nodes["nodes"])
    [card] = as_dispatcher["serviceRequests"]["nodes"]
    assert card["jobDraft"]["priority"] == "HIGH"


# --- the dashboard card ----------------------------------------------------------------------


async def test_the_card_shows_what_the_dashboard_needs(gql: GraphQLClient) -> None:
    # given one pending, one declined and one approved request
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account("Northwind")
    site = await make_site(account, "Warehouse")
    contact = await portal_contact(account)
    preferred = (datetime.now(UTC) + timedelta(days=3)).date()
    pending = await submitted(
        gql,
        contact,
        site,
        serviceType="MAINTENANCE",
        urgency="URGENT",
        description="Service the HVAC",
        preferredDate=preferred.isoformat(),
    )
    declined = await submitted(gql, contact, site, description="Paint the lobby")
    approved = await submitted(gql, contact, site, description="Fix the gate")
    payload = await decline(gql, dispatcher.token, declined, "We do not paint, sorry.")
    assert payload["userErrors"] == []
    job = await approved_job(gql, dispatcher, approved)
    # when
    for viewer in (dispatcher, contact):
        data = await gql(SERVICE_REQUESTS, {"first": 10}, token=viewer.token)
        cards = {n["id"]: n for n in data["serviceRequests"]["nodes"]}
        # then
        card = cards[pending]
        assert card["serviceType"] == "MAINTENANCE"
        assert card["description"] == "Service the HVAC"
        assert card["urgency"] == "URGENT"
        assert card["preferredDate"] == preferred.isoformat()
        assert datetime.fromisoformat(card["submittedAt"]).tzinfo is not None
        assert card["status"] == "PENDING"
        assert card["declineReason"] is None
        assert card["job"] is None
        assert card["account"] == {"name": "Northwind"}
        assert card["site"]["name"] == "Warehouse" and card["site"]["city"] == "Springfield"
        assert cards[declined]["status"] == "DECLINED"
        assert cards[declined]["declineReason"] == "We do not paint, sorry."
        assert cards[approved]["status"] == "APPROVED"
    # the job is staff business: the portal sees APPROVED, not the job behind it
    data = await gql(SERVICE_REQUESTS, {"first": 10}, token=contact.token)
    assert {n["id"]: n["job"] for n in data["serviceRequests"]["nodes"]}[approved] is None
    data = await gql(SERVICE_REQUESTS, {"first": 10}, token=dispatcher.token)
    cards = {n["id"]: n for n in data["serviceRequests"]["nodes"]}
    assert cards[approved]["job"] == {"id": job, "status": "READY_FOR_ASSIGNMENT"}


# --- filters ---------------------------------------------------------------------------------


async def test_each_filter_narrows_the_list(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    given = await _mixed()
    r = given["ids"]

    async def ids(**spec: Any) -> list[int]:
        return sorted(await _ids(gql, dispatcher.token, filter=spec))

    # when / then
    assert await ids() == sorted(r)
    assert await ids(statuses=["PENDING"]) == [r[0], r[3], r[4]]
    assert await ids(statuses=["APPROVED", "DECLINED"]) == [r[1], r[2], r[5]]
    assert await ids(urgencies=["URGENT"]) == [r[1], r[3], r[5]]
    assert await ids(serviceTypes=["REPAIR"]) == [r[0], r[3]]
    assert await ids(serviceTypes=["EMERGENCY", "OTHER"]) == [r[4], r[5]]
    assert await ids(accountIds=[gid("Account", given["b"].id)]) == r[3:]
    assert await ids(accountIds=[gid("Account", given["a"].id), gid("Site", 1)]) == r[:3]
    assert await ids(accountIds=[]) == []
    assert await ids(submittedAfter=(T0 + timedelta(days=4)).isoformat()) == [r[4], r[5]]
    assert await ids(submittedBefore=(T0 + timedelta(days=1)).isoformat()) == [r[0]]
    assert await ids(
        submittedAfter=(T0 + timedelta(days=1)).isoformat(),
        submittedBefore=(T0 + timedelta(days=3)).isoformat(),
    ) == [r[1], r[2]]
    # and all of them at once
    assert await ids(
        statuses=["PENDING"],
        urgencies=["NORMAL"],
        serviceTypes=["REPAIR", "EMERGENCY"],
        accountIds=[gid("Account", given["b"].id)],
        submittedAfter=T0.isoformat(),
        submittedBefore=(T0 + timedelta(days=9)).isoformat(),
    ) == [r[4]]


@pytest.mark.parametrize("value", ["2030-03-01T09:00:00", "2030-03-01"])
@pytest.mark.parametrize("name", ["submittedAfter", "submittedBefore"])
async def test_a_filter_time_without_an_offset_is_a_client_error(
    gql: GraphQLClient, name: str, value: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    await _mixed()
    # when
    body = await gql.raw(
        SERVICE_REQUESTS, {"first": 10, "filter": {name: value}}, token=dispatcher.token
    )
    # then a clear refusal, not a masked crash
    [error] = body["errors"]
    assert error["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"), error
    assert "errorId" not in error["extensions"]


async def test_the_total_count_follows_the_filter(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.ADMIN)
    await _mixed()
    # when
    data = await gql(
        SERVICE_REQUESTS, {"first": 1, "filter": {"statuses": ["PENDING"]}}, dispatcher.token
    )
    # then
    assert data["serviceRequests"]["totalCount"] == 3
    assert data["serviceRequests"]["pageInfo"]["hasNextPage"] is True
