"""A keyed mutation retried at once leaves each of its side effects once: one webhook
delivery per endpoint, one event in the live log, one event to a subscriber, and a
resume from before it replays it once."""

from __future__ import annotations

import asyncio

import httpx

from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import staff
from tests.idempotency.keyed import SUBMIT, new_key, portal, replayed, send
from tests.service_requests.operations import submitted
from tests.subscriptions_resume.live import QUEUE, events
from tests.webhooks.operations import deliveries, endpoint_for
from tests.ws import socket

CALLS = 10
QUEUED = "serviceRequestQueueChanged"


async def test_a_keyed_retry_storm_queues_one_delivery_and_one_live_event(
    server: Server, gql: GraphQLClient
) -> None:
    # given an admin's endpoint for submissions, and a dispatcher watching the queue
    # who has seen one submission already
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    customer = await portal()
    endpoint_id, _ = await endpoint_for(
        gql, admin, "http://127.0.0.1:9/hooks", "SERVICE_REQUEST_SUBMITTED"
    )
    key = new_key()
    variables = customer.submit_input("The gate motor hums but does not move.")
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE)
        await asyncio.sleep(0.2)
        await submitted(gql, customer.contact, customer.site)
        [(_, before)] = await events(ws, QUEUED, 1)

        # when the phone sends one keyed submission ten times at once, then a new one
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            answers = await asyncio.gather(
                *(
                    send(http, SUBMIT, variables, token=customer.contact.token, key=key)
                    for _ in range(CALLS)
                )
            )
        await submitted(gql, customer.contact, customer.site)

        # then the subscriber gets one event for the keyed one and one for the next,
        # and nothing else
        live = await events(ws, QUEUED, 2)
        assert await ws.nothing_within(0.5)

    assert sorted(replayed(a) for a in answers) == [False] + [True] * (CALLS - 1)
    assert {a.content for a in answers} == {answers[0].content}
    assert [data["pendingCount"] for data, _ in live] == [2, 3]
    # and one delivery per submission went to the endpoint, the keyed one once
    queued = await deliveries(gql, admin, endpointId=endpoint_id)
    assert [d["eventType"] for d in queued] == ["SERVICE_REQUEST_SUBMITTED"] * 3
    keyed_id = answers[0].json()["data"]["submitServiceRequest"]["serviceRequest"]["id"]
    assert sum(keyed_id in d["payload"] for d in queued) == 1

    # and a dispatcher resuming from before the storm replays each submission once
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE, {"after": before})
        replay = await events(ws, QUEUED, 2)
        assert await ws.nothing_within(0.5)
    assert [cursor for _, cursor in replay] == [cursor for _, cursor in live]
