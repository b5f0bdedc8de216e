"""What an idempotency key keeps (answers of mutations that ran, userErrors included) and
what it does not (documents refused before running, queries, sign-in, anonymous calls);
malformed keys are refused with a code."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import httpx
import pytest

from api.housekeeping import purge_idempotency_keys
from models import idempotency
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import PASSWORD, staff
from tests.idempotency.keyed import (
    CREATE_REQUEST,
    desk,
    new_key,
    refusal_code,
    replayed,
    send,
)

LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { token userErrors { code } } }"
LOGIN_AND_LOGOUT = """
mutation Both($input: LoginInput!) {
  login(input: $input) { token }
  logout { ok }
}
"""


async def test_user_errors_are_kept_and_replayed(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a request refused with userErrors (the account is inactive)
    given = await desk()
    given.account.is_active = False
    await given.account.save()
    key = new_key()
    token = given.dispatcher.token
    first = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    codes = [e["code"] for e in first.json()["data"]["createAccountRequest"]["userErrors"]]
    assert codes == ["ACCOUNT_INACTIVE"]

    # when the cause is gone and the same request comes again with the key
    given.account.is_active = True
    await given.account.save()
    retry = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)

    # then the kept answer comes back: the key stands for that one attempt
    assert replayed(retry) and retry.content == first.content
    assert await given.count(gql) == 0
    # and a new key runs it
    fresh = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=new_key())
    assert fresh.json()["data"]["createAccountRequest"]["userErrors"] == []


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        (
            "mutation { createAccountRequest(input: {}) { nope } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("mutation { createAccountRequest(", None, "GRAPHQL_PARSE_FAILED"),
        (CREATE_REQUEST, {"input": {"accountId": 1}}, "BAD_USER_INPUT"),
        (
            "mutation { createAccountRequest(input: $x) { userErrors { code } } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
async def test_requests_refused_before_running_are_not_kept(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    document: str,
    variables: dict[str, object] | None,
    code: str,
) -> None:
    # given a keyed request that does not parse, validate, or whose variables do not fit
    given = await desk()
    key = new_key()
    token = given.dispatcher.token
    refused = (await send(http, document, variables, token=token, key=key)).json()
    assert refused.get("data") is None
    assert {error["extensions"]["code"] for error in refused["errors"]} == {code}

    # when the corrected request comes with the same key
    corrected = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)

    # then it runs: nothing was kept of the refused one
    assert corrected.status_code == 200 and not replayed(corrected)
    assert corrected.json()["data"]["createAccountRequest"]["userErrors"] == []
    assert await given.count(gql) == 1


async def test_a_refused_permission_is_not_kept(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a technician, who may not create requests for any account, with a key
    given = await desk()
    technician = await staff(Role.TECHNICIAN)
    key = new_key()
    refused = await send(
        http, CREATE_REQUEST, given.create_input(), token=technician.token, key=key
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # when the same request is sent again
    again = await send(http, CREATE_REQUEST, given.create_input(), token=technician.token, key=key)

    # then it was refused anew (nothing ran, nothing was kept)
    assert not replayed(again) and again.content == refused.content
    assert await given.count(gql) == 0


@pytest.mark.parametrize(
    ("header", "extension"),
    [
        ("", None),
        ("has space", None),
        ("x" * 256, None),
        (None, ""),
        (None, 42),
        (None, ["a-key"]),
        (None, "caf\u00e9"),
        (None, "tab\there"),
        ("one-key", "another-key"),
    ],
)
async def test_malformed_keys_are_refused_with_a_code(
    http: httpx.AsyncClient, gql: GraphQLClient, header: str | None, extension: object
) -> None:
    # given
    given = await desk()

    # when
    refused = await send(
        http,
        CREATE_REQUEST,
        given.create_input(),
        token=given.dispatcher.token,
        key=header,
        extension=extension,
    )

    # then HTTP 400 with the code, and nothing ran
    assert refused.status_code == 400, refused.text
    assert refusal_code(refused) == "IDEMPOTENCY_KEY_INVALID"
    assert "Idempotency-Key" in refused.json()["errors"][0]["message"]
    assert await given.count(gql) == 0


async def test_a_key_of_255_visible_characters_is_taken(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    given = await desk()
    key = "".join(chr(33 + n % 94) for n in range(255))
    token = given.dispatcher.token
    first = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    retry = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    assert first.status_code == 200 and replayed(retry) and retry.content == first.content
    assert await given.count(gql) == 1


async def test_login_alone_runs_as_usual_and_ignores_the_key(http: httpx.AsyncClient) -> None:
    # given
    person = await staff(Role.DISPATCHER)
    credentials = {"input": {"email": person.user.email, "password": PASSWORD}}
    key = new_key()

    # when the same sign-in is sent twice with one key (and a malformed one)
    first = await send(http, LOGIN, credentials, key=key)
    second = await send(http, LOGIN, credentials, token=person.token, key=key)
    odd = await send(http, LOGIN, credentials, key="not a key")

    # then each signed in anew: two different tokens, nothing replayed
    tokens = [r.json()["data"]["login"]["token"] for r in (first, second, odd)]
    assert all(tokens) and len(set(tokens)) == 3
    assert not any(replayed(r) for r in (first, second, odd))


async def test_login_mixed_with_other_mutations_under_a_key_is_refused(
    http: httpx.AsyncClient,
) -> None:
    # given a signed-in person sending login and logout in one keyed document
    person = await staff(Role.DISPATCHER)
    credentials = {"input": {"email": person.user.email, "password": PASSWORD}}

    # when
    refused = await send(http, LOGIN_AND_LOGOUT, credentials, token=person.token, key=new_key())

    # then it is refused with a code, and the token still works
    assert refused.status_code == 400
    assert refusal_code(refused) == "IDEMPOTENCY_KEY_NOT_ALLOWED"
    me = await send(http, "{ me { __typename } }", token=person.token)
    assert me.json() == {"data": {"me": {"__typename": "User"}}}


async def test_queries_ignore_the_key(http: httpx.AsyncClient) -> None:
    person = await staff(Role.DISPATCHER)
    for key in (new_key(), "not a key"):
        answer = await send(http, "{ me { __typename } }", token=person.token, key=key)
        assert answer.json() == {"data": {"me": {"__typename": "User"}}}
        assert not replayed(answer)


async def test_anonymous_requests_ignore_the_key(http: httpx.AsyncClient) -> None:
    # given no sign-in: a key is scoped to a person, and there is none
    given = await desk()
    key = new_key()

    # when an anonymous caller sends a keyed mutation twice
    answers = [await send(http, CREATE_REQUEST, given.create_input(), key=key) for _ in range(2)]

    # then each is answered as without a key
    for answer in answers:
        assert answer.status_code == 200
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert not replayed(answer)


async def test_an_expired_key_runs_again_and_is_purged(
    http: httpx.AsyncClient, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a request sent with a key
    given = await desk()
    key = new_key()
    token = given.dispatcher.token
    first = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    an_hour_early = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    assert replayed(an_hour_early)

    # when a day and a minute have passed
    later = idempotency.now() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(idempotency, "now", lambda: later)
    retry = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)

    # then the key counts as new: the request runs again, and is kept anew
    assert not replayed(retry) and retry.content != first.content
    assert await given.count(gql) == 2
    again = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)
    assert replayed(again) and again.content == retry.content

    # and housekeeping purges keys whose day has passed, and only those
    other = await send(http, CREATE_REQUEST, given.create_input("x"), token=token, key=new_key())
    assert not replayed(other)
    much_later = later + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(idempotency, "now", lambda: much_later - timedelta(hours=24, seconds=30))
    assert await purge_idempotency_keys() == 0  # both still within their day
    monkeypatch.setattr(idempotency, "now", lambda: much_later)
    assert await purge_idempotency_keys() == 2
    assert await idempotency.IdempotencyKey.all().count() == 0


async def test_a_persisted_query_keeps_its_key(http: httpx.AsyncClient, gql: GraphQLClient) -> None:
    # given a keyed mutation sent as Apollo's automatic persisted queries send it
    given = await desk()
    key = new_key()
    token = given.dispatcher.token
    document = f"{CREATE_REQUEST} # {uuid.uuid4()}"  # Redis keeps registrations between runs
    digest = hashlib.sha256(document.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    first = await send(
        http, document, given.create_input(), token=token, key=key, extensions=persisted
    )
    assert first.json()["data"]["createAccountRequest"]["userErrors"] == []

    # when the retry sends the hash alone
    body = {"variables": given.create_input(), "extensions": persisted}
    headers = {"authorization": f"Bearer {token}", "idempotency-key": key}
    retry = await http.post("/graphql", json=body, headers=headers)

    # then it is the same request: the kept answer
    assert replayed(retry) and retry.content == first.content
    assert await given.count(gql) == 1


async def test_a_keyed_mutation_asking_for_a_streamed_answer_is_refused(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    given = await desk()
    refused = await send(
        http,
        CREATE_REQUEST,
        given.create_input(),
        token=given.dispatcher.token,
        key=new_key(),
        headers={"accept": "multipart/mixed, application/json"},
    )
    assert refused.status_code == 400
    assert refusal_code(refused) == "IDEMPOTENCY_KEY_NOT_ALLOWED"
    assert await given.count(gql) == 0
