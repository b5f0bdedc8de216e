"""Automatic persisted queries (Apollo's protocol), over HTTP as Apollo Client sends them."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import orjson
import pytest

from api.broker import MemoryBroker
from api.persisted_queries import MAX_BYTES, TTL_SECONDS
from api.redis_broker import RedisBroker
from models.permissions import Role
from tests.client import assert_unauthenticated, error_codes
from tests.conftest import Server
from tests.factories import staff

CSRF = {"X-Docket-CSRF": "1"}


@pytest.fixture
def teams() -> str:
    """A query text of this test alone: Redis keeps registrations between runs."""
    return f"query Teams {{ teams {{ nodes {{ name }} }} }} # {uuid.uuid4()}"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def post(
    http: httpx.AsyncClient, body: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_an_unknown_hash_asks_for_the_query(http: httpx.AsyncClient, teams: str) -> None:
    admin = await staff(Role.ADMIN)
    # when a client sends only the hash of a query never seen
    body = await post(http, {"extensions": persisted(sha(teams))}, admin.token)
    # then it is told to send the text (HTTP 200, Apollo's message and code)
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "data" not in body or body["data"] is None


async def test_hash_and_query_run_and_register_then_the_hash_alone_runs(
    http: httpx.AsyncClient, teams: str
) -> None:
    admin = await staff(Role.ADMIN)
    # given hash and text sent together
    first = await post(http, {"query": teams, "extensions": persisted(sha(teams))}, admin.token)
    assert "errors" not in first
    # when the hash is sent alone, by POST and by GET
    by_post = await post(http, {"extensions": persisted(sha(teams))}, admin.token)
    response = await http.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(sha(teams))).decode()},
        headers={**CSRF, "Authorization": f"Bearer {admin.token}"},
    )
    # then both answer like the full query
    assert by_post == first
    assert response.status_code == 200
    assert response.json() == first


async def test_a_hash_that_does_not_match_its_query_is_refused_and_not_kept(
    http: httpx.AsyncClient, teams: str
) -> None:
    admin = await staff(Role.ADMIN)
    wrong = sha(f"{{ __typename }} # {uuid.uuid4()}")
    # when the text comes with another query's hash
    body = await post(http, {"query": teams, "extensions": persisted(wrong)}, admin.token)
    # then nothing runs, and the hash stays unknown
    assert error_codes(body) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    again = await post(http, {"extensions": persisted(wrong)}, admin.token)
    assert error_codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_anonymous_callers_and_huge_texts_run_but_are_not_registered(
    http: httpx.AsyncClient, teams: str
) -> None:
    admin = await staff(Role.ADMIN)
    anonymous_text = f"{{ __typename }} # {uuid.uuid4()}"
    huge = teams + " #" + "x" * MAX_BYTES
    # when an anonymous caller and an admin with a huge text send hash and query
    ran = [
        await post(http, {"query": anonymous_text, "extensions": persisted(sha(anonymous_text))}),
        await post(http, {"query": huge, "extensions": persisted(sha(huge))}, admin.token),
    ]
    # then both ran, and neither hash is known afterwards
    assert ran[0] == {"data": {"__typename": "Query"}}
    assert "errors" not in ran[1]
    for text in (anonymous_text, huge):
        again = await post(http, {"extensions": persisted(sha(text))}, admin.token)
        assert error_codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_an_invalid_query_is_not_registered(http: httpx.AsyncClient) -> None:
    admin = await staff(Role.ADMIN)
    invalid = f"{{ teams {{ noSuchField }} }} # {uuid.uuid4()}"
    body = await post(http, {"query": invalid, "extensions": persisted(sha(invalid))}, admin.token)
    assert body.get("data") is None
    assert "Cannot query field 'noSuchField'" in body["errors"][0]["message"]
    again = await post(http, {"extensions": persisted(sha(invalid))}, admin.token)
    assert error_codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("extensions", "code"),
    [
        (persisted(sha("{ __typename }"), version=2), "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"persistedQuery": "yes"}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        (persisted("ABC"), "PERSISTED_QUERY_BAD_HASH"),
    ],
)
async def test_malformed_requests_get_a_clear_error(
    http: httpx.AsyncClient, extensions: dict[str, Any], code: str
) -> None:
    body = await post(http, {"query": "{ __typename }", "extensions": extensions})
    assert error_codes(body) == [code]


async def test_a_persisted_query_runs_with_the_callers_permissions(
    http: httpx.AsyncClient, teams: str
) -> None:
    # given an admin registered the query
    admin = await staff(Role.ADMIN)
    await post(http, {"query": teams, "extensions": persisted(sha(teams))}, admin.token)
    # when an anonymous caller sends its hash
    body = await post(http, {"extensions": persisted(sha(teams))})
    # then it is refused like the text would be
    assert_unauthenticated(body)


async def test_mutations_by_hash_are_not_accepted_over_get(http: httpx.AsyncClient) -> None:
    admin = await staff(Role.ADMIN)
    mutation = f"mutation {{ __typename }} # {uuid.uuid4()}"
    registered = await post(
        http, {"query": mutation, "extensions": persisted(sha(mutation))}, admin.token
    )
    assert registered == {"data": {"__typename": "Mutation"}}
    response = await http.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(sha(mutation))).decode()},
        headers={**CSRF, "Authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code in (400, 405)


@pytest.mark.services_only
async def test_a_registered_query_is_seen_by_every_process(
    server: Server, http: httpx.AsyncClient, teams: str
) -> None:
    # given one process registered a query
    admin = await staff(Role.ADMIN)
    await post(http, {"query": teams, "extensions": persisted(sha(teams))}, admin.token)
    # then another process, with its own broker connection, finds it in Redis
    other = RedisBroker(server.settings.broker_url)
    await other.start()
    try:
        assert await other.get_value(f"apq:{sha(teams)}") == teams
    finally:
        await other.stop()


async def test_the_in_process_store_forgets_expired_and_oldest_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = MemoryBroker()
    monkeypatch.setattr("api.broker.MEMORY_VALUES", 2)
    await broker.set_value("a", "1", TTL_SECONDS)
    await broker.set_value("b", "2", TTL_SECONDS)
    await broker.set_value("c", "3", TTL_SECONDS)
    await broker.set_value("gone", "4", -1)
    assert [await broker.get_value(k) for k in ("a", "b", "c", "gone")] == [None, None, "3", None]
