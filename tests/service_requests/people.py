"""The people a review starts from: who may review, and a customer with a pending request.

A pending service request is submitted through the API by a portal contact, as the
portal does, so every decision test starts where a dispatcher's review starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import accounts
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import Person, make_account, make_site, portal_contact
from tests.service_requests.operations import submit

REVIEWERS = [Role.ADMIN, Role.DISPATCHER]
# Roles that may not review service requests (besides portal contacts and anonymous).
NON_REVIEWERS = [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER, Role.ACCOUNTING]


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
        email = self.contact.contact.email
        assert email is not None
        return email


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


async def pending_request(
    gql: GraphQLClient,
    *,
    account_name: str | None = None,
    site_name: str | None = None,
    sla_hours: int | None = None,
    **submitted: Any,
) -> Pending:
    """A request a new customer's contact submitted; `submitted` are fields of the
    submit input as a client names them (description=..., serviceType=...)."""
    account, site, contact = await customer(account_name, sla_hours=sla_hours, site_name=site_name)
    payload = await submit(gql, contact, site, **submitted)
    assert payload["userErrors"] == [], payload
    request = payload["serviceRequest"]
    return Pending(request["id"], request["number"], account, site, contact)
