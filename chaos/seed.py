"""The people and things every scenario needs, made through the GraphQL API as an
admin would (the first admin comes from `docket create-admin`).

Reviewers are dispatchers who are also members of the credit team, so the same
fifty people race both kinds of final decision. The requester is a project
manager (credit requests); the customer is a portal contact on its own account
and site (service requests). Each person signs in from an address of their own.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from chaos.cluster import ADMIN_EMAIL, PASSWORD, Cluster
from chaos.gql import Client, must

_addresses = itertools.count(1)

LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token userErrors { code message } } }"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id } userErrors { code field message } } }"""
CREATE_TEAM = """mutation($input: CreateTeamInput!) {
  createTeam(input: $input) { team { id } userErrors { code field message } } }"""
SETTINGS = """mutation($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) { companySettings { serviceRequestsEnabled }
    userErrors { code field message } } }"""
CREATE_ACCOUNT = """mutation($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id name } userErrors { code field message } } }"""
CREATE_SITE = """mutation($input: CreateSiteInput!) {
  createSite(input: $input) { site { id } userErrors { code field message } } }"""
CREATE_CONTACT = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code field message } } }"""
SET_MANAGER = """mutation($input: SetAccountManagerInput!) {
  setAccountManager(input: $input) { account { id } userErrors { code field message } } }"""
SUBMIT = """mutation($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) { serviceRequest { id number }
    userErrors { code field message } } }"""
APPROVE = """mutation($id: ID!, $skills: [String!]) {
  approveServiceRequest(input: {id: $id, job: {skills: $skills}}) {
    serviceRequest { id status } job { id } userErrors { code field message } } }"""
DECLINE = """mutation($id: ID!, $reason: String!) {
  declineServiceRequest(input: {id: $id, reason: $reason}) {
    serviceRequest { id status } userErrors { code field message } } }"""
REQUEST_CREDIT = """mutation($input: RequestCreditAccountInput!) {
  requestCreditAccount(input: $input) { creditAccountRequest { id }
    userErrors { code field message } } }"""
ACCEPT = """mutation($id: ID!, $note: String) {
  acceptCreditAccountRequest(input: {id: $id, note: $note}) {
    creditAccountRequest { id status } userErrors { code field message } } }"""
REJECT = """mutation($id: ID!, $reason: String!) {
  rejectCreditAccountRequest(input: {id: $id, reason: $reason}) {
    creditAccountRequest { id status } userErrors { code field message } } }"""
ME = "{ me { __typename } }"


def next_address() -> str:
    """A client address of its own (10.x.y.z) for each simulated client."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@dataclass
class Person:
    email: str
    password: str = PASSWORD
    id: str = ""
    token: str = ""
    address: str = field(default_factory=next_address)


@dataclass
class Customer:
    """An account with a site and a portal contact who signs in."""

    account_id: str
    account_name: str
    site_id: str
    contact: Person
    contact_id: str = ""


@dataclass
class World:
    cluster: Cluster
    admin: Person
    reviewers: list[Person]
    requester: Person
    customer: Customer
    tag: str
    clients: list[Client]  # one general-purpose client per API process

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


async def login(cluster: Cluster, person: Person, api: int = 0) -> str:
    client = Client(cluster.urls[api], person.address)
    try:
        data = await must(client, LOGIN, {"email": person.email, "password": person.password}, None)
    finally:
        await client.close()
    person.token = str(data["token"])
    return person.token


async def create_user(client: Client, admin: Person, person: Person, name: str, role: str) -> None:
    fields = {"name": name, "email": person.email, "password": person.password, "roles": [role]}
    person.id = (await must(client, CREATE_USER, {"input": fields}, admin.token))["user"]["id"]


async def make_customer(client: Client, admin: Person, name: str) -> Customer:
    """An account, a site and a portal contact (signed in), all through the API."""
    account = (await must(client, CREATE_ACCOUNT, {"input": {"name": name}}, admin.token))[
        "account"
    ]
    site_input = {"accountId": account["id"], "name": f"{name} site", "city": "Springfield"}
    site = (await must(client, CREATE_SITE, {"input": site_input}, admin.token))["site"]
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    contact = Person(email=f"{slug}@customer.docket.test")
    contact_input = {
        "accountId": account["id"],
        "name": f"{name} contact",
        "email": contact.email,
        "portalAccess": True,
        "password": contact.password,
    }
    made = await must(client, CREATE_CONTACT, {"input": contact_input}, admin.token)
    return Customer(account["id"], account["name"], site["id"], contact, made["contact"]["id"])


async def build_world(cluster: Cluster, reviewers: int, tag: str) -> World:
    clients = [Client(url, next_address()) for url in cluster.urls]
    admin = Person(email=ADMIN_EMAIL)
    await login(cluster, admin)
    api = clients[0]
    people = [Person(email=f"reviewer{n}-{tag}@staff.docket.test") for n in range(reviewers)]
    requester = Person(email=f"requester-{tag}@staff.docket.test")
    leader = Person(email=f"credit-lead-{tag}@staff.docket.test")
    # argon2 hashes each password: a few at a time keeps the two cores for the API.
    gate = asyncio.Semaphore(4)

    async def make(person: Person, name: str, role: str) -> None:
        async with gate:
            await create_user(api, admin, person, name, role)

    await asyncio.gather(
        *(make(p, f"Reviewer {n}", "DISPATCHER") for n, p in enumerate(people)),
        make(requester, "Priya Requester", "PROJECT_MANAGER"),
        make(leader, "Lee Credit Lead", "ACCOUNTING"),
    )
    team_input = {
        "name": f"Credit {tag}",
        "leaderId": leader.id,
        "memberIds": [p.id for p in people],
    }
    team = (await must(api, CREATE_TEAM, {"input": team_input}, admin.token))["team"]
    settings = {"creditTeamId": team["id"], "serviceRequestsEnabled": True}
    await must(api, SETTINGS, {"input": settings}, admin.token)
    customer = await make_customer(api, admin, f"Chaos Customer {tag}")

    async def sign_in(person: Person, n: int) -> None:
        async with gate:
            await login(cluster, person, n % len(cluster.urls))

    await asyncio.gather(
        *(sign_in(p, n) for n, p in enumerate([*people, requester, customer.contact]))
    )
    return World(cluster, admin, people, requester, customer, tag, clients)


async def submit(world: World, description: str, api: int = 0) -> dict[str, Any]:
    """A pending service request from the customer: {id, number}."""
    customer = world.customer
    fields = {"siteId": customer.site_id, "serviceType": "REPAIR", "description": description}
    data = await must(world.clients[api], SUBMIT, {"input": fields}, customer.contact.token)
    request: dict[str, Any] = data["serviceRequest"]
    return request
