"""An account's calendar: requests on the day they are for, appointments, tasks due and
service records, in the company's days, ordered by time then kind then ID, paged; each
viewer sees what it may see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from models import company
from models.account_requests import AccountRequest
from models.accounts import Account
from models.linked_items import Appointment, ServiceRecord, Task
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type
from tests.client import GraphQLClient, error_codes
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid

CALENDAR = """
query Calendar(
  $account: ID!, $from: Date!, $to: Date!, $kinds: [CalendarEntryKind!],
  $first: Int, $after: String, $last: Int, $before: String
) {
  accountCalendar(
    accountId: $account, from: $from, to: $to, kinds: $kinds,
    first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        kind date at allDay
        item {
          __typename
          ... on AccountRequest { number forDate }
          ... on Appointment { notes }
          ... on Task { title }
          ... on ServiceRecord { description }
        }
      }
    }
  }
}
"""

DENVER = "America/Denver"  # UTC-7 in January


async def _zone(name: str) -> None:
    await company.get_settings()
    await company.CompanySettings.filter(id=1).update(time_zone=name)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _request(account: Account, for_date: date | None, **stamps: Any) -> AccountRequest:
    row = await make_request(account, await make_type(), **stamps)
    await AccountRequest.filter(id=row.id).update(for_date=for_date)
    return row


async def _appointment(account: Account, starts: str, notes: str) -> Appointment:
    start = _utc(starts)
    return await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=1), notes=notes
    )


async def _calendar(
    gql: GraphQLClient, person: Person, account: Account, start: str, end: str, **more: Any
) -> dict[str, Any]:
    variables = {"account": gid("Account", account.id), "from": start, "to": end, **more}
    data = await gql(CALENDAR, variables, token=person.token)
    result: dict[str, Any] = data["accountCalendar"]
    return result


def _label(node: dict[str, Any]) -> tuple[str, str, str | None, str]:
    item = node["item"]
    name = str(
        item.get("number") or item.get("notes") or item.get("title") or item.get("description")
    )
    return node["kind"], node["date"], node["at"], name


async def _a_week_in_denver() -> tuple[Account, dict[str, Any]]:
    """Entries around 10-12 January 2027 of one account (and one of another account)."""
    await _zone(DENVER)
    account = await make_account("Acme")
    rows: dict[str, Any] = {}
    rows["early"] = await _request(account, date(2027, 1, 10))
    # raised at 20:00 in Denver on the 10th (03:00 UTC on the 11th), before the column
    rows["old"] = await _request(account, None, created_at=_utc("2027-01-11T03:00:00"))
    rows["internal"] = await _request(account, date(2027, 1, 11))
    await AccountRequest.filter(id=rows["internal"].id).update(internal=True)
    rows["before"] = await _request(account, date(2027, 1, 9))
    rows["visit"] = await _appointment(account, "2027-01-10T16:00:00", "visit at nine")
    rows["evening"] = await _appointment(account, "2027-01-11T02:30:00", "evening visit")
    rows["late"] = await _appointment(account, "2027-01-13T05:00:00", "last visit")
    rows["after"] = await _appointment(account, "2027-01-13T08:00:00", "too late")
    rows["task"] = await Task.create(
        account_id=account.id, title="call back", due_at=_utc("2027-01-10T16:00:00")
    )
    rows["record"] = await ServiceRecord.create(
        account_id=account.id, service_date=date(2027, 1, 10), description="emptied bins"
    )
    await _request(await make_account("Other"), date(2027, 1, 10))
    return account, rows


async def test_staff_see_every_kind_in_company_days_ordered_by_time_kind_and_id(
    gql: GraphQLClient,
) -> None:
    # given a week of Acme in a Denver company
    account, rows = await _a_week_in_denver()
    dana = await staff(Role.DISPATCHER)

    # when the dispatcher reads 10 to 12 January
    calendar = await _calendar(gql, dana, account, "2027-01-10", "2027-01-12", first=50)

    # then every entry of those Denver days, all-day ones first on their day
    nodes = [edge["node"] for edge in calendar["edges"]]
    early, old, internal = rows["early"].id, rows["old"].id, rows["internal"].id
    assert [_label(node) for node in nodes] == [
        ("ACCOUNT_REQUEST", "2027-01-10", None, str(early)),
        ("ACCOUNT_REQUEST", "2027-01-10", None, str(old)),
        ("SERVICE_RECORD", "2027-01-10", None, "emptied bins"),
        ("APPOINTMENT", "2027-01-10", "2027-01-10T16:00:00+00:00", "visit at nine"),
        ("TASK_DUE", "2027-01-10", "2027-01-10T16:00:00+00:00", "call back"),
        ("APPOINTMENT", "2027-01-10", "2027-01-11T02:30:00+00:00", "evening visit"),
        ("ACCOUNT_REQUEST", "2027-01-11", None, str(internal)),
        ("APPOINTMENT", "2027-01-12", "2027-01-13T05:00:00+00:00", "last visit"),
    ]
    assert [node["allDay"] for node in nodes] == [True] * 3 + [False] * 3 + [True, False]
    assert calendar["totalCount"] == 8
    # and a request older than the column is for the Denver day it was raised on
    assert nodes[1]["item"] == {
        "__typename": "AccountRequest",
        "number": old,
        "forDate": "2027-01-10",
    }


async def test_a_portal_contact_sees_its_calendar_without_tasks_or_internal_requests(
    gql: GraphQLClient,
) -> None:
    # given
    account, rows = await _a_week_in_denver()
    contact = await portal_contact(account)

    # when
    calendar = await _calendar(gql, contact, account, "2027-01-10", "2027-01-12", first=50)

    # then
    kinds = [edge["node"]["kind"] for edge in calendar["edges"]]
    assert kinds == [
        "ACCOUNT_REQUEST",
        "ACCOUNT_REQUEST",
        "SERVICE_RECORD",
        "APPOINTMENT",
        "APPOINTMENT",
        "APPOINTMENT",
    ]
    numbers = [edge["node"]["item"].get("number") for edge in calendar["edges"]]
    assert rows["internal"].id not in numbers
    assert calendar["totalCount"] == 6


async def test_kinds_narrow_the_calendar(gql: GraphQLClient) -> None:
    # given
    account, _ = await _a_week_in_denver()
    dana = await staff(Role.ADMIN)
    # when
    calendar = await _calendar(
        gql, dana, account, "2027-01-10", "2027-01-12", kinds=["TASK_DUE", "SERVICE_RECORD"]
    )
    # then
    assert [edge["node"]["kind"] for edge in calendar["edges"]] == ["SERVICE_RECORD", "TASK_DUE"]


async def test_the_calendar_pages_with_cursors_both_ways(gql: GraphQLClient) -> None:
    # given eight entries
    account, _ = await _a_week_in_denver()
    dana = await staff(Role.DISPATCHER)
    everything = await _calendar(gql, dana, account, "2027-01-10", "2027-01-12", first=50)
    expected = [_label(edge["node"]) for edge in everything["edges"]]

    # when paging forward by three
    seen: list[Any] = []
    after = None
    while True:
        page = await _calendar(gql, dana, account, "2027-01-10", "2027-01-12", first=3, after=after)
        seen += [_label(edge["node"]) for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # and backward by three
    back: list[Any] = []
    before = None
    while True:
        page = await _calendar(
            gql, dana, account, "2027-01-10", "2027-01-12", last=3, before=before
        )
        back = [_label(edge["node"]) for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    # then both walks give the whole calendar once, in order
    assert seen == expected
    assert back == expected


async def test_a_cursor_still_places_the_page_after_its_entry_is_gone(gql: GraphQLClient) -> None:
    # given the first page of two
    account, rows = await _a_week_in_denver()
    dana = await staff(Role.DISPATCHER)
    first = await _calendar(gql, dana, account, "2027-01-10", "2027-01-12", first=2)
    # when the last entry of that page is deleted, and the next page read
    await AccountRequest.filter(id=rows["old"].id).delete()
    after = first["pageInfo"]["endCursor"]
    page = await _calendar(gql, dana, account, "2027-01-10", "2027-01-12", first=2, after=after)
    # then it starts right after where the entry was
    assert [edge["node"]["kind"] for edge in page["edges"]] == ["SERVICE_RECORD", "APPOINTMENT"]


@pytest.mark.parametrize(
    ("start", "end", "named"),
    [
        ("2027-01-10", "2027-01-09", "`to`"),
        ("2027-01-01", "2028-01-02", "`to`"),  # 367 days
    ],
)
async def test_a_range_backwards_or_longer_than_366_days_is_refused(
    gql: GraphQLClient, start: str, end: str, named: str
) -> None:
    # given
    account = await make_account()
    dana = await staff(Role.DISPATCHER)
    # when
    variables = {"account": gid("Account", account.id), "from": start, "to": end}
    answer = await gql.raw(CALENDAR, variables, token=dana.token)
    # then
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert named in answer["errors"][0]["message"]


async def test_a_range_of_366_days_is_accepted(gql: GraphQLClient) -> None:
    account = await make_account()
    dana = await staff(Role.DISPATCHER)
    calendar = await _calendar(gql, dana, account, "2028-01-01", "2028-12-31")
    assert calendar["totalCount"] == 0


async def test_a_cursor_of_something_else_is_refused(gql: GraphQLClient) -> None:
    account = await make_account()
    dana = await staff(Role.DISPATCHER)
    variables = {
        "account": gid("Account", account.id),
        "from": "2027-01-01",
        "to": "2027-01-02",
        "after": "bm90IGEgY3Vyc29y",
    }
    answer = await gql.raw(CALENDAR, variables, token=dana.token)
    assert error_codes(answer) == ["BAD_USER_INPUT"]


async def test_another_accounts_calendar_answers_as_an_account_that_does_not_exist(
    gql: GraphQLClient,
) -> None:
    # given a contact of one account, and a manager of another
    ours = await make_account("Ours")
    theirs = await make_account("Theirs")
    await _request(theirs, date(2027, 1, 10))
    contact = await portal_contact(ours)
    maya = await staff(Role.ACCOUNT_MANAGER)
    await make_account(manager=maya.user)
    for person in (contact, maya):
        # when each asks for Theirs, and for an ID that is no account
        answers = [
            await gql.raw(
                CALENDAR,
                {"account": gid("Account", pk), "from": "2027-01-01", "to": "2027-01-31"},
                token=person.token,
            )
            for pk in (theirs.id, 999_999)
        ]
        # then both answers are the same refusal
        assert [error_codes(answer) for answer in answers] == [["BAD_USER_INPUT"]] * 2
        assert answers[0]["errors"][0]["message"] == answers[1]["errors"][0]["message"]
        assert answers[0].get("data") == answers[1].get("data")


async def test_an_account_manager_sees_the_calendar_of_own_accounts(gql: GraphQLClient) -> None:
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    row = await _request(account, date(2027, 1, 10))
    calendar = await _calendar(gql, maya, account, "2027-01-10", "2027-01-10")
    assert [edge["node"]["item"]["number"] for edge in calendar["edges"]] == [row.id]


async def test_anonymous_callers_are_refused(gql: GraphQLClient) -> None:
    account = await make_account()
    variables = {"account": gid("Account", account.id), "from": "2027-01-01", "to": "2027-01-02"}
    answer = await gql.raw(CALENDAR, variables)
    assert error_codes(answer) == ["UNAUTHENTICATED"]


async def test_the_statement_count_does_not_grow_with_the_page(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given many entries of each kind in one month
    await _zone(DENVER)
    account = await make_account()
    kind = await make_type()
    for day in range(1, 29):
        on = date(2027, 2, day)
        request = await make_request(account, kind)
        await AccountRequest.filter(id=request.id).update(for_date=on)
        await _appointment(account, f"2027-02-{day:02d}T18:00:00", f"visit {day}")
        await Task.create(
            account_id=account.id, title=f"task {day}", due_at=_utc(f"2027-02-{day:02d}T19:00:00")
        )
        await ServiceRecord.create(
            account_id=account.id, service_date=on, description=f"work {day}"
        )
    dana = await staff(Role.DISPATCHER)
    deep = CALENDAR.replace(
        "... on AccountRequest { number forDate }",
        "... on AccountRequest { number forDate type { name } account { name } nextStatuses }",
    ).replace("... on Task { title }", "... on Task { title account { name } }")

    async def count(first: int) -> tuple[int, int]:
        count_statements.statements.clear()
        variables = {
            "account": gid("Account", account.id),
            "from": "2027-02-01",
            "to": "2027-02-28",
            "first": first,
        }
        data = await gql(deep, variables, token=dana.token)
        return count_statements.count, len(data["accountCalendar"]["edges"])

    # when
    small, small_size = await count(4)
    large, large_size = await count(100)

    # then
    assert (small_size, large_size) == (4, 100)
    assert small == large, count_statements.statements
    assert large == 13, count_statements.statements  # sign-in 1, the calendar's 12
