"""A tiny GraphQL client for tests (POST JSON, like an SPA does), and the parts of an
answer clients branch on: top-level error codes, userErrors, a connection's nodes."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The `data` of a response that must have no top-level errors."""
        body = await self.raw(query, variables, token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def error_codes(body: dict[str, Any]) -> list[str]:
    """The `extensions.code` of each top-level error of a response body."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


def assert_unauthenticated(body: dict[str, Any]) -> None:
    assert error_codes(body) == ["UNAUTHENTICATED"], body


def assert_forbidden(body: dict[str, Any]) -> None:
    assert error_codes(body) == ["FORBIDDEN"], body


def error_pairs(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """(code, field) of each userError of a mutation payload, the part clients branch on."""
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def error_paths(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(code, dotted field path) of each userError, e.g. ("REQUIRED", "input.description")."""
    return [
        (error["code"], ".".join(error["field"]) if error["field"] else None)
        for error in payload["userErrors"]
    ]


def user_error_codes(payload: dict[str, Any]) -> list[str]:
    """The code of each userError of a mutation payload."""
    return [error["code"] for error in payload["userErrors"]]


def assert_user_error(payload: dict[str, Any], code: str, field: list[str] | None) -> None:
    """Exactly one userError, with this code and field path."""
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [(code, field)], errors


def node_names(connection: dict[str, Any]) -> list[str]:
    """The `name` of each node of a connection, in the order listed."""
    return [node["name"] for node in connection["nodes"]]
