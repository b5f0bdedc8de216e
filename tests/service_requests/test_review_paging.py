"""Ordering and paging service requests, the review queue's count, and statements per page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, portal_contact, staff
from tests.service_requests.operations import (
    QUEUE,
    SERVICE_REQUESTS,
    _ids,
    approved_job,
    decline,
    submitted,
)
from tests.service_requests.people import REVIEWERS
from tests.service_requests.rows import T0, _mixed, request_row

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
    # sign-in 1, page and count 2, pending count 1, accounts, sites, contacts, users,
    # jobs, the drafts' SLA hours and the company's 7 (two root fields: no plan, so
    # the accounts come whole and the SLA hours on their own)
    assert fifty == 11, count_statements.statements[-fifty:]


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
    assert fifty == 6, count_statements.statements[-fifty:]  # sign-in 1, the page's 5
