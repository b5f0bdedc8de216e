"""A company rich enough that every corpus screen answers with data, built through the
GraphQL API the way the SPAs and the portal build it (only the first admin comes from
tests/factories.py: nobody can sign up as one).

`seed` returns the viewers (a token per role; None for anonymous) and the refs: the
global IDs the manifest's `{"ref": NAME}` placeholders stand for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from api.settings import Settings
from models.permissions import Role
from schema.relay.ids import encode_id
from tests import factories
from tests.conformance import seed_webhooks
from tests.conformance.seed_work import seed_work

PASSWORD = "conformance corpus 2026"

# The viewers every document runs as: the six staff roles, a credit-team member,
# a portal contact and nobody.
STAFF_ROLES = {
    "admin": Role.ADMIN,
    "dispatcher": Role.DISPATCHER,
    "technician": Role.TECHNICIAN,
    "account_manager": Role.ACCOUNT_MANAGER,
    "project_manager": Role.PROJECT_MANAGER,
    "accounting": Role.ACCOUNTING,
    "credit_team": Role.ACCOUNTING,
}
VIEWERS = [*STAFF_ROLES, "portal_contact", "anonymous"]


@dataclass
class World:
    """Who signs in, and the IDs the documents' variables refer to."""

    tokens: dict[str, str | None] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)


class Api:
    """GraphQL over HTTP as the SPA sends it; every call must succeed."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, (query, body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def mutate(
        self, mutation: str, token: str | None, selection: str, /, **input: Any
    ) -> dict[str, Any]:
        """One mutation whose payload must have no userErrors."""
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        query = (
            f"mutation Seed($input: {input_type}!) {{ {mutation}(input: $input) "
            f"{{ {selection} userErrors {{ code field message }} }} }}"
        )
        payload: dict[str, Any] = (await self.run(query, {"input": input}, token))[mutation]
        assert payload["userErrors"] == [], (mutation, input, payload["userErrors"])
        return payload

    async def login(self, email: str, password: str = PASSWORD) -> str:
        payload = await self.mutate("login", None, "token", email=email, password=password)
        token: str = payload["token"]
        return token


async def _staff(api: Api, world: World) -> str:
    """Every staff viewer, created by the admin and signed in with their password."""
    admin = await factories.staff(Role.ADMIN, name="Ada Admin", email="ada@docket.test")
    world.tokens["admin"] = admin.token
    world.users["admin"] = encode_id("User", admin.id)
    for viewer, role in STAFF_ROLES.items():
        if viewer == "admin":
            continue
        email = f"{viewer.replace('_', '.')}@docket.test"
        payload = await api.mutate(
            "createUser",
            admin.token,
            "user { id }",
            name=viewer.replace("_", " ").title(),
            email=email,
            password=PASSWORD,
            roles=[role.value],
            employeeId=f"E-{len(world.users):03d}",
            phone="+1 555 0100",
        )
        world.users[viewer] = payload["user"]["id"]
        world.tokens[viewer] = await api.login(email)
    world.tokens["anonymous"] = None
    return admin.token


async def _setup(api: Api, world: World, admin: str) -> None:
    """Teams, company settings and request types."""
    users = world.users
    credit = await api.mutate(
        "createTeam",
        admin,
        "team { id }",
        name="Credit desk",
        leaderId=users["credit_team"],
        memberIds=[users["credit_team"], users["accounting"]],
    )
    await api.mutate(
        "createTeam",
        admin,
        "team { id }",
        name="Field crew",
        leaderId=users["dispatcher"],
        memberIds=[users["technician"]],
    )
    world.refs["team"] = credit["team"]["id"]
    await api.mutate(
        "updateCompanySettings",
        admin,
        "companySettings { currency }",
        creditTeamId=credit["team"]["id"],
        serviceRequestsEnabled=True,
        managersMayCreateOnBehalf=True,
        defaultSlaHours=48,
        creditWarningPercent=80,
    )
    types = {
        "requestType": ("Billing question", True, users["dispatcher"], True),
        "otherRequestType": ("Site visit", False, users["technician"], True),
        "retiredRequestType": ("Old paperwork", False, None, False),
    }
    for ref, (name, portal, assignee, active) in types.items():
        payload = await api.mutate(
            "createAccountRequestType",
            admin,
            "accountRequestType { id }",
            name=name,
            description=f"{name}, as the helpdesk files it",
            portalAvailable=portal,
            defaultAssigneeId=assignee,
            isActive=active,
        )
        world.refs[ref] = payload["accountRequestType"]["id"]


async def _accounts(api: Api, world: World, admin: str) -> None:
    """Acme (managed, with two levels of sub-accounts), Globex (nobody's), sites, contacts
    and the portal contact's sign-in."""
    refs = world.refs

    async def account(ref: str, name: str, **extra: Any) -> str:
        payload = await api.mutate("createAccount", admin, "account { id }", name=name, **extra)
        refs[ref] = payload["account"]["id"]
        return refs[ref]

    acme = await account("account", "Acme Corp", defaultSlaHours=24, creditLimit="5000.00")
    east = await account("subAccount", "Acme East", parentId=acme)
    await account("subSubAccount", "Acme East Depot", parentId=east)
    await account("otherAccount", "Globex", number="G-0001")
    await api.mutate(
        "setAccountManager",
        admin,
        "account { id }",
        accountId=acme,
        managerId=world.users["account_manager"],
    )
    for ref, owner, name in [
        ("site", acme, "Acme HQ"),
        ("secondSite", acme, "Acme Warehouse"),
        ("subAccountSite", east, "East Yard"),
        ("otherSite", refs["otherAccount"], "Globex Tower"),
    ]:
        payload = await api.mutate(
            "createSite",
            admin,
            "site { id }",
            accountId=owner,
            name=name,
            street="1 Main St",
            city="Springfield",
            region="IL",
            postalCode="62701",
            country="US",
        )
        refs[ref] = payload["site"]["id"]
    portal_email = "pat@acme.example"
    contacts: list[tuple[str, str, str, dict[str, Any]]] = [
        ("contact", acme, "Pat Portal", {"portalAccess": True, "password": PASSWORD}),
        ("secondContact", acme, "Casey Offline", {"title": "Buyer"}),
        ("otherContact", refs["otherAccount"], "Gil Globex", {}),
    ]
    for ref, owner, name, extra in contacts:
        email = portal_email if ref == "contact" else f"{name.split()[0].lower()}@example.com"
        payload = await api.mutate(
            "createContact",
            admin,
            "contact { id }",
            accountId=owner,
            name=name,
            email=email,
            phone="+1 555 0199",
            **extra,
        )
        refs[ref] = payload["contact"]["id"]
    world.tokens["portal_contact"] = await api.login(portal_email)
    refs["missingAccount"] = encode_id("Account", 10**9)


async def seed(http: httpx.AsyncClient, settings: Settings) -> World:
    """Build the whole company; see the module docstring. `settings` are the server's,
    for the webhook sender the seed runs as the deployment does (seed_webhooks)."""
    api = Api(http)
    world = World()
    admin = await _staff(api, world)
    await _setup(api, world, admin)
    await _accounts(api, world, admin)
    with seed_webhooks.receivers() as receivers:
        await seed_webhooks.register_endpoints(api, world, admin, receivers)
        await seed_work(api, world, admin, date.today())
        await seed_webhooks.deliver(api, world, admin, settings, receivers)
    world.refs["staffUser"] = world.users["technician"]
    return world
