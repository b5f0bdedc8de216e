"""Admins resend a finished delivery: the same event, as a new delivery."""

from __future__ import annotations

from api.settings import Settings
from models.permissions import Role
from tests.client import GraphQLClient, assert_user_error
from tests.factories import staff
from tests.ids import gid
from tests.webhooks.happenings import raise_request
from tests.webhooks.operations import (
    RESEND,
    UPDATE,
    deliveries,
    endpoint_for,
    verify,
    webhook_worker,
)
from tests.webhooks.receiver import Receiver


async def test_an_admin_resends_a_delivery(
    gql: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # given: a delivery that failed for good
    admin = await staff(Role.ADMIN)
    _, secret = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    receiver.status = 503
    worker = webhook_worker(settings, webhook_max_attempts=1)
    await worker.run_once()
    [failed] = await deliveries(gql, admin)
    assert failed["status"] == "FAILED"

    # when
    receiver.status = 200
    data = await gql(RESEND, {"input": {"id": failed["id"]}}, admin.token)

    # then: a new delivery of the same event and body, due now
    payload = data["resendWebhookDelivery"]
    assert payload["userErrors"] == []
    again = payload["webhookDelivery"]
    assert again["id"] != failed["id"]
    assert (again["eventId"], again["payload"]) == (failed["eventId"], failed["payload"])
    assert (again["status"], again["attempts"]) == ("PENDING", 0)

    # when
    assert await worker.run_once() == 1

    # then
    first, second = receiver.received
    assert verify(first, secret)["id"] == verify(second, secret)["id"] == failed["eventId"]
    assert first.body == second.body
    newest, oldest = await deliveries(gql, admin)
    assert (newest["id"], newest["status"]) == (again["id"], "SUCCEEDED")
    assert (oldest["id"], oldest["status"]) == (failed["id"], "FAILED")


async def test_only_a_finished_delivery_to_an_enabled_endpoint_is_resent(
    gql: GraphQLClient, receiver: Receiver
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, receiver.url, "ACCOUNT_REQUEST_CREATED")
    await raise_request(gql, admin)
    [pending] = await deliveries(gql, admin)

    # when / then: still on its way
    data = await gql(RESEND, {"input": {"id": pending["id"]}}, admin.token)
    assert_user_error(data["resendWebhookDelivery"], "INVALID", ["input", "id"])

    # when / then: its endpoint is disabled
    await WebhookRows.finish(pending["id"])
    await gql(UPDATE, {"input": {"id": endpoint_id, "enabled": False}}, admin.token)
    data = await gql(RESEND, {"input": {"id": pending["id"]}}, admin.token)
    assert_user_error(data["resendWebhookDelivery"], "ENDPOINT_DISABLED", ["input", "id"])

    # when / then: no such delivery
    for missing in (gid("WebhookDelivery", 999_999), endpoint_id):
        data = await gql(RESEND, {"input": {"id": missing}}, admin.token)
        assert_user_error(data["resendWebhookDelivery"], "NOT_FOUND", ["input", "id"])
    assert len(await deliveries(gql, admin)) == 1


class WebhookRows:
    """Rows a test starts from, written through the models."""

    @staticmethod
    async def finish(delivery_id: str) -> None:
        from models.webhooks import DeliveryStatus, WebhookDelivery
        from schema.relay.ids import key_for

        await WebhookDelivery.filter(id=key_for(delivery_id, "WebhookDelivery")).update(
            status=DeliveryStatus.SUCCEEDED
        )
