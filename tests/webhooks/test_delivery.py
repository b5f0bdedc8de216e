"""The sender: signed POSTs a receiver verifies on its own, retries while the receiver
is down or failing, and what admins see of every attempt."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from api.settings import Settings
from models.permissions import Role
from models.webhooks import DeliveryStatus, WebhookDelivery
from tests.client import GraphQLClient
from tests.database import StatementCounter
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import (
    DELIVERIES,
    deliveries,
    endpoint_for,
    is_signed_by,
    until,
    verify,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver
from tests.webhooks.tls import issue


async def test_a_receiver_verifies_what_it_is_sent(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    request_id = await raise_request(gql, admin)

    # when
    handled = await webhook_worker(settings).run_once()

    # then: one POST, genuine by the receiver's own check
    assert handled == 1
    [received] = receiver.received
    assert received.path == "/hooks"
    event = verify(received, secret)
    assert event["type"] == "account_request.created"
    assert event["version"] == 1
    assert event["id"] == received.headers["docket-webhook-id"]
    assert event["createdAt"].endswith("+00:00")
    assert event["data"]["accountRequest"]["id"] == request_id
    assert event["data"]["accountRequest"]["status"] == "OPEN"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["docket-webhook-event"] == "account_request.created"
    assert received.headers["user-agent"].startswith("Docket-Webhooks/")
    # a changed body, or another secret, does not verify
    forged = type(received)(
        received.path, received.headers, received.body.replace(b"OPEN", b"DONE")
    )
    assert not is_signed_by(forged, secret)
    assert not is_signed_by(received, "whsec_not-the-secret")

    # and admins see the attempt
    [delivery] = await deliveries(gql, admin)
    assert delivery["status"] == "SUCCEEDED"
    assert (delivery["attempts"], delivery["responseStatus"]) == (1, 200)
    assert delivery["latencyMs"] >= 0
    assert delivery["deliveredAt"] is not None
    assert delivery["nextAttemptAt"] is None
    assert delivery["lastError"] is None
    assert delivery["eventType"] == "ACCOUNT_REQUEST_CREATED"
    assert delivery["eventId"] == event["id"]
    assert delivery["payload"].encode() == received.body
    assert delivery["endpoint"] == {"id": endpoint_id, "url": receiver.url}


async def test_a_refused_change_queues_nothing(gql: GraphQLClient, receiver: Receiver) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")

    # when: a request for an account that does not exist
    body = await gql(
        'mutation { createAccountRequest(input: {accountId: "QWNjb3VudDo5OTk5", '
        'typeId: "QWNjb3VudFJlcXVlc3RUeXBlOjk5OTk"}) { userErrors { code } } }',
        token=admin.token,
    )

    # then
    assert body["createAccountRequest"]["userErrors"] != []
    assert await deliveries(gql, admin) == []


async def test_a_receiver_that_was_down_gets_the_event_once_it_is_up(
    gql: GraphQLClient, settings: Settings, receiver_down: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver_down.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    worker = webhook_worker(settings)

    # when: the receiver is down
    assert await worker.run_once() == 1

    # then: it waits for a retry
    [waiting] = await deliveries(gql, admin)
    assert (waiting["status"], waiting["attempts"]) == ("PENDING", 1)
    assert waiting["responseStatus"] is None
    assert "ConnectError" in waiting["lastError"]
    assert waiting["nextAttemptAt"] > waiting["createdAt"]

    # when: it comes up, and the sender tries again after the backoff
    receiver_down.start()

    async def delivered() -> dict | None:
        await worker.run_once()
        [row] = await deliveries(gql, admin)
        return row if row["status"] == "SUCCEEDED" else None

    done = await until(delivered, "the retry to succeed")

    # then
    assert (done["attempts"], done["responseStatus"], done["lastError"]) == (2, 200, None)
    [received] = receiver_down.received
    assert verify(received, secret)["id"] == waiting["eventId"]


async def test_a_failing_receiver_is_retried_until_the_attempts_are_spent(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    receiver.status = 500
    worker = webhook_worker(settings, webhook_max_attempts=3)

    # when
    async def failed() -> dict | None:
        await worker.run_once()
        [row] = await deliveries(gql, admin)
        return row if row["status"] == "FAILED" else None

    row = await until(failed, "the delivery to fail")

    # then: three signed attempts of one event, then no more
    assert (row["attempts"], row["responseStatus"]) == (3, 500)
    assert row["lastError"] == "HTTP 500: receiver says no"
    assert row["nextAttemptAt"] is None
    assert len(receiver.received) == 3
    assert {verify(r, secret)["id"] for r in receiver.received} == {row["eventId"]}
    await asyncio.sleep(0.2)  # longer than any backoff here
    assert await worker.run_once() == 0


async def test_a_redirect_is_not_followed(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: the endpoint answers with a redirect to another receiver
    admin = await staff(Role.ADMIN)
    elsewhere = Receiver()
    elsewhere.start()
    try:
        await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
        receiver.location = elsewhere.url
        await raise_request(gql, admin)

        # when
        await webhook_worker(settings).run_once()

        # then
        [row] = await deliveries(gql, admin)
        assert (row["status"], row["responseStatus"]) == ("PENDING", 302)
        assert row["lastError"] == "HTTP 302 (redirects are not followed)"
        assert elsewhere.received == []
    finally:
        elsewhere.stop()


async def test_a_slow_receiver_times_out(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    receiver.delay = 1.0

    # when
    await webhook_worker(settings, webhook_timeout_seconds=0.2).run_once()

    # then
    [row] = await deliveries(gql, admin)
    assert (row["status"], row["attempts"], row["responseStatus"]) == ("PENDING", 1, None)
    assert row["lastError"].startswith("Timed out after 0.2 s")


async def test_the_embedded_sender_delivers_on_its_own(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: a sender running as `docket serve` and `docket worker` run it
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    stop = asyncio.Event()
    running = asyncio.create_task(
        webhook_worker(settings, webhook_poll_seconds=0.05).run_forever(stop)
    )
    try:
        # when
        request_id = await raise_request(gql, admin)

        # then (watched in the table: the API checks each answer by running it twice,
        # and a sender working meanwhile would change it between the two)
        async def sent() -> bool:
            return await WebhookDelivery.filter(status=DeliveryStatus.SUCCEEDED).exists()

        await until(sent, "the running sender to deliver")
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    [received] = receiver.received
    assert verify(received, secret)["data"]["accountRequest"]["id"] == request_id
    [row] = await deliveries(gql, admin)
    assert (row["status"], row["attempts"], row["responseStatus"]) == ("SUCCEEDED", 1, 200)


async def test_deliveries_are_listed_newest_first_and_filtered(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: two endpoints, three events each
    admin = await staff(Role.ADMIN)
    first_id, _ = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    second_id, _ = await endpoint_for(
        gql, admin, receiver.url + "?second=1", "ACCOUNT_REQUEST_CREATED"
    )
    for _ in range(3):
        await raise_request(gql, admin)
    receiver.status = 500
    await webhook_worker(settings).run_once()

    # when
    everything = await deliveries(gql, admin)
    of_second = await deliveries(gql, admin, endpointId=second_id)
    pending = await deliveries(gql, admin, status="PENDING", endpointId=first_id)
    none = await deliveries(gql, admin, status="SUCCEEDED")
    other_type = await deliveries(gql, admin, eventType="JOB_CREATED")
    page = (await gql(DELIVERIES, {"first": 4}, admin.token))["webhookDeliveries"]

    # then
    assert len(everything) == 6
    ids = [row["id"] for row in everything]
    assert ids == sorted(ids, key=lambda i: int(_key(i)), reverse=True)
    assert {row["endpoint"]["id"] for row in of_second} == {second_id} and len(of_second) == 3
    assert len(pending) == 3
    assert none == [] and other_type == []
    assert page["totalCount"] == 6 and page["pageInfo"]["hasNextPage"] is True
    assert [row["id"] for row in page["nodes"]] == ids[:4]
    assert any(r.path == "/hooks?second=1" for r in receiver.received)
    assert json.loads(everything[0]["payload"])["type"] == "account_request.created"


def _key(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":")[1]


async def test_listing_deliveries_reads_a_fixed_number_of_statements(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given: deliveries to several endpoints, each listed with its endpoint
    admin = await staff(Role.ADMIN)

    async def add(n: int) -> None:
        for i in range(n):
            await endpoint_for(gql, admin, f"https://{i}.example.com/", "ACCOUNT_REQUEST_CREATED")
        await raise_request(gql, admin)

    async def listed() -> int:
        before = count_statements.count
        await gql(DELIVERIES, {"first": 100}, token=admin.token)
        return count_statements.count - before

    await add(2)
    few = await listed()

    # when
    await add(6)
    many = await listed()

    # then: the page and the endpoints (one batch), whatever the number of rows
    assert len(await deliveries(gql, admin)) == 10
    assert many == few, count_statements.statements
    assert many <= 4, count_statements.statements


async def test_https_goes_to_the_checked_address_with_the_name_in_tls(
    gql: GraphQLClient, settings: Settings, tmp_path: Path
) -> None:
    # given: an HTTPS receiver whose certificate (of a private CA) names `localhost`
    good = issue(tmp_path / "good", "localhost")
    wrong = issue(tmp_path / "wrong", "elsewhere.example")
    admin = await staff(Role.ADMIN)
    receiver = Receiver(tls=(good.cert_file, good.key_file))
    receiver.start()
    impostor = Receiver(tls=(wrong.cert_file, wrong.key_file))
    impostor.start()
    try:
        _, secret = await endpoint_for(
            gql, admin, f"https://localhost:{receiver.port}/hooks", "ACCOUNT_REQUEST_CREATED"
        )
        await endpoint_for(
            gql, admin, f"https://localhost:{impostor.port}/hooks", "ACCOUNT_REQUEST_CREATED"
        )
        await raise_request(gql, admin)

        # when: the sender trusts the private CA (WEBHOOK_CA_FILE)
        await webhook_worker(settings, webhook_ca_file=good.ca_file).run_once()

        # then: the name was sent in TLS and in Host, and its certificate checked
        [received] = receiver.received
        assert verify(received, secret)["type"] == "account_request.created"
        assert received.headers["host"] == f"localhost:{receiver.port}"
        assert receiver.server_names == ["localhost"]
        # a certificate for another name is refused, whatever the address
        assert impostor.received == []
        rows = {row["endpoint"]["url"]: row for row in await deliveries(gql, admin)}
        refused = rows[f"https://localhost:{impostor.port}/hooks"]
        assert refused["status"] == "PENDING"
        assert "CERTIFICATE_VERIFY_FAILED" in refused["lastError"]
    finally:
        receiver.stop()
        impostor.stop()
