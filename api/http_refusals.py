"""Requests refused before any GraphQL runs, answered as GraphQL errors in JSON.

A client library reads `errors[].extensions.code` whatever went wrong; a
text/plain body it cannot parse tells it nothing. So every HTTP-level refusal
(a body that is not JSON, a batch, members of the wrong JSON type, an unknown
operation name, a GET without its CSRF header) is a JSON body of one error with
a code, as Apollo Server words them, and the HTTP status says what kind it is.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.responses import Response
from strawberry.http import GraphQLRequestData

BAD_REQUEST = "BAD_REQUEST"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


class Refusal(HTTPException):
    """An HTTP-level refusal with its GraphQL error code."""

    def __init__(self, status_code: int, reason: str, code: str = BAD_REQUEST) -> None:
        super().__init__(status_code, reason)
        self.code = code


def code_of(error: HTTPException) -> str:
    code: str = getattr(error, "code", None) or _CODES.get(error.status_code, BAD_REQUEST)
    return code


def response_for(error: HTTPException) -> Response:
    """The JSON answer to a refusal (Strawberry's own refusals included)."""
    code = code_of(error)
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    headers = {"allow": "GET, POST"} if error.status_code == 405 else None
    return Response(
        orjson.dumps(body),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )


def one_operation(data: object) -> GraphQLRequestData:
    """A request's one operation; batches are refused."""
    if isinstance(data, list):
        raise Refusal(400, "Batched operations are not accepted: send one operation a request.")
    return data if isinstance(data, GraphQLRequestData) else request_data(data)


def request_data(data: object) -> GraphQLRequestData:
    """The operation of a JSON body (not a batch), each member of its JSON type."""
    if not isinstance(data, dict):
        raise Refusal(400, "The request body must be a JSON object.")
    _check(data, "query", str, "a string")
    _check(data, "variables", dict, "an object")
    _check(data, "extensions", dict, "an object")
    _check(data, "operationName", str, "a string")
    return GraphQLRequestData(
        query=data.get("query"),
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
        protocol="http",
    )


def checked(data: GraphQLRequestData) -> GraphQLRequestData:
    """An operation Strawberry parsed (GET, multipart), with its operation name checked:
    Strawberry takes any JSON value there."""
    _check({"operationName": data.operation_name}, "operationName", str, "a string")
    return data


def _check(data: dict[str, Any], member: str, kind: type, wording: str) -> None:
    if not isinstance(data.get(member), (kind, type(None))):
        raise Refusal(400, f"The request's `{member}` must be {wording} or null, if provided.")
