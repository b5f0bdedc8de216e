"""The account request and request type documents tests send, and the calls sending them."""

from __future__ import annotations

from typing import Any

from tests.client import GraphQLClient

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
