"""Idempotency keys over the WebSocket (graphql-transport-ws): the key rides in the
subscribe message's `extensions`, and kept answers are shared with HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.client import GraphQLClient
from tests.conftest import Server
from tests.idempotency.keyed import SUBMIT, new_key, portal, replayed, send
from tests.ws import Socket, socket


async def _mutate(
    ws: Socket, operation_id: str, variables: dict[str, Any], key: object
) -> list[dict[str, Any]]:
    """Every message of one keyed operation, up to its `complete` or `error`."""
    payload = {"query": SUBMIT, "variables": variables, "extensions": {"idempotencyKey": key}}
    await ws.send({"id": operation_id, "type": "subscribe", "payload": payload})
    messages = [await ws.receive()]
    while messages[-1]["type"] not in ("complete", "error"):
        messages.append(await ws.receive())
    return messages


async def test_a_mutation_retried_over_the_socket_runs_once(
    server: Server, gql: GraphQLClient
) -> None:
    # given a portal contact's app on a socket
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    async with socket(server.ws_url, customer.contact.token) as ws:
        # when it submits, then retries on the same socket and on a new one
        first = await _mutate(ws, "1", variables, key)
        same_socket = await _mutate(ws, "2", variables, key)
    async with socket(server.ws_url, customer.contact.token) as ws:
        new_socket = await _mutate(ws, "1", variables, key)

    # then the first ran, the retries carry its answer marked as replayed
    [answer, done] = first
    assert answer["type"] == "next" and done == {"id": "1", "type": "complete"}
    submitted = answer["payload"]["data"]["submitServiceRequest"]
    assert submitted["userErrors"] == [] and "extensions" not in answer["payload"]
    for retry, operation_id in ((same_socket, "2"), (new_socket, "1")):
        [again, done] = retry
        assert again == {
            "id": operation_id,
            "type": "next",
            "payload": {
                "data": answer["payload"]["data"],
                "extensions": {"idempotentReplayed": True},
            },
        }
        assert done == {"id": operation_id, "type": "complete"}
    assert await customer.count(gql) == 1


async def test_http_and_the_socket_share_kept_answers(
    server: Server, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given a submission sent over HTTP with a key
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    first = await send(http, SUBMIT, variables, token=customer.contact.token, key=key)

    # when the app retries it over its socket
    async with socket(server.ws_url, customer.contact.token) as ws:
        [again, _] = await _mutate(ws, "1", variables, key)
        # and the socket's own keyed submission is retried over HTTP
        other_key = new_key()
        [by_socket, _] = await _mutate(ws, "2", customer.submit_input("Another door"), other_key)
    retry = await send(
        http,
        SUBMIT,
        customer.submit_input("Another door"),
        token=customer.contact.token,
        key=other_key,
    )

    # then each retry is its first answer
    assert again["payload"]["data"] == first.json()["data"]
    assert again["payload"]["extensions"] == {"idempotentReplayed": True}
    assert replayed(retry) and retry.json() == {"data": by_socket["payload"]["data"]}
    assert await customer.count(gql) == 2


async def test_socket_refusals_are_coded_error_messages(server: Server, gql: GraphQLClient) -> None:
    # given a key used for one submission
    customer = await portal()
    key = new_key()
    async with socket(server.ws_url, customer.contact.token) as ws:
        await _mutate(ws, "1", customer.submit_input(), key)

        # when it comes with another body, and a malformed key comes
        reused = await _mutate(ws, "2", customer.submit_input("Something else"), key)
        malformed = await _mutate(ws, "3", customer.submit_input(), "not a key")

        # then each operation ends with an error message naming the code
        for messages, operation_id, code in (
            (reused, "2", "IDEMPOTENCY_KEY_REUSED"),
            (malformed, "3", "IDEMPOTENCY_KEY_INVALID"),
        ):
            [error] = messages
            assert error["type"] == "error" and error["id"] == operation_id
            assert [e["extensions"]["code"] for e in error["payload"]] == [code]
        # and the socket still works
        [answer, _] = await _mutate(ws, "4", customer.submit_input("Third"), new_key())
        assert answer["payload"]["data"]["submitServiceRequest"]["userErrors"] == []
    assert await customer.count(gql) == 2


async def test_a_document_refused_over_the_socket_is_not_kept(
    server: Server, gql: GraphQLClient
) -> None:
    customer = await portal()
    key = new_key()
    async with socket(server.ws_url, customer.contact.token) as ws:
        # given variables that do not fit (no description)
        bad = {"input": {"siteId": customer.submit_input()["input"]["siteId"]}}
        [refused, *_] = await _mutate(ws, "1", bad, key)
        assert refused["type"] in ("next", "error")
        # when the corrected submission comes with the same key
        [answer, _] = await _mutate(ws, "2", customer.submit_input(), key)
    # then it ran
    assert "extensions" not in answer["payload"]
    assert answer["payload"]["data"]["submitServiceRequest"]["userErrors"] == []
    assert await customer.count(gql) == 1


async def test_queries_over_the_socket_ignore_the_key(server: Server) -> None:
    customer = await portal()
    async with socket(server.ws_url, customer.contact.token) as ws:
        for operation_id, key in (("1", new_key()), ("2", "not a key")):
            payload = {"query": "{ me { __typename } }", "extensions": {"idempotencyKey": key}}
            await ws.send({"id": operation_id, "type": "subscribe", "payload": payload})
            assert await ws.receive() == {
                "id": operation_id,
                "type": "next",
                "payload": {"data": {"me": {"__typename": "PortalContact"}}},
            }
            assert await ws.receive() == {"id": operation_id, "type": "complete"}
