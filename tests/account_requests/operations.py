"""The account request and request type documents tests send, and the calls sending them."""

from __future__ import annotations

from typing import Any

from models.account_requests import AccountRequest, RequestStatus
from models.accounts import Account
from models.request_types import AccountRequestType
from tests.account_requests.rows import request_gid
from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid

TYPE_FIELDS = "id name description isActive portalAvailable defaultAssignee { name }"

ACCOUNT_REQUEST_TYPES = f"""
query Types($includeInactive: Boolean! = false) {{
  accountRequestTypes(includeInactive: $includeInactive) {{ {TYPE_FIELDS} }}
}}
"""

CREATE_TYPE = f"""
mutation CreateType($input: CreateAccountRequestTypeInput!) {{
  createAccountRequestType(input: $input) {{
    accountRequestType {{ {TYPE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE_TYPE = f"""
mutation UpdateType($input: UpdateAccountRequestTypeInput!) {{
  updateAccountRequestType(input: $input) {{
    accountRequestType {{ {TYPE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

CREATE_REQUEST = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest {
      id status source note
      account { name }
      type { name }
      assignee { name }
      contact { name }
      createdBy { name }
      timeline { nodes { kind before after } }
    }
    userErrors { code field message }
  }
}
"""

UPDATE_SETTINGS = """
mutation Settings($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) {
    companySettings { managersMayCreateOnBehalf }
    userErrors { code }
  }
}
"""

REQUEST_TYPE_OF = """
query RequestType($id: ID!) {
  node(id: $id) { ... on AccountRequest { type { name isActive } } }
}
"""


async def create_request(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    """The createAccountRequest payload for `fields` (already global IDs)."""
    data = await gql(CREATE_REQUEST, {"input": fields}, token=token)
    payload: dict[str, Any] = data["createAccountRequest"]
    return payload


async def create_type(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    data = await gql(CREATE_TYPE, {"input": fields}, token=token)
    payload: dict[str, Any] = data["createAccountRequestType"]
    return payload


async def update_type(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    data = await gql(UPDATE_TYPE, {"input": fields}, token=token)
    payload: dict[str, Any] = data["updateAccountRequestType"]
    return payload


def _ids(account: Account, request_type: AccountRequestType) -> dict[str, Any]:
    return {
        "accountId": gid("Account", account.id),
        "typeId": gid("AccountRequestType", request_type.id),
    }


UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest {
      id status note nextStatuses updatedAt
      account { name } type { name } assignee { name } contact { name }
      timeline { totalCount nodes { kind before after actor { name } } }
    }
    userErrors { code field message }
  }
}
"""


TIMELINE = """
query Timeline($id: ID!) {
  node(id: $id) {
    ... on AccountRequest { status note updatedAt timeline { totalCount nodes { kind } } }
  }
}
"""


async def _update(
    gql: GraphQLClient, token: str, request: AccountRequest, **changes: Any
) -> dict[str, Any]:
    data = await gql(UPDATE, {"input": {"id": request_gid(request), **changes}}, token=token)
    payload: dict[str, Any] = data["updateAccountRequest"]
    return payload


CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id }
    userErrors { code field message }
  }
}
"""


# The update the live tests send: only the id back, for changes that must succeed.
UPDATE_BRIEF = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { id }
    userErrors { code field message }
  }
}
"""


async def updated(gql: GraphQLClient, person: Person, request_gid: str, **changes: Any) -> None:
    """Update a request as `person`; the change must succeed."""
    data = await gql(UPDATE_BRIEF, {"input": {"id": request_gid, **changes}}, token=person.token)
    assert data["updateAccountRequest"]["userErrors"] == []


LIST = """
query List(
  $filter: AccountRequestFilter, $orderBy: AccountRequestOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  accountRequests(
    filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { number }
  }
}
"""


COUNTS = """
query Counts($filter: AccountRequestFilter) {
  accountRequestCounts(filter: $filter) { total byStatus { status count } }
}
"""


async def _numbers(
    gql: GraphQLClient, token: str, filter: dict[str, Any] | None = None, **args: Any
) -> list[int]:
    data = await gql(LIST, {"filter": filter, "first": 100, **args}, token=token)
    return [node["number"] for node in data["accountRequests"]["nodes"]]


async def _counts(
    gql: GraphQLClient, token: str, filter: dict[str, Any] | None = None
) -> dict[str, int]:
    data = (await gql(COUNTS, {"filter": filter}, token=token))["accountRequestCounts"]
    counts = {entry["status"]: entry["count"] for entry in data["byStatus"]}
    assert [entry["status"] for entry in data["byStatus"]] == [s.value for s in RequestStatus]
    assert data["total"] == sum(counts.values())
    return counts
