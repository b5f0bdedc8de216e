"""Shared givens for the decision, concurrency and customer-mail tests.

A pending service request is submitted through the API by a portal contact, as
the portal does, so every test starts where a dispatcher's review starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models import accounts
from models.permissions import Role
from schema.relay import encode_id
from tests.client import GraphQLClient
from tests.factories import Person, make_account, make_site, portal_contact

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    serviceRequest { id number }
    userErrors { code field message }
  }
}
"""
APPROVE = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    serviceRequest {
      id number status decidedAt decidedBy { name } declineReason job { id }
    }
    job {
      id status serviceType description scheduledStart scheduledEnd priority slaDueAt
      skills parts assetIds account { name } site { name }
      serviceRequest { id status }
    }
    userErrors { code field message }
  }
}
"""
DECLINE = """
mutation Decline($input: DeclineServiceRequestInput!) {
  declineServiceRequest(input: $input) {
    serviceRequest { id number status decidedAt decidedBy { name } declineReason job { id } }
    userErrors { code field message }
  }
}
"""
SET_COMPANY_SLA = """
mutation SetSla($hours: Int) {
  updateCompanySettings(input: {defaultSlaHours: $hours}) {
    companySettings { defaultSlaHours }
    userErrors { code field message }
  }
}
"""

# Roles that may not review service requests (besides portal contacts and anonymous).
NON_REVIEWERS = [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER, Role.ACCOUNTING]
REVIEWERS = [Role.ADMIN, Role.DISPATCHER]


@dataclass
class Pending:
    """A pending request, with who submitted it and where."""

    id: str
    number: int
    account: accounts.Account
    site: accounts.Site
    contact: Person

    @property
    def email(self) -> str:
        assert isinstance(self.contact.row, accounts.Contact)
        assert self.contact.row.email is not None
        return self.contact.row.email


async def customer(
    name: str | None = None, *, sla_hours: int | None = None, site_name: str | None = None
) -> tuple[accounts.Account, accounts.Site, Person]:
    """An account (with its default SLA hours), one site and a portal contact."""
    account = await make_account(name)
    if sla_hours is not None:
        account.default_sla_hours = sla_hours
        await account.save()
    site = await make_site(account, site_name)
    return account, site, await portal_contact(account)


async def submit(
    gql: GraphQLClient,
    contact: Person,
    site: accounts.Site,
    *,
    description: str = "Dock door stuck half open",
    service_type: str = "REPAIR",
    urgency: str = "NORMAL",
    preferred_date: date | None = None,
) -> tuple[str, int]:
    """(global ID, number) of a request the contact submitted through the portal."""
    data = await gql(
        SUBMIT,
        {
            "input": {
                "siteId": encode_id("Site", site.id),
                "serviceType": service_type,
                "description": description,
                "urgency": urgency,
                "preferredDate": preferred_date.isoformat() if preferred_date else None,
            }
        },
        token=contact.token,
    )
    payload = data["submitServiceRequest"]
    assert payload["userErrors"] == [], payload
    request = payload["serviceRequest"]
    return request["id"], request["number"]


async def pending_request(
    gql: GraphQLClient,
    *,
    account_name: str | None = None,
    site_name: str | None = None,
    sla_hours: int | None = None,
    **submitted: Any,
) -> Pending:
    account, site, contact = await customer(account_name, sla_hours=sla_hours, site_name=site_name)
    request_id, number = await submit(gql, contact, site, **submitted)
    return Pending(request_id, number, account, site, contact)


async def set_company_sla(gql: GraphQLClient, admin: Person, hours: int | None) -> None:
    data = await gql(SET_COMPANY_SLA, {"hours": hours}, token=admin.token)
    payload = data["updateCompanySettings"]
    assert payload["userErrors"] == [], payload
    assert payload["companySettings"] == {"defaultSlaHours": hours}


async def approve(
    gql: GraphQLClient, token: str | None, request_id: str, job: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The approveServiceRequest payload (no top-level errors allowed)."""
    variables: dict[str, Any] = {"input": {"id": request_id}}
    if job is not None:
        variables["input"]["job"] = job
    data = await gql(APPROVE, variables, token=token)
    payload: dict[str, Any] = data["approveServiceRequest"]
    return payload


async def decline(
    gql: GraphQLClient, token: str | None, request_id: str, reason: str
) -> dict[str, Any]:
    """The declineServiceRequest payload (no top-level errors allowed)."""
    data = await gql(DECLINE, {"input": {"id": request_id, "reason": reason}}, token=token)
    payload: dict[str, Any] = data["declineServiceRequest"]
    return payload


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)
