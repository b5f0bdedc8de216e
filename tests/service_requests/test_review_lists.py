"""serviceRequests and serviceRequestQueue: who sees what, filters, ordering, paging, and
a fixed number of SQL statements however long the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, portal_contact, staff
from tests.ids import gid, pk_of
from tests.service_requests.operations import (
    NODE,
    QUEUE,
    SERVICE_REQUESTS,
    approved_job,
    decline,
    submitted,
)
from tests.service_requests.people import NON_REVIEWERS, REVIEWERS
from tests.service_requests.rows import request_row

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
WITH_DRAFT = """
query Drafts {
  serviceRequests(first: 10) {
    nodes { id jobDraft { priority bookingDate slaDueAt } }
  }
}
"""
EVERYTHING = """
query Everything($first: Int!) {
  serviceRequests(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id number serviceType description urgency preferredDate submittedAt status
      declineReason decidedAt
      account { name number } site { name city }
      contact { name email }
      decidedBy { name }
      job { id status priority slaDueAt account { name } site { name } }
      jobDraft { priority bookingDate slaDueAt account { name } site { name } }
    }
  }
  serviceRequestQueue { pendingCount }
}
"""


async def _ids(gql: GraphQLClient, token: str, **variables: Any) -> list[int]:
    data = await gql(SERVICE_REQUESTS, {"first": 100} | variables, token=token)
    return [node["number"] for node in data["serviceRequests"]["nodes"]]


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


async def _mixed() -> dict[str, Any]:
    """Six requests over two accounts, spread over statuses, urgencies, types and days."""
    a = await make_account("Alpha")
    b = await make_account("Beta")
    sa, sb = await make_site(a), await make_site(b)
    S, U, T = sr.ServiceRequestStatus, sr.Urgency, sr.ServiceType
    specs = [
        (a, sa, S.PENDING, U.NORMAL, T.REPAIR, 0),
        (a, sa, S.APPROVED, U.URGENT, T.MAINTENANCE, 1),
        (a, sa, S.DECLINED, U.NORMAL, T.INSPECTION, 2),
        (b, sb, S.PENDING, U.URGENT, T.REPAIR, 3),
        (b, sb, S.PENDING, U.NORMAL, T.EMERGENCY, 4),
        (b, sb, S.DECLINED, U.URGENT, T.OTHER, 5),
    ]
    rows = [
        await request_row(
            account,
            site,
            status=status,
            urgency=urgency,
            service_type=kind,
            submitted_at=T0 + timedelta(days=day),
        )
        for account, site, status, urgency, kind, day in specs
    ]
    return {"a": a, "b": b, "ids": [row.id for row in rows]}


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


# --- order and paging ------------------------------------------------------------------------


async def _walk(gql: GraphQLClient, token: str, order: dict[str, str], size: int) -> list[int]:
    """Every id, page by page forwards."""
    seen: list[int] = []
    after = None
    while True:
        variables = {"first": size, "after": after, "orderBy": order}
        page = (await gql(SERVICE_REQUESTS, variables, token=token))["serviceRequests"]
        seen += [n["number"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def _walk_back(gql: GraphQLClient, token: str, order: dict[str, str], size: int) -> list[int]:
    """Every id, page by page backwards from the end (in list order)."""
    seen: list[int] = []
    before = None
    while True:
        variables = {"last": size, "before": before, "orderBy": order}
        page = (await gql(SERVICE_REQUESTS, variables, token=token))["serviceRequests"]
        seen = [n["number"] for n in page["nodes"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            return seen
        before = page["pageInfo"]["startCursor"]


async def _ordered_rows() -> list[sr.ServiceRequest]:
    account = await make_account()
    site = await make_site(account)
    rows = []
    # Times out of id order, urgencies mixed, and two requests at the same moment.
    for minutes, urgency in [
        (30, "URGENT"),
        (10, "NORMAL"),
        (50, "NORMAL"),
        (10, "URGENT"),
        (40, "URGENT"),
        (20, "NORMAL"),
        (60, "NORMAL"),
    ]:
        rows.append(
            await request_row(
                account,
                site,
                urgency=sr.Urgency(urgency),
                submitted_at=T0 + timedelta(minutes=minutes),
            )
        )
    return rows


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", ["SUBMITTED_AT", "URGENCY"])
async def test_each_order_pages_forwards_and_backwards_without_gaps(
    gql: GraphQLClient, field: str, direction: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    rows = await _ordered_rows()
    key = {
        "SUBMITTED_AT": lambda row: (row.submitted_at, row.id),
        "URGENCY": lambda row: (row.urgency.value, row.id),
    }[field]
    expected = [row.id for row in sorted(rows, key=key, reverse=direction == "DESC")]
    order = {"field": field, "direction": direction}
    # when / then
    for size in (1, 2, 3, 7, 10):
        assert await _walk(gql, dispatcher.token, order, size) == expected, size
        assert await _walk_back(gql, dispatcher.token, order, size) == expected, size


async def test_urgent_requests_come_first_with_urgency_descending(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    rows = await _ordered_rows()
    # when
    data = await gql(
        SERVICE_REQUESTS,
        {"first": 3, "orderBy": {"field": "URGENCY", "direction": "DESC"}},
        dispatcher.token,
    )
    # then
    assert {n["urgency"] for n in data["serviceRequests"]["nodes"]} == {"URGENT"}
    assert len(rows) == 7


async def test_the_default_order_is_newest_first(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    rows = await _ordered_rows()
    # when
    seen = await _ids(gql, dispatcher.token)
    # then
    assert seen == [r.id for r in sorted(rows, key=lambda r: (r.submitted_at, r.id), reverse=True)]


async def test_a_cursor_of_another_order_is_refused(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    await _ordered_rows()
    page = await gql(SERVICE_REQUESTS, {"first": 2}, token=dispatcher.token)
    cursor = page["serviceRequests"]["pageInfo"]["endCursor"]
    # when
    body = await gql.raw(
        SERVICE_REQUESTS,
        {"first": 2, "after": cursor, "orderBy": {"field": "URGENCY"}},
        token=dispatcher.token,
    )
    # then
    assert body.get("errors")
    assert "cursor" in body["errors"][0]["message"]


async def test_first_is_capped_at_100(gql: GraphQLClient) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    body = await gql.raw(SERVICE_REQUESTS, {"first": 101}, token=dispatcher.token)
    assert body.get("errors")


# --- the queue badge ---------------------------------------------------------------------


@pytest.mark.parametrize("role", REVIEWERS)
async def test_the_queue_counts_pending_requests_of_every_account(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    reviewer = await staff(role)
    await _mixed()
    # when
    data = await gql(QUEUE, token=reviewer.token)
    # then
    assert data == {"serviceRequestQueue": {"pendingCount": 3}}


async def test_a_portal_contact_cannot_read_the_queue(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    # when / then
    assert_forbidden(await gql.raw(QUEUE, token=contact.token))


async def test_the_queue_goes_down_as_requests_are_decided(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    first = await submitted(gql, contact, site)
    second = await submitted(gql, contact, site)
    assert await gql(QUEUE, token=dispatcher.token) == {"serviceRequestQueue": {"pendingCount": 2}}
    # when / then
    await approved_job(gql, dispatcher, first)
    assert await gql(QUEUE, token=dispatcher.token) == {"serviceRequestQueue": {"pendingCount": 1}}
    assert (await decline(gql, dispatcher.token, second, "No"))["userErrors"] == []
    assert await gql(QUEUE, token=dispatcher.token) == {"serviceRequestQueue": {"pendingCount": 0}}


# --- statement count ----------------------------------------------------------------------


async def _many(count: int) -> None:
    """`count` requests over five accounts; every third approved into a job."""
    creator = await staff(Role.DISPATCHER)
    accounts = [await make_account() for _ in range(5)]
    for account in accounts[:2]:
        account.default_sla_hours = 8
        await account.save()
    sites = [await make_site(account) for account in accounts]
    contacts = [await make_contact(account, portal=True) for account in accounts]
    for n in range(count):
        i = n % 5
        status = sr.ServiceRequestStatus.APPROVED if n % 3 == 0 else sr.ServiceRequestStatus.PENDING
        row = await request_row(
            accounts[i],
            sites[i],
            status=status,
            preferred_date=date(2030, 1, 1) if n % 2 else None,
            submitted_at=T0 + timedelta(minutes=n),
        )
        row.contact_id = contacts[i].id
        row.decided_by_id = creator.id if status is sr.ServiceRequestStatus.APPROVED else None
        await row.save()
        if status is sr.ServiceRequestStatus.APPROVED:
            await sr.Job.create(
                service_request_id=row.id,
                account_id=row.account_id,
                site_id=row.site_id,
                service_type=row.service_type,
                description=row.description,
                priority=sr.JobPriority.MEDIUM,
            )


async def test_a_page_of_50_issues_as_many_statements_as_a_page_of_5(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    await _many(60)
    await gql(EVERYTHING, {"first": 1}, token=dispatcher.token)  # warm up
    # when
    before = count_statements.count
    small = await gql(EVERYTHING, {"first": 5}, token=dispatcher.token)
    five = count_statements.count - before
    before = count_statements.count
    large = await gql(EVERYTHING, {"first": 50}, token=dispatcher.token)
    fifty = count_statements.count - before
    # then
    assert len(small["serviceRequests"]["nodes"]) == 5
    assert len(large["serviceRequests"]["nodes"]) == 50
    assert any(n["job"] for n in large["serviceRequests"]["nodes"])
    assert any(n["jobDraft"] for n in large["serviceRequests"]["nodes"])
    assert fifty == five, count_statements.statements[-fifty:]
    # sign-in 3, page and count 2, pending count 1, accounts, sites, contacts, users,
    # jobs, the drafts' SLA hours and the company's 7 (two root fields: no plan, so
    # the accounts come whole and the SLA hours on their own)
    assert fifty <= 13, count_statements.statements[-fifty:]


async def test_a_portal_page_of_50_issues_as_many_statements_as_a_page_of_5(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    for n in range(60):
        await request_row(account, site, submitted_at=T0 + timedelta(minutes=n))
    query = """
    query Mine($first: Int!) {
      serviceRequests(first: $first) {
        totalCount nodes { id status declineReason account { name } site { name } job { id } }
      }
    }
    """
    # when
    before = count_statements.count
    await gql(query, {"first": 5}, token=contact.token)
    five = count_statements.count - before
    before = count_statements.count
    await gql(query, {"first": 50}, token=contact.token)
    fifty = count_statements.count - before
    # then
    assert fifty == five
