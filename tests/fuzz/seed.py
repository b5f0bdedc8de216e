"""A small but complete company for the fuzzer, and the pool of its real global IDs.

People come from tests/factories.py (one hashed password for all, tokens issued
directly); everything else is made through the GraphQL API as the admin, the way
clients make it, so each object has the links, events and notifications the
real mutations leave behind. The IDs the fuzzer sends are then read back
through the API (`harvest`), never computed: they are what clients hold.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from models import accounts
from models.ids import global_id
from models.permissions import Role
from schema.relay.ids import decode_id
from tests.factories import PASSWORD, make_user, staff, token_for
from tests.fuzz.harvest import harvest
from tests.fuzz.seed_work import credit, linked_items, photo, service_requests

# Who the fuzzer speaks as: the six staff roles, a portal contact, nobody.
ROLES = (*(role.value for role in Role), "PORTAL", "ANONYMOUS")
_serial = itertools.count(1)


class SeedError(AssertionError):
    """A seeding call answered with errors: the fuzzer cannot start from this state."""


@dataclass
class Company:
    """What the fuzzer needs of the seeded company."""

    tokens: dict[str, str | None]
    ids: dict[str, list[str]] = field(default_factory=dict)  # GraphQL type name -> IDs
    cursors: list[str] = field(default_factory=list)
    user_rows: dict[str, int] = field(default_factory=dict)  # role -> users.User id
    contact_row: int = 0  # the portal contact's accounts.Contact id

    def all_ids(self) -> list[str]:
        return [gid for name in sorted(self.ids) for gid in self.ids[name]]


class Api:
    """GraphQL over HTTP for seeding: any error or userError stops the seed."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        token = token or self.token
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        if response.status_code != 200:
            raise SeedError(f"{response.status_code}: {response.text[:500]}")
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise SeedError(f"{query}\n{variables}\n{body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    async def mutate(
        self, mutation: str, payload: str, token: str | None = None, /, **values: Any
    ) -> dict[str, Any]:
        """`mutation(input: values) { payload userErrors }`; its input type is named after it."""
        type_name = mutation[0].upper() + mutation[1:] + "Input"
        query = (
            f"mutation($input: {type_name}!) {{ {mutation}(input: $input) "
            f"{{ {payload} userErrors {{ code field message }} }} }}"
        )
        result: dict[str, Any] = (await self.run(query, {"input": values}, token))[mutation]
        if result["userErrors"]:
            raise SeedError(f"{mutation}({values}): {result['userErrors']}")
        return result


async def _people(company: Company) -> dict[str, str]:
    """One user per role (plus a second technician and an inactive user): role -> global ID."""
    gids: dict[str, str] = {}
    for role in Role:
        person = await staff(role, name=f"Fuzz {role.value.title()}")
        company.tokens[role.value] = person.token
        company.user_rows[role.value] = person.id
    second = await make_user(Role.TECHNICIAN, name="Fuzz Second Technician")
    gone = await make_user(Role.DISPATCHER, name="Fuzz Former Dispatcher", active=False)
    company.user_rows["TECHNICIAN_2"] = second.id
    company.user_rows["INACTIVE"] = gone.id
    company.tokens["ANONYMOUS"] = None
    for key, pk in company.user_rows.items():
        gids[key] = global_id("User", pk)
    return gids


async def _portal_contact(api: Api, account_id: str, name: str) -> tuple[str, int]:
    """A contact with portal access, created through the API: (token, contact row id)."""
    n = next(_serial)
    created = await api.mutate(
        "createContact",
        "contact { id }",
        accountId=account_id,
        name=name,
        email=f"fuzz-portal{n}@customer.example",
        phone="+1 555 0100",
        title="Facilities lead",
        portalAccess=True,
        password=PASSWORD,
    )
    pk = decode_id(created["contact"]["id"])[1]
    contact = await accounts.Contact.get(id=pk)
    return await token_for(contact), pk


async def seed(http: httpx.AsyncClient) -> Company:
    """Build the company through `http` (an app on the database under test) and harvest it."""
    company = Company(tokens={})
    users = await _people(company)
    api = Api(http, company.tokens["ADMIN"])
    mutate = api.mutate
    team = await mutate(
        "createTeam",
        "team { id }",
        name="Fuzz Accounting",
        leaderId=users["ACCOUNTING"],
        memberIds=[users["ACCOUNTING"]],
    )
    await mutate(
        "createTeam",
        "team { id }",
        name="Fuzz Field",
        leaderId=users["DISPATCHER"],
        memberIds=[users["DISPATCHER"], users["TECHNICIAN"], users["TECHNICIAN_2"]],
    )
    await mutate(
        "updateCompanySettings",
        "companySettings { currency }",
        serviceRequestsEnabled=True,
        creditTeamId=team["team"]["id"],
        defaultSlaHours=48,
    )

    async def account(name: str, **values: Any) -> str:
        made = await mutate("createAccount", "account { id }", name=name, **values)
        gid: str = made["account"]["id"]
        return gid

    north = await account("Northwind Facilities", creditLimit="5000.00", defaultSlaHours=24)
    north_east = await account("Northwind East", parentId=north, number="NW-E")
    north_east_lab = await account("Northwind East Lab", parentId=north_east)
    contoso = await account("Contoso Property", creditLimit="1000.00")
    closed = await account("Closed Co")
    await mutate("setAccountActive", "account { id }", id=closed, active=False)
    await mutate(
        "setAccountManager", "account { id }", accountId=north, managerId=users["ACCOUNT_MANAGER"]
    )
    await mutate(
        "setAccountManager", "account { id }", accountId=contoso, managerId=users["ACCOUNT_MANAGER"]
    )
    await mutate("setAccountManager", "account { id }", accountId=contoso, managerId=None)

    sites: dict[str, str] = {}
    for key, owner, name in (
        ("north", north, "Head office"),
        ("north2", north, "Warehouse"),
        ("east", north_east, "East depot"),
        ("lab", north_east_lab, "Lab"),
        ("contoso", contoso, "Tower"),
    ):
        made = await mutate(
            "createSite",
            "site { id }",
            accountId=owner,
            name=name,
            street="1 Main St",
            city="Springfield",
            region="WA",
            postalCode="98101",
            country="US",
        )
        sites[key] = made["site"]["id"]
    await mutate("updateSite", "site { id }", id=sites["north2"], isActive=False)
    plain = await mutate("createContact", "contact { id }", accountId=north, name="Pat Plain")
    portal_token, company.contact_row = await _portal_contact(api, north, "Polly Portal")
    company.tokens["PORTAL"] = portal_token
    other_portal, _ = await _portal_contact(api, contoso, "Otto Other")

    types: dict[str, str] = {}
    for key, values in (
        ("billing", {"name": "Billing question", "portalAvailable": True}),
        ("visit", {"name": "Site visit", "defaultAssigneeId": users["TECHNICIAN"]}),
        ("old", {"name": "Old type", "isActive": False}),
    ):
        made = await mutate("createAccountRequestType", "accountRequestType { id }", **values)
        types[key] = made["accountRequestType"]["id"]

    async def request(token: str | None = None, **values: Any) -> str:
        made = await mutate("createAccountRequest", "accountRequest { id }", token, **values)
        gid: str = made["accountRequest"]["id"]
        return gid

    open_request = await request(
        accountId=north,
        typeId=types["visit"],
        assigneeId=users["TECHNICIAN"],
        contactId=plain["contact"]["id"],
        note="Leak under the sink",
    )
    busy = await request(
        accountId=north_east, typeId=types["billing"], status="IN_PROGRESS", note="Invoice?"
    )
    await request(accountId=contoso, typeId=types["visit"], status="WAITING_ON_CUSTOMER")
    done = await request(accountId=north_east_lab, typeId=types["visit"], note="Fixed")
    await mutate("updateAccountRequest", "accountRequest { id }", id=done, status="COMPLETED")
    await mutate(
        "updateAccountRequest",
        "accountRequest { id }",
        id=busy,
        assigneeId=users["DISPATCHER"],
        note="Invoice question, answered by phone",
    )
    await request(portal_token, typeId=types["billing"], note="From the portal")
    await request(
        company.tokens["ACCOUNT_MANAGER"], accountId=north, typeId=types["visit"], note="By AM"
    )

    await linked_items(api, users, sites, north, north_east, open_request, busy)
    await photo(api, open_request, company.tokens["ADMIN"] or "", True)
    await photo(api, open_request, portal_token, True)
    await service_requests(api, users, sites, portal_token, other_portal)
    await credit(api, north, north_east, contoso)
    await mutate("markNotificationsRead", "markedCount", company.tokens["TECHNICIAN"], all=True)
    await harvest(api, company)
    return company
