"""Small helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

from schema.relay import encode_id


def gid(type_name: str, pk: int) -> str:
    """The global ID a client would have received for this row."""
    return encode_id(type_name, pk)


def error_pairs(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """(code, field) of each userError, the part clients branch on."""
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def top_level_codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


def names(connection: dict[str, Any]) -> list[str]:
    return [node["name"] for node in connection["nodes"]]
