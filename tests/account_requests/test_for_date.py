"""The day a request is for (added from the calendar): today in the company's time zone
unless chosen, changed like any field, on the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models import company
from models.account_requests import AccountRequest
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient, error_pairs
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid

CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id forDate }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { forDate timeline(first: 1) { nodes { kind before after summary } } }
    userErrors { code field message }
  }
}
"""
FOR_DATES = """
query { accountRequests(first: 10, orderBy: {field: CREATED_AT, direction: ASC}) {
  nodes { number forDate }
} }
"""


async def _zone_where_today_is_not_utc_today() -> tuple[str, date]:
    """A company zone whose date differs from UTC's right now (one of the two always does)."""
    now = datetime.now(UTC)
    for name in ("Pacific/Kiritimati", "Etc/GMT+12"):
        today = now.astimezone(ZoneInfo(name)).date()
        if today != now.date():
            await company.get_settings()
            await company.CompanySettings.filter(id=1).update(time_zone=name)
            return name, today
    raise AssertionError("one of the zones is a day away from UTC")


def _input(account_id: int, type_id: int, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "accountId": gid("Account", account_id),
            "typeId": gid("AccountRequestType", type_id),
            **more,
        }
    }


async def test_a_new_request_is_for_today_in_the_company_time_zone(gql: GraphQLClient) -> None:
    # given a company whose today is not UTC's
    _, today = await _zone_where_today_is_not_utc_today()
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    kind = await make_type()
    # when a request is raised without a date
    data = await gql(CREATE, _input(account.id, kind.id), token=dana.token)
    # then it is for the company's today
    assert data["createAccountRequest"]["accountRequest"]["forDate"] == today.isoformat()


async def test_staff_choose_the_day_a_request_is_for(gql: GraphQLClient) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    kind = await make_type()
    # when a dispatcher right-clicks a day last week and adds a request
    day = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    data = await gql(CREATE, _input(account.id, kind.id, forDate=day), token=dana.token)
    # then it is for that day
    assert data["createAccountRequest"]["userErrors"] == []
    assert data["createAccountRequest"]["accountRequest"]["forDate"] == day


async def test_changing_the_day_is_on_the_timeline_for_everyone(gql: GraphQLClient) -> None:
    # given a request for 3 March
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    row = await make_request(account)
    await AccountRequest.filter(id=row.id).update(for_date=date(2027, 3, 3))
    # when it moves to 5 March
    data = await gql(
        UPDATE, {"input": {"id": request_gid(row), "forDate": "2027-03-05"}}, token=dana.token
    )
    # then
    payload = data["updateAccountRequest"]
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["forDate"] == "2027-03-05"
    assert payload["accountRequest"]["timeline"]["nodes"] == [
        {
            "kind": "FOR_DATE_CHANGED",
            "before": "2027-03-03",
            "after": "2027-03-05",
            "summary": "The date changed from 2027-03-03 to 2027-03-05.",
        }
    ]


async def test_a_request_older_than_the_date_reads_as_the_day_it_was_raised(
    gql: GraphQLClient,
) -> None:
    # given a Denver company and requests raised before requests had a date: one at
    # 20:00 in Denver on 10 January (03:00 UTC on the 11th), one at noon
    await company.get_settings()
    await company.CompanySettings.filter(id=1).update(time_zone="America/Denver")
    account = await make_account()
    evening = await make_request(account, created_at=datetime(2027, 1, 11, 3, tzinfo=UTC))
    noon = await make_request(account, created_at=datetime(2027, 1, 12, 19, tzinfo=UTC))
    dana = await staff(Role.DISPATCHER)
    # when
    nodes = (await gql(FOR_DATES, token=dana.token))["accountRequests"]["nodes"]
    # then
    assert nodes == [
        {"number": evening.id, "forDate": "2027-01-10"},
        {"number": noon.id, "forDate": "2027-01-12"},
    ]


async def test_a_portal_contact_chooses_today_or_later_only(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    web = await make_type("Web", portal=True)
    today = datetime.now(UTC).date()

    async def create(day: date) -> dict[str, Any]:
        variables = {
            "input": {"typeId": gid("AccountRequestType", web.id), "forDate": day.isoformat()}
        }
        payload: dict[str, Any] = (await gql(CREATE, variables, token=contact.token))[
            "createAccountRequest"
        ]
        return payload

    # when
    past = await create(today - timedelta(days=1))
    later = await create(today + timedelta(days=3))
    # then
    assert error_pairs(past) == [("INVALID", ["input", "forDate"])]
    assert later["accountRequest"]["forDate"] == (today + timedelta(days=3)).isoformat()
