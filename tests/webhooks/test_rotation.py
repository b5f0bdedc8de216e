"""Rotating a secret: during the overlap both secrets sign, after it only the new one."""

from __future__ import annotations

from datetime import timedelta

from api.settings import Settings
from models.clock import now
from models.permissions import Role
from models.webhooks import WebhookEndpoint
from schema.relay.ids import key_for
from tests.client import GraphQLClient
from tests.factories import staff
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import (
    ROTATE,
    endpoint_for,
    is_signed_by,
    signatures,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver


async def test_both_secrets_sign_during_the_overlap_and_only_the_new_one_after(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, old = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    worker = webhook_worker(settings)

    # when: rotated with the default overlap (24 hours)
    rotated = await gql(ROTATE, {"input": {"id": endpoint_id}}, admin.token)
    new = rotated["rotateWebhookEndpointSecret"]["secret"]
    await raise_request(gql, admin)
    await worker.run_once()

    # then: a receiver holding either secret accepts the delivery
    [during] = receiver.received
    assert len(signatures(during)) == 2
    assert is_signed_by(during, old) and is_signed_by(during, new)

    # when: the overlap has passed
    await WebhookEndpoint.filter(id=key_for(endpoint_id, "WebhookEndpoint")).update(
        previous_secret_expires_at=now() - timedelta(seconds=1)
    )
    await raise_request(gql, admin)
    await worker.run_once()

    # then: only the new secret signs
    after = receiver.received[-1]
    assert len(signatures(after)) == 1
    assert is_signed_by(after, new) and not is_signed_by(after, old)


async def test_a_rotation_without_overlap_drops_the_old_secret_at_once(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, old = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)  # queued before the rotation, sent after it

    # when
    rotated = await gql(ROTATE, {"input": {"id": endpoint_id, "overlapHours": 0}}, admin.token)
    new = rotated["rotateWebhookEndpointSecret"]["secret"]
    await webhook_worker(settings).run_once()

    # then: every attempt is signed when it is made, with the secrets of that moment
    [received] = receiver.received
    assert len(signatures(received)) == 1
    assert is_signed_by(received, new) and not is_signed_by(received, old)
