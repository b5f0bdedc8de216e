"""Signing in as a client does: the login mutation, and `me` to see whom a token names."""

from __future__ import annotations

from typing import Any

from tests.client import GraphQLClient

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


async def login(gql: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    """The `login` payload for these credentials (userErrors may be non-empty)."""
    data = await gql(LOGIN, {"input": {"email": email, "password": password}})
    payload: dict[str, Any] = data["login"]
    return payload
