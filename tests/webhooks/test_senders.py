"""Several senders share the deliveries (SKIP LOCKED on PostgreSQL): each is sent once;
a sender that died mid-delivery leaves a lease that runs out, never a lost delivery."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from api.settings import Settings
from models.clock import now
from models.permissions import Role
from models.webhooks import DeliveryStatus, WebhookDelivery
from models.webhooks.deliveries import claim_batch
from tests.client import GraphQLClient
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import deliveries, endpoint_for, verify, webhook_worker
from tests.webhooks.receiver import Receiver


async def test_two_senders_racing_send_each_delivery_exactly_once(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    for _ in range(30):
        await raise_request(gql, admin)
    first, second = webhook_worker(settings), webhook_worker(settings)

    # when
    handled = await asyncio.gather(first.run_once(), second.run_once())

    # then
    assert sum(handled) == 30
    event_ids = [verify(r, secret)["id"] for r in receiver.received]
    assert len(event_ids) == len(set(event_ids)) == 30
    rows = await deliveries(gql, admin)
    assert {(row["status"], row["attempts"]) for row in rows} == {("SUCCEEDED", 1)}


async def test_a_delivery_held_by_a_dead_sender_goes_out_once_its_lease_runs_out(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: a sender claimed the delivery and died
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    [(claimed, _)] = await claim_batch()
    worker = webhook_worker(settings)

    # when / then: nobody else takes it while the lease holds
    assert await worker.run_once() == 0

    # when: the lease runs out
    await WebhookDelivery.filter(id=claimed.id).update(lease_until=now() - timedelta(seconds=1))

    # then
    assert await worker.run_once() == 1
    [received] = receiver.received
    assert verify(received, secret)["id"] == claimed.event_id
    row = await WebhookDelivery.get(id=claimed.id)
    assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, 1)


async def test_finished_deliveries_are_forgotten_after_the_retention(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: a delivery sent long ago, one failed long ago, one waiting as long
    admin = await staff(Role.ADMIN)
    await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    for _ in range(4):
        await raise_request(gql, admin)
    rows = await WebhookDelivery.all().order_by("id")
    long_ago = now() - timedelta(days=31)
    statuses = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.PENDING]
    for row, status in zip(rows, statuses, strict=False):
        await WebhookDelivery.filter(id=row.id).update(status=status, created_at=long_ago)

    # when
    purged = await webhook_worker(settings).purge()

    # then: the two finished ones are gone; the waiting and the recent ones stay
    assert purged == 2
    kept = await WebhookDelivery.all().order_by("id").values_list("id", flat=True)
    assert list(kept) == [rows[2].id, rows[3].id]
