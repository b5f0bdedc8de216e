"""Keyed requests as a phone sends them, and the records they make, counted through GraphQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from models.accounts import Account, Site
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.account_requests.rows import make_type
from tests.client import GraphQLClient
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import submit_input

CREATE_REQUEST = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id status note createdAt account { name } }
    userErrors { code field message }
  }
}
"""

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    serviceRequest { id number status description submittedAt }
    userErrors { code field message }
  }
}
"""

ACCOUNT_REQUESTS = "{ accountRequests { totalCount } }"
SERVICE_REQUESTS = "{ serviceRequests { totalCount } }"


def new_key() -> str:
    return str(uuid.uuid4())


async def send(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    key: str | None = None,
    extension: object = None,
    extensions: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST one operation, the key in the Idempotency-Key header (`key`) and/or in
    `extensions.idempotencyKey` (`extension`)."""
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    sent_extensions = dict(extensions or {})
    if extension is not None:
        sent_extensions["idempotencyKey"] = extension
    if sent_extensions:
        body["extensions"] = sent_extensions
    sent_headers = dict(headers or {})
    if token is not None:
        sent_headers["authorization"] = f"Bearer {token}"
    if key is not None:
        sent_headers["idempotency-key"] = key
    return await http.post("/graphql", json=body, headers=sent_headers)


def replayed(response: httpx.Response) -> bool:
    return response.headers.get("idempotent-replayed") == "true"


def refusal_code(response: httpx.Response) -> str:
    """The code of a request-level refusal: one error, no data."""
    body = response.json()
    [error] = body["errors"]
    assert body.get("data") is None, body
    code: str = error["extensions"]["code"]
    return code


@dataclass
class Desk:
    """A dispatcher who creates account requests for an account, of one type."""

    dispatcher: Person
    account: Account
    request_type: AccountRequestType

    def create_input(self, note: str = "Call back about the invoice") -> dict[str, Any]:
        return {
            "input": {
                "accountId": gid("Account", self.account.id),
                "typeId": gid("AccountRequestType", self.request_type.id),
                "note": note,
            }
        }

    async def count(self, gql: GraphQLClient) -> int:
        """Account requests there are, as the dispatcher lists them."""
        data = await gql(ACCOUNT_REQUESTS, token=self.dispatcher.token)
        total: int = data["accountRequests"]["totalCount"]
        return total


async def desk(name: str = "Northwind") -> Desk:
    return Desk(await staff(Role.DISPATCHER), await make_account(name), await make_type())


@dataclass
class Portal:
    """A customer's portal contact, who submits service requests for a site."""

    contact: Person
    site: Site

    def submit_input(self, description: str = "The dock door is stuck.") -> dict[str, Any]:
        return {"input": submit_input(self.site, description=description)}

    async def count(self, gql: GraphQLClient) -> int:
        """Service requests the contact sees (its account's)."""
        data = await gql(SERVICE_REQUESTS, token=self.contact.token)
        total: int = data["serviceRequests"]["totalCount"]
        return total


async def portal() -> Portal:
    account = await make_account()
    return Portal(await portal_contact(account), await make_site(account))
