"""Malformed requests get a JSON body with one coded error, never text/plain or a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

TWO_OPERATIONS = "query A { __typename } query B { __typename }"

REFUSED: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "operationName an object",
        {"json": {"query": "{ __typename }", "operationName": {}}},
        400,
        "BAD_REQUEST",
    ),
    (
        "operationName a list",
        {"json": {"query": "{ __typename }", "operationName": ["A"]}},
        400,
        "BAD_REQUEST",
    ),
    (
        "operationName unknown",
        {"json": {"query": TWO_OPERATIONS, "operationName": "C"}},
        400,
        "OPERATION_RESOLUTION_FAILURE",
    ),
    ("a batch", {"json": [{"query": "{ __typename }"}]}, 400, "BAD_REQUEST"),
    (
        "a body that is not JSON",
        {"content": b"{nope", "headers": {"content-type": "application/json"}},
        400,
        "BAD_REQUEST",
    ),
    ("a body that is a JSON string", {"json": "{ __typename }"}, 400, "BAD_REQUEST"),
    ("query a number", {"json": {"query": 5}}, 400, "BAD_REQUEST"),
    (
        "variables a list",
        {"json": {"query": "{ __typename }", "variables": [1]}},
        400,
        "BAD_REQUEST",
    ),
    ("no query", {"json": {"variables": {}}}, 400, "BAD_REQUEST"),
    (
        "an unsupported content type",
        {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
        400,
        "BAD_REQUEST",
    ),
]


@pytest.mark.parametrize(
    ("case", "request_args", "status", "code"), REFUSED, ids=[case[0] for case in REFUSED]
)
async def test_http_level_refusals_are_coded_json(
    http: httpx.AsyncClient, case: str, request_args: dict[str, Any], status: int, code: str
) -> None:
    # when a client sends a malformed request
    response = await http.post("/graphql", **request_args)
    # then it is refused with a JSON body of one coded error
    assert response.status_code == status, (case, response.text)
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code, (case, error)


async def test_get_without_its_csrf_header_is_coded_json(http: httpx.AsyncClient) -> None:
    # when
    response = await http.get("/graphql", params={"query": "{ __typename }"})
    # then
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "X-Docket-CSRF" in error["message"]


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_several_operations_without_a_name_are_refused(
    http: httpx.AsyncClient, method: str
) -> None:
    # when a document of two operations comes without `operationName`
    if method == "POST":
        response = await http.post("/graphql", json={"query": TWO_OPERATIONS})
    else:
        response = await http.get(
            "/graphql", params={"query": TWO_OPERATIONS}, headers={"x-docket-csrf": "1"}
        )
    # then none of them runs (Strawberry ran the first one)
    body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"


async def test_syntax_and_token_limit_errors_carry_a_code(http: httpx.AsyncClient) -> None:
    # when a document does not parse, or has too many tokens
    broken = await http.post("/graphql", json={"query": "{ __typename "})
    long = await http.post("/graphql", json={"query": "{ " + "__typename " * 6000 + "}"})
    # then both say so with a code
    for response in (broken, long):
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", error
