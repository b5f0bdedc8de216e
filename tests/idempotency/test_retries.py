"""A retried mutation with an idempotency key answers the first answer and runs once."""

from __future__ import annotations

import asyncio
import re
from contextlib import AsyncExitStack

import httpx
import orjson

from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import PASSWORD, staff
from tests.idempotency.keyed import (
    CREATE_REQUEST,
    SUBMIT,
    desk,
    new_key,
    portal,
    refusal_code,
    replayed,
    send,
)


def _replays(scrape: str) -> float:
    match = re.search(r"^docket_idempotent_replays_total ([0-9.e+-]+)$", scrape, re.MULTILINE)
    assert match is not None, "the replays are not counted"
    return float(match.group(1))


LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { token } }"


async def test_a_retried_create_account_request_answers_the_same_and_creates_one(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given
    given = await desk()
    key = new_key()
    variables = given.create_input()

    # when the request is sent twice with the same key (the header)
    first = await send(http, CREATE_REQUEST, variables, token=given.dispatcher.token, key=key)
    retry = await send(http, CREATE_REQUEST, variables, token=given.dispatcher.token, key=key)

    # then the retry is the first answer, byte for byte, marked as replayed
    assert first.status_code == retry.status_code == 200
    payload = first.json()["data"]["createAccountRequest"]
    assert payload["userErrors"] == [] and payload["accountRequest"]["status"] == "OPEN"
    assert retry.content == first.content
    assert not replayed(first) and replayed(retry)
    # and one request exists
    assert await given.count(gql) == 1


async def test_a_portal_contact_retrying_a_submission_makes_one_service_request(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a phone that lost the answer to its submission
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    first = await send(http, SUBMIT, variables, token=customer.contact.token, extension=key)
    replays_before = _replays((await http.get("/metrics")).text)

    # when it sends the submission again, with the key in `extensions`
    retries = [
        await send(http, SUBMIT, variables, token=customer.contact.token, extension=key)
        for _ in range(3)
    ]

    # then every answer is the first, and the queue holds one request
    submitted = first.json()["data"]["submitServiceRequest"]
    assert submitted["userErrors"] == [] and submitted["serviceRequest"]["status"] == "PENDING"
    assert [r.content for r in retries] == [first.content] * 3
    assert all(replayed(r) for r in retries)
    assert await customer.count(gql) == 1
    assert _replays((await http.get("/metrics")).text) - replays_before == 3
    dispatcher = await staff(Role.DISPATCHER)
    queue = await gql("{ serviceRequestQueue { pendingCount } }", token=dispatcher.token)
    assert queue["serviceRequestQueue"] == {"pendingCount": 1}


async def test_the_header_and_the_extension_are_one_key(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a request sent with the key as a header
    given = await desk()
    key = new_key()
    variables = given.create_input()
    token = given.dispatcher.token
    first = await send(http, CREATE_REQUEST, variables, token=token, key=key)

    # when it is retried with the key in `extensions`, then with both
    by_extension = await send(http, CREATE_REQUEST, variables, token=token, extension=key)
    by_both = await send(http, CREATE_REQUEST, variables, token=token, key=key, extension=key)

    # then both retries replay the first answer
    assert by_extension.content == by_both.content == first.content
    assert replayed(by_extension) and replayed(by_both)
    assert await given.count(gql) == 1


async def test_the_order_of_the_variables_members_does_not_matter(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given
    given = await desk()
    key = new_key()
    variables = given.create_input()
    first = await send(http, CREATE_REQUEST, variables, token=given.dispatcher.token, key=key)

    # when the retry's JSON writes the input's members in another order
    reordered = {"input": dict(reversed(list(variables["input"].items())))}
    retry = await send(http, CREATE_REQUEST, reordered, token=given.dispatcher.token, key=key)

    # then it is the same request
    assert replayed(retry) and retry.content == first.content
    assert await given.count(gql) == 1


async def test_the_same_key_with_another_body_is_refused(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a key used for one request
    given = await desk()
    key = new_key()
    token = given.dispatcher.token
    await send(http, CREATE_REQUEST, given.create_input("First"), token=token, key=key)

    # when the same key comes with other variables, another document, another name
    other_variables = await send(
        http, CREATE_REQUEST, given.create_input("Second"), token=token, key=key
    )
    other_document = await send(
        http, CREATE_REQUEST + " ", given.create_input("First"), token=token, key=key
    )

    # then both are refused with a code (HTTP 422) and nothing more is created
    for refused in (other_variables, other_document):
        assert refused.status_code == 422, refused.text
        assert refusal_code(refused) == "IDEMPOTENCY_KEY_REUSED"
        assert not replayed(refused)
    assert await given.count(gql) == 1


async def test_keys_belong_to_their_person(http: httpx.AsyncClient, gql: GraphQLClient) -> None:
    # given a dispatcher who used a key
    given = await desk()
    key = new_key()
    first = await send(
        http, CREATE_REQUEST, given.create_input(), token=given.dispatcher.token, key=key
    )

    # when another dispatcher (the same body) and a portal contact use the same key
    colleague = await staff(Role.DISPATCHER)
    theirs = await send(http, CREATE_REQUEST, given.create_input(), token=colleague.token, key=key)
    customer = await portal()
    submitted = await send(
        http, SUBMIT, customer.submit_input(), token=customer.contact.token, key=key
    )

    # then each ran on its own
    assert not replayed(theirs) and not replayed(submitted)
    ids = {
        orjson.loads(r.content)["data"]["createAccountRequest"]["accountRequest"]["id"]
        for r in (first, theirs)
    }
    assert len(ids) == 2
    assert submitted.json()["data"]["submitServiceRequest"]["userErrors"] == []
    assert await given.count(gql) == 2
    assert await customer.count(gql) == 1


async def test_a_key_signed_in_again_is_still_the_persons(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a request sent with one token
    given = await desk()
    key = new_key()
    first = await send(
        http, CREATE_REQUEST, given.create_input(), token=given.dispatcher.token, key=key
    )

    # when the retry comes after signing in again (another token of the same user)
    credentials = {"input": {"email": given.dispatcher.user.email, "password": PASSWORD}}
    login = await gql(LOGIN, credentials)
    token = login["login"]["token"]
    retry = await send(http, CREATE_REQUEST, given.create_input(), token=token, key=key)

    # then the key is the user's, not the token's
    assert replayed(retry) and retry.content == first.content
    assert await given.count(gql) == 1


async def test_concurrent_retries_on_one_process_run_once(
    server: Server, gql: GraphQLClient
) -> None:
    # given ten connections of one phone
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=server.url, timeout=60))
            for _ in range(10)
        ]
        await asyncio.gather(*(c.get("/healthz") for c in clients))  # open them first

        # when all send the submission with one key at once
        answers = await asyncio.gather(
            *(send(c, SUBMIT, variables, token=customer.contact.token, key=key) for c in clients)
        )

    # then one ran, the others replayed its answer, and one request exists
    assert {a.content for a in answers} == {answers[0].content}
    assert sorted(replayed(a) for a in answers) == [False] + [True] * 9
    assert answers[0].json()["data"]["submitServiceRequest"]["userErrors"] == []
    assert await customer.count(gql) == 1
