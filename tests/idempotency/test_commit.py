"""A keyed request is one transaction: its answer is kept with its change, so an answer
lost on the way is there for the retry; events leave after that commit, once; a request
whose answer has no data keeps nothing, not even the changes of its first fields."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from models.permissions import Role
from models.service_requests import ServiceRequest
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.conftest import Server, StoredObjects
from tests.factories import make_account, portal_contact, staff
from tests.faults import FaultyProxy
from tests.idempotency.keyed import SUBMIT, Portal, new_key, portal, replayed, send
from tests.photos.operations import DELETE_PHOTO, PHOTO_NODE, add_photo
from tests.service_requests.operations import QUEUE_CHANGED
from tests.ws import socket

SUBMIT_THEN_APPROVE = """
mutation Both($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) { serviceRequest { id } userErrors { code } }
  approveServiceRequest(input: {id: "U2VydmljZVJlcXVlc3Q6MQ=="}) { userErrors { code } }
}
"""


async def _until_committed(customer: Portal) -> None:
    """Polled on the table: a list query racing the commit would trip the suite's check
    of direct against standard execution (two reads of one request, either side)."""
    deadline = time.monotonic() + 15
    account_id = customer.site.account_id
    while not await ServiceRequest.filter(account_id=account_id).exists():
        assert time.monotonic() < deadline, "the submission was not committed within 15 s"
        await asyncio.sleep(0.05)


async def test_an_answer_lost_on_the_way_is_there_for_the_retry(
    server: Server, gql: GraphQLClient
) -> None:
    # given a phone whose network will lose the server's answer
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    async with FaultyProxy.in_front_of(server.url, 80) as network:
        network.mute()
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{network.port}", timeout=30
        ) as phone:
            sending = asyncio.create_task(
                send(phone, SUBMIT, variables, token=customer.contact.token, key=key)
            )
            # when the submission is committed, and its answer never arrives
            await _until_committed(customer)
            await network.down()
            with pytest.raises(httpx.TransportError):
                await sending

    # then the retry gets the kept answer, and nothing ran twice
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as phone:
        retry = await send(phone, SUBMIT, variables, token=customer.contact.token, key=key)
    assert replayed(retry)
    listed = await gql("{ serviceRequests { nodes { id } } }", token=customer.contact.token)
    kept = retry.json()["data"]["submitServiceRequest"]["serviceRequest"]
    assert listed["serviceRequests"]["nodes"] == [{"id": kept["id"]}]


async def test_events_leave_once_after_the_commit(server: Server, http: httpx.AsyncClient) -> None:
    # given a dispatcher watching the review queue
    dispatcher = await staff(Role.DISPATCHER)
    customer = await portal()
    key = new_key()
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.1)  # the subscription is registered with the broker

        # when a submission is sent three times with one key
        for _ in range(3):
            sent = await send(
                http, SUBMIT, customer.submit_input(), token=customer.contact.token, key=key
            )
            assert sent.status_code == 200

        # then the queue changed once
        assert await ws.next_data("serviceRequestQueueChanged") == {"pendingCount": 1}
        assert await ws.nothing_within(0.5)


async def test_a_keyed_answer_without_data_keeps_no_change(
    server: Server, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    # given a contact's document that submits, then asks for a review it may not do
    dispatcher = await staff(Role.DISPATCHER)
    customer = await portal()
    key = new_key()
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", QUEUE_CHANGED)
        await asyncio.sleep(0.1)

        # when it is sent with a key
        answer = await send(
            http,
            SUBMIT_THEN_APPROVE,
            customer.submit_input(),
            token=customer.contact.token,
            key=key,
        )

        # then the answer has no data (FORBIDDEN nulls it), and the submission that ran
        # first was rolled back with the rest: no request, no event, no kept answer
        body = answer.json()
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
        assert await customer.count(gql) == 0
        assert await ws.nothing_within(0.5)
    retry = await send(
        http, SUBMIT_THEN_APPROVE, customer.submit_input(), token=customer.contact.token, key=key
    )
    assert not replayed(retry)


DELETE_THEN_APPROVE = """
mutation Both($input: DeletePhotoInput!) {
  deletePhoto(input: $input) { deletedPhotoId userErrors { code } }
  approveServiceRequest(input: {id: "U2VydmljZVJlcXVlc3Q6MQ=="}) { userErrors { code } }
}
"""


async def test_a_photos_bytes_go_only_when_its_keyed_removal_commits(
    http: httpx.AsyncClient, gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a portal contact's photo (its upload and its served copy are stored)
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    photo = await add_photo(gql, contact, request)
    stored = stored_objects.keys()
    assert len(stored) == 2
    variables = {"input": {"id": photo["id"]}}

    # when a keyed document removes it, then asks for what the contact may not do
    refused = await send(http, DELETE_THEN_APPROVE, variables, token=contact.token, key=new_key())

    # then nothing of it is kept: the photo and its bytes are still there
    assert refused.json()["data"] is None
    assert stored_objects.keys() == stored
    node = await gql(PHOTO_NODE, {"id": photo["id"]}, token=contact.token)
    assert node["node"]["id"] == photo["id"]

    # when a keyed removal alone is sent, and retried
    key = new_key()
    removed = await send(http, DELETE_PHOTO, variables, token=contact.token, key=key)
    retry = await send(http, DELETE_PHOTO, variables, token=contact.token, key=key)

    # then the bytes went after the commit, and the retry is the kept answer
    assert removed.json()["data"]["deletePhoto"]["deletedPhotoId"] == photo["id"]
    assert stored_objects.keys() == set()
    assert replayed(retry) and retry.content == removed.content
