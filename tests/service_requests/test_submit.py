"""Submitting a service request, its validation, and the switch that turns submitting off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import service_requests as sr
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_paths
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import (
    SERVICE_REQUESTS,
    SUBMIT,
    set_enabled,
    submit,
    submit_input,
    submitted,
)

SETTINGS = "{ companySettings { serviceRequestsEnabled } }"
SET_ACCOUNT_ACTIVE = """
mutation Active($input: SetAccountActiveInput!) {
  setAccountActive(input: $input) { userErrors { code } }
}
"""


# --- who may submit ------------------------------------------------------------------------


async def test_a_portal_contact_submits_for_a_site_of_its_account(gql: GraphQLClient) -> None:
    # given
    account = await make_account("Northwind")
    site = await make_site(account, "Warehouse")
    contact = await portal_contact(account)
    today = now().date()
    # when
    payload = await submit(
        gql,
        contact,
        site,
        serviceType="INSPECTION",
        description="  Yearly fire door inspection  ",
        urgency="URGENT",
        preferredDate=today.isoformat(),
    )
    # then
    assert payload["userErrors"] == []
    request = payload["serviceRequest"]
    assert request["status"] == "PENDING"
    assert request["serviceType"] == "INSPECTION"
    assert request["urgency"] == "URGENT"
    assert request["description"] == "Yearly fire door inspection"
    assert request["preferredDate"] == today.isoformat()
    assert request["account"] == {"name": "Northwind"}
    assert request["site"] == {"name": "Warehouse"}
    row = await sr.ServiceRequest.get(id=request["number"])
    assert row.contact_id == contact.id
    assert row.account_id == account.id


async def test_urgency_defaults_to_normal_and_the_preferred_date_is_optional(
    gql: GraphQLClient,
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    variables = {"input": {k: v for k, v in submit_input(site).items() if k != "urgency"}}
    # when
    data = await gql(SUBMIT, variables, token=contact.token)
    # then
    payload = data["submitServiceRequest"]
    assert payload["userErrors"] == []
    assert payload["serviceRequest"]["urgency"] == "NORMAL"
    assert payload["serviceRequest"]["preferredDate"] is None


async def test_anonymous_cannot_submit(gql: GraphQLClient) -> None:
    # given
    site = await make_site(await make_account())
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)})
    # then
    assert_unauthenticated(body)
    assert await sr.ServiceRequest.all().count() == 0


@pytest.mark.parametrize("role", list(Role))
async def test_staff_cannot_submit(gql: GraphQLClient, role: Role) -> None:
    # given
    site = await make_site(await make_account())
    person = await staff(role)
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)}, token=person.token)
    # then
    assert_forbidden(body)
    assert await sr.ServiceRequest.all().count() == 0


async def test_another_accounts_site_reads_exactly_like_a_made_up_one(gql: GraphQLClient) -> None:
    # given
    mine = await make_account()
    await make_site(mine)
    theirs = await make_site(await make_account())
    contact = await portal_contact(mine)
    # when
    foreign = await submit(gql, contact, theirs)
    made_up = await gql(
        SUBMIT,
        {"input": submit_input(theirs, siteId=gid("Site", theirs.id + 1000))},
        token=contact.token,
    )
    wrong_type = await gql(
        SUBMIT,
        {"input": submit_input(theirs, siteId=gid("Account", mine.id))},
        token=contact.token,
    )
    # then
    assert foreign["serviceRequest"] is None
    assert foreign["userErrors"] == made_up["submitServiceRequest"]["userErrors"]
    assert foreign["userErrors"] == wrong_type["submitServiceRequest"]["userErrors"]
    assert error_paths(foreign) == [("NOT_FOUND", "input.siteId")]
    assert await sr.ServiceRequest.all().count() == 0


async def test_a_contact_of_an_inactive_account_cannot_submit(gql: GraphQLClient) -> None:
    # given a signed-in contact whose account an admin then deactivates
    admin = await staff(Role.ADMIN)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    await submitted(gql, contact, site)
    data = await gql(
        SET_ACCOUNT_ACTIVE,
        {"input": {"id": gid("Account", account.id), "active": False}},
        token=admin.token,
    )
    assert data["setAccountActive"]["userErrors"] == []
    # when
    body = await gql.raw(SUBMIT, {"input": submit_input(site)}, token=contact.token)
    # then the session is over
    assert_unauthenticated(body)
    assert await sr.ServiceRequest.all().count() == 1


# --- input rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("", [("REQUIRED", "input.description")]),
        ("   \n\t ", [("REQUIRED", "input.description")]),
        ("x" * 5_001, [("TOO_LONG", "input.description")]),
        ("x" * 5_000, []),
        ("  " + "x" * 5_000 + "  ", []),  # trimmed before it is measured
    ],
    ids=["empty", "blank", "5001", "5000", "5000-padded"],
)
async def test_description_is_required_and_at_most_5000_characters(
    gql: GraphQLClient, description: str, expected: list[tuple[str, str]]
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    payload = await submit(gql, contact, site, description=description)
    # then
    assert error_paths(payload) == expected
    assert (payload["serviceRequest"] is None) == bool(expected)
    assert await sr.ServiceRequest.all().count() == (0 if expected else 1)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-1, [("INVALID", "input.preferredDate")]),
        (-365, [("INVALID", "input.preferredDate")]),
        (0, []),
        (1, []),
        (90, []),
    ],
    ids=["yesterday", "last-year", "today", "tomorrow", "in-90-days"],
)
async def test_the_preferred_date_cannot_be_in_the_past(
    gql: GraphQLClient, days: int, expected: list[tuple[str, str]]
) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    preferred = now().date() + timedelta(days=days)
    # when
    payload = await submit(gql, contact, site, preferredDate=preferred.isoformat())
    # then
    assert error_paths(payload) == expected
    if not expected:
        assert payload["serviceRequest"]["preferredDate"] == preferred.isoformat()


async def test_an_unknown_service_type_is_a_validation_error(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    # when
    body = await gql.raw(
        SUBMIT, {"input": submit_input(site, serviceType="PAINTING")}, token=contact.token
    )
    # then
    assert body.get("errors")
    assert await sr.ServiceRequest.all().count() == 0


# --- the company switch ---------------------------------------------------------------------


async def test_a_portal_contact_reads_whether_service_requests_are_enabled(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    contact = await portal_contact(await make_account())
    # when / then
    assert await gql(SETTINGS, token=contact.token) == {
        "companySettings": {"serviceRequestsEnabled": True}
    }
    await set_enabled(gql, admin, False)
    assert await gql(SETTINGS, token=contact.token) == {
        "companySettings": {"serviceRequestsEnabled": False}
    }
    assert_unauthenticated(await gql.raw(SETTINGS))


async def test_while_disabled_submitting_is_refused_and_existing_requests_stay_visible(
    gql: GraphQLClient,
) -> None:
    # given a request submitted while enabled, then an admin turns them off
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    existing = await submitted(gql, contact, site)
    await set_enabled(gql, admin, False)
    # when
    refused = await submit(gql, contact, site, description="Another one")
    # then
    assert refused["serviceRequest"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["SERVICE_REQUESTS_DISABLED"]
    assert await sr.ServiceRequest.all().count() == 1
    for viewer in (contact, dispatcher, admin):
        listed = await gql(SERVICE_REQUESTS, {"first": 10}, token=viewer.token)
        assert [n["id"] for n in listed["serviceRequests"]["nodes"]] == [existing]
    # when turned back on
    await set_enabled(gql, admin, True)
    # then
    await submitted(gql, contact, site, description="Another one")
    assert await sr.ServiceRequest.all().count() == 2


async def test_while_disabled_even_an_invalid_submission_says_disabled(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    await set_enabled(gql, admin, False)
    # when
    payload = await submit(gql, contact, site, description="")
    # then the portal shows the one message that matters
    assert [e["code"] for e in payload["userErrors"]] == ["SERVICE_REQUESTS_DISABLED"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_switch_service_requests_off(gql: GraphQLClient, role: Role) -> None:
    # given
    person = await staff(role)
    contact = await portal_contact(await make_account())
    mutation = """
    mutation { updateCompanySettings(input: {serviceRequestsEnabled: false}) {
      userErrors { code } } }
    """
    # when / then
    assert_forbidden(await gql.raw(mutation, token=person.token))
    assert_forbidden(await gql.raw(mutation, token=contact.token))
    assert_unauthenticated(await gql.raw(mutation))
    assert await gql(SETTINGS, token=person.token) == {
        "companySettings": {"serviceRequestsEnabled": True}
    }
