"""The people a review starts from: who may review, and a customer with a pending request.

A pending service request is submitted through the API by a portal contact, as the
portal does, so every decision test starts where a dispatcher's review starts. `World`
holds two customers and a dispatcher for the job tests, and makes approved jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import accounts
from models.accounts import Account, Site
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import ASSIGN, CANCEL, approved_job, submit, submitted

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


class World:
    """Two customers, a dispatcher, and helpers to make approved jobs."""

    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql

    async def setup(self) -> World:
        self.dispatcher = await staff(Role.DISPATCHER, name="Dana Dispatcher")
        self.alpha = await make_account("Alpha")
        self.beta = await make_account("Beta")
        self.alpha_site = await make_site(self.alpha, "Alpha HQ")
        self.beta_site = await make_site(self.beta, "Beta Yard")
        self.alpha_contact = await portal_contact(self.alpha)
        self.beta_contact = await portal_contact(self.beta)
        return self

    async def job(self, account: Account | None = None, **job: Any) -> tuple[str, str]:
        """(request id, job id) of a freshly approved request."""
        account = account or self.alpha
        site: Site = self.alpha_site if account is self.alpha else self.beta_site
        contact = self.alpha_contact if account is self.alpha else self.beta_contact
        request = await submitted(self.gql, contact, site)
        return request, await approved_job(self.gql, self.dispatcher, request, **job)

    async def assign(self, job_id: str, person: Person | None, as_: Person | None = None) -> Any:
        variables = {
            "input": {"id": job_id, "assigneeId": gid("User", person.id) if person else None}
        }
        data = await self.gql(ASSIGN, variables, token=(as_ or self.dispatcher).token)
        return data["assignJob"]

    async def cancel(self, job_id: str, reason: str, as_: Person | None = None) -> Any:
        variables = {"input": {"id": job_id, "reason": reason}}
        data = await self.gql(CANCEL, variables, token=(as_ or self.dispatcher).token)
        return data["cancelJob"]
