"""Shared helpers for the users, teams, settings and sign-in tests."""

from __future__ import annotations

from typing import Any

from models.permissions import Role
from schema.relay import encode_id
from tests.client import GraphQLClient
from tests.factories import Person

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token
    expiresAt
    viewer {
      __typename
      ... on User { id name roles }
      ... on PortalContact { id name email account { name } }
    }
    userErrors { code field message }
  }
}
"""

ME = """
query {
  me {
    __typename
    ... on User { id email }
    ... on PortalContact { id email }
  }
}
"""


UPDATE_ROLES = """mutation($id: ID!, $roles: [Role!]) {
  updateUser(input: {id: $id, roles: $roles}) { userErrors { code } }
}"""


async def set_roles(gql: GraphQLClient, admin: Person, person: Person, *roles: Role) -> None:
    """`admin` gives `person` exactly these roles."""
    variables = {"id": encode_id("User", person.id), "roles": [role.value for role in roles]}
    data = await gql(UPDATE_ROLES, variables, token=admin.token)
    assert data["updateUser"]["userErrors"] == []


def gid(type_name: str, pk: int) -> str:
    """The global ID a client would hold for a row."""
    return encode_id(type_name, pk)


async def login(gql: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    """The `login` payload for these credentials."""
    data = await gql(LOGIN, {"input": {"email": email, "password": password}})
    payload: dict[str, Any] = data["login"]
    return payload


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def assert_user_error(payload: dict[str, Any], code: str, field: list[str] | None) -> None:
    """Exactly one userError with this code and field path."""
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [(code, field)], errors
