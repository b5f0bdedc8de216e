"""Every corpus document, every operation in it (chosen by operationName), as every
viewer, sent as SPAs send it: POST /graphql with a JSON body.

Documents and viewers are parametrized in conftest.py (every viewer on the services
run). Each
operation goes three times in a row to the test server, whose later answers take
other paths (the direct lane admits a document after its first clean run; compiled
plans are cached) and whose EXECUTION_CHECK compares fast and standard execution, then
once to a second app on the same database that only executes the standard way. The
three answers must be the same, and the same as the standard app's; no answer may
crash or carry an error other than a refusal for who the viewer is.

The documents and their variables come from documents/manifest.json (see README.md);
`{"ref": NAME}` placeholders become the IDs the seed recorded.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from api.graphql_view import DocketGraphQL
from fastpath.executor import ProjectingExecutor
from fastpath.versions import fast_paths_verified
from tests.conformance.answers import (
    comparable,
    difference,
    error_signature,
    unexpected_errors,
)
from tests.conformance.corpus import ENTRIES, resolve, text_of
from tests.conformance.seed import World
from tests.conftest import Server

SENDS = 3


async def _send(
    client: httpx.AsyncClient, payload: dict[str, Any], token: str | None
) -> tuple[int, dict[str, Any] | str]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=payload, headers=headers)
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        return response.status_code, response.text[:300]
    return response.status_code, body


def _crash_details(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    """errorId -> the exception the server logged for it."""
    details = {}
    for record in caplog.records:
        error_id = getattr(record, "error_id", None)
        if error_id and record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            details[error_id] = f"{type(error).__name__}: {error}"[:300]
    return details


def _judge(
    operation: str, answers: list[tuple[int, Any]], reference: tuple[int, Any], viewer: str
) -> list[str]:
    """Everything wrong with one operation's answers, as readable lines."""
    problems: list[str] = []
    labelled = [*((f"send {i + 1}", a) for i, a in enumerate(answers)), ("standard", reference)]
    for label, (status, body) in labelled:
        if status != 200 or not isinstance(body, dict):
            problems.append(f"{operation} {label}: HTTP {status}: {str(body)[:300]}")
            continue
        problems += [f"{operation} {label}: {found}" for found in unexpected_errors(body)]
    if problems:
        return problems
    first = comparable(answers[0][1])
    for index, (_, body) in enumerate(answers[1:], start=2):
        found = difference(first, comparable(body))
        if found:
            problems.append(f"{operation} send {index} differs from send 1 at {found}")
    standard = reference[1]
    found = difference(answers[0][1].get("data"), standard.get("data"), "data")
    if found:
        problems.append(f"{operation} differs from standard execution at {found}")
    if error_signature(answers[0][1]) != error_signature(standard):
        problems.append(
            f"{operation} errors {error_signature(answers[0][1])} "
            f"!= standard {error_signature(standard)}"
        )
    if viewer == "admin" and (standard.get("errors") or standard.get("data") is None):
        problems.append(f"{operation}: the admin sees everything, yet {standard.get('errors')}")
    return problems


async def test_document(
    entry: dict[str, Any],
    viewer: str,
    world: World,
    fast: httpx.AsyncClient,
    standard: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    text = text_of(entry)
    token = world.tokens[viewer]
    problems: list[str] = []
    for operation in entry["operations"]:
        payload = {
            "query": text,
            "operationName": operation["name"],
            "variables": resolve(operation["variables"], world.refs),
        }
        answers = [await _send(fast, payload, token) for _ in range(SENDS)]
        reference = await _send(standard, payload, token)
        problems += _judge(operation["name"], answers, reference, viewer)
    crashes = _crash_details(caplog)
    details = [f"  {error_id}: {crash}" for error_id, crash in crashes.items()]
    assert not problems, "\n".join([*problems, *details[:5]])


async def test_the_fast_paths_answer_the_corpus(
    server: Server, world: World, fast: httpx.AsyncClient
) -> None:
    """A green corpus means something only if the test server really answers it the
    fast way: compiled projections in its executor and the direct lane admitting a
    corpus document after its first clean run (unless the settings turn them off)."""
    app = server.server.config.app
    assert isinstance(app, Starlette)
    graphql_app = next(
        route.app for route in app.routes if isinstance(route, Route) and route.path == "/graphql"
    )
    assert isinstance(graphql_app, DocketGraphQL)
    entry = next(entry for entry in ENTRIES if entry["id"] == "apollo/Dashboard")
    operation = entry["operations"][0]
    payload = {
        "query": text_of(entry),
        "operationName": operation["name"],
        "variables": resolve(operation["variables"], world.refs),
    }
    for _ in range(SENDS):
        status, body = await _send(fast, payload, world.tokens["admin"])
        assert status == 200 and isinstance(body, dict) and "errors" not in body, body
    settings = server.settings
    executor = getattr(graphql_app.schema, "execution_context_class", None)
    compiled = executor is not None and issubclass(executor, ProjectingExecutor)
    assert compiled == (settings.compiled_projections and fast_paths_verified())
    direct = graphql_app.direct
    if settings.direct_queries:
        assert direct is not None
        admitted = [key for key in direct._admitted if key[0] == payload["query"]]
        assert admitted, "the direct lane never admitted a corpus document"
    else:
        assert direct is None
