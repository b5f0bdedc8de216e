"""The company's time zone: admins set it; "today", overdue and texts use it.

Every Denver case is at 2026-12-21 03:00 UTC: still 2026-12-20 (20:00 MST) in Denver,
already the 21st in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from models import outbox, zones
from models.linked_items import Invoice
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import submit
from tests.service_requests.people import pending_request

EVENING_IN_DENVER = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
DENVER_TODAY = date(2026, 12, 20)

READ = "{ companySettings { timeZone } }"
UPDATE = """
mutation($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) {
    companySettings { timeZone }
    userErrors { code field }
  }
}
"""


@pytest.fixture
def evening_in_denver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates are judged at EVENING_IN_DENVER."""
    monkeypatch.setattr(zones, "now", lambda: EVENING_IN_DENVER)


async def _set_zone(gql: GraphQLClient, admin: Person, name: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(UPDATE, {"input": {"timeZone": name}}, token=admin.token))[
        "updateCompanySettings"
    ]
    return payload


async def _in_denver(gql: GraphQLClient) -> Person:
    admin = await staff(Role.ADMIN)
    payload = await _set_zone(gql, admin, "America/Denver")
    assert payload == {"companySettings": {"timeZone": "America/Denver"}, "userErrors": []}
    return admin


# --- the setting ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_staff_read_utc_by_default(gql: GraphQLClient, role: Role) -> None:
    viewer = await staff(role)
    assert await gql(READ, token=viewer.token) == {"companySettings": {"timeZone": "UTC"}}


async def test_the_portal_reads_the_zone_its_dates_are_judged_in(gql: GraphQLClient) -> None:
    await _in_denver(gql)
    contact = await portal_contact(await make_account())
    data = await gql(READ, token=contact.token)
    assert data == {"companySettings": {"timeZone": "America/Denver"}}


async def test_an_admin_sets_an_iana_zone(gql: GraphQLClient) -> None:
    admin = await _in_denver(gql)
    # surrounding blanks are dropped
    payload = await _set_zone(gql, admin, "  Europe/Paris ")
    assert payload["companySettings"] == {"timeZone": "Europe/Paris"}
    assert (await gql(READ, token=admin.token))["companySettings"]["timeZone"] == "Europe/Paris"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "America", "MST7", "", "../etc/passwd"])
async def test_an_unknown_zone_is_refused_naming_the_field(gql: GraphQLClient, name: str) -> None:
    admin = await _in_denver(gql)
    payload = await _set_zone(gql, admin, name)
    assert payload == {
        "companySettings": None,
        "userErrors": [{"code": "INVALID", "field": ["input", "timeZone"]}],
    }
    assert (await gql(READ, token=admin.token))["companySettings"]["timeZone"] == "America/Denver"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_set_the_zone(gql: GraphQLClient, role: Role) -> None:
    viewer = await staff(role)
    body = await gql.raw(UPDATE, {"input": {"timeZone": "America/Denver"}}, viewer.token)
    assert_forbidden(body)
    assert (await gql(READ, token=viewer.token))["companySettings"]["timeZone"] == "UTC"


async def test_portal_contacts_and_anonymous_may_not_set_the_zone(gql: GraphQLClient) -> None:
    contact = await portal_contact(await make_account())
    variables = {"input": {"timeZone": "America/Denver"}}
    assert_forbidden(await gql.raw(UPDATE, variables, contact.token))
    assert_unauthenticated(await gql.raw(UPDATE, variables))


# --- "today": the preferred date -----------------------------------------------------------


@pytest.mark.usefixtures("evening_in_denver")
async def test_today_in_denver_is_not_in_the_past(gql: GraphQLClient) -> None:
    # given a Denver company, where it is still the 20th (the 21st in UTC)
    await _in_denver(gql)
    account = await make_account()
    site, contact = await make_site(account), await portal_contact(account)
    # when a contact asks for today, then it is accepted
    payload = await submit(gql, contact, site, preferredDate=DENVER_TODAY.isoformat())
    assert payload["userErrors"] == []
    assert payload["serviceRequest"]["preferredDate"] == DENVER_TODAY.isoformat()
    # and yesterday is refused
    payload = await submit(gql, contact, site, preferredDate="2026-12-19")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID", ["input", "preferredDate"])
    ]


@pytest.mark.usefixtures("evening_in_denver")
async def test_in_utc_the_same_date_is_already_past(gql: GraphQLClient) -> None:
    account = await make_account()
    site, contact = await make_site(account), await portal_contact(account)
    payload = await submit(gql, contact, site, preferredDate=DENVER_TODAY.isoformat())
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID", ["input", "preferredDate"])
    ]


# --- overdue -----------------------------------------------------------------------------------

BALANCES = """
query($id: ID!) { node(id: $id) { ... on Account { balance overdueBalance } } }
"""


async def _invoice_due_denver_today() -> Any:
    account = await make_account()
    await Invoice.create(
        account_id=account.id,
        number=f"TZ-{account.id}",
        issued_on=date(2026, 11, 20),
        due_on=DENVER_TODAY,
        total=Decimal("120.00"),
    )
    return account


@pytest.mark.usefixtures("evening_in_denver")
@pytest.mark.parametrize(("zone", "overdue"), [("America/Denver", "0.00"), ("UTC", "120.00")])
async def test_an_invoice_due_today_in_denver_is_not_overdue_there(
    gql: GraphQLClient, zone: str, overdue: str
) -> None:
    # given an open invoice due on the 20th
    admin = await staff(Role.ADMIN)
    assert (await _set_zone(gql, admin, zone))["userErrors"] == []
    account = await _invoice_due_denver_today()
    # when the account's balance is read
    data = await gql(BALANCES, {"id": gid("Account", account.id)}, token=admin.token)
    # then it is overdue in UTC (the 21st) but not yet in Denver (still the 20th)
    assert data["node"] == {"balance": "120.00", "overdueBalance": overdue}


# --- times in texts ------------------------------------------------------------------------

APPROVE = """
mutation($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) { job { id } userErrors { code } }
}
"""
INBOX = "{ notifications(first: 10) { nodes { kind title body } } }"


@pytest.mark.parametrize(
    ("zone", "start", "written"),
    [
        ("America/Denver", "2026-12-21T16:00:00+00:00", "2026-12-21 09:00 MST"),
        ("America/Denver", "2026-07-01T16:00:00+00:00", "2026-07-01 10:00 MDT"),
        ("UTC", "2026-12-21T16:00:00+00:00", "2026-12-21 16:00 UTC"),
    ],
)
async def test_the_approval_mail_writes_the_visit_in_the_companys_zone(
    gql: GraphQLClient, zone: str, start: str, written: str
) -> None:
    # given a company in `zone` and a pending request
    admin = await staff(Role.ADMIN)
    assert (await _set_zone(gql, admin, zone))["userErrors"] == []
    request = await pending_request(gql)
    end = start.replace("T16:", "T18:")
    # when it is approved with a booked visit
    job = {"scheduledStart": start, "scheduledEnd": end}
    data = await gql(APPROVE, {"input": {"id": request.id, "job": job}}, token=admin.token)
    assert data["approveServiceRequest"]["userErrors"] == []
    # then the customer's mail and inbox name the local time with its zone
    [mail] = await outbox.OutboxEmail.filter(to_address=request.email)
    assert f"The visit is booked for {written}." in mail.text_body
    assert written in mail.html_body
    [note] = (await gql(INBOX, token=request.contact.token))["notifications"]["nodes"]
    assert f"The visit is booked for {written}." in note["body"]


CREATE_APPOINTMENT = """
mutation($input: CreateAppointmentInput!) {
  createAppointment(input: $input) { appointment { id } userErrors { code field } }
}
"""


async def test_the_assignees_notification_writes_the_appointment_in_the_companys_zone(
    gql: GraphQLClient,
) -> None:
    # given a Denver company
    admin = await _in_denver(gql)
    technician = await staff(Role.TECHNICIAN)
    account = await make_account()
    # when an appointment at 16:00 UTC is given to a technician
    variables = {
        "input": {
            "accountId": gid("Account", account.id),
            "startsAt": "2026-12-21T16:00:00+00:00",
            "endsAt": "2026-12-21T17:00:00+00:00",
            "assigneeId": gid("User", technician.id),
        }
    }
    data = await gql(CREATE_APPOINTMENT, variables, token=admin.token)
    assert data["createAppointment"]["userErrors"] == []
    # then they are told of 09:00 MST, not of a UTC time without zone
    [note] = (await gql(INBOX, token=technician.token))["notifications"]["nodes"]
    assert note["title"] == "Appointment on 2026-12-21 09:00 MST"
