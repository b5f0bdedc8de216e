"""notificationAdded over graphql-transport-ws: real time, private, ends with the session."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from api.broker import current_broker
from models import auth, notifications
from models.errors import DomainError, ErrorCode
from models.events import collect_events
from models.permissions import Role
from schema.errors import run_in_transaction
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, staff
from tests.ids import gid
from tests.ws import socket

ADDED = (
    "subscription { notificationAdded { kind title cursor subject { ... on Account { name } } } }"
)
UPDATE_USER = """
mutation Update($id: ID!, $isActive: Boolean, $password: String) {
  updateUser(input: {id: $id, isActive: $isActive, password: $password}) { userErrors { code } }
}
"""


async def test_assignment_reaches_the_subscriber_within_a_second(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya follows her notifications
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account("Fabrikam")
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)  # the subscription is registered with the broker
        # when an admin gives her an account
        await set_manager(gql, admin, account.id, maya)
        message = await ws.receive()
    # then
    assert message["type"] == "next"
    payload = message["payload"]["data"]["notificationAdded"]
    assert payload["kind"] == "ACCOUNT_ASSIGNED"
    assert payload["subject"] == {"name": "Fabrikam"}


async def test_a_subscriber_never_receives_someone_elses_notifications(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya and Mo both subscribe
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)
    async with (
        socket(server.ws_url, maya.token) as maya_ws,
        socket(server.ws_url, mo.token) as mo_ws,
    ):
        await maya_ws.subscribe("n", ADDED)
        await mo_ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)
        # when only Maya gets an account
        await set_manager(gql, admin, (await make_account()).id, maya)
        # then
        assert (await maya_ws.receive())["type"] == "next"
        assert await mo_ws.nothing_within(0.5)


async def test_subscribe_before_connection_init_is_refused(server: Server) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as connection:
        await connection.send(
            '{"id": "1", "type": "subscribe", "payload": {"query": "' + ADDED + '"}}'
        )
        with pytest.raises(ConnectionClosed) as closed:
            await connection.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@pytest.mark.parametrize("how", ["logout", "deactivation", "password change"])
async def test_ended_session_ends_the_subscription_within_two_seconds(
    server: Server, gql: GraphQLClient, how: str
) -> None:
    # given Maya follows her notifications
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)
        # when her session ends
        if how == "logout":
            await gql("mutation { logout { ok } }", token=maya.token)
        else:
            variables = {"id": gid("User", maya.id)}
            variables |= (
                {"isActive": False} if how == "deactivation" else {"password": "a brand new pass 9"}
            )
            data = await gql(UPDATE_USER, variables, token=admin.token)
            assert data["updateUser"]["userErrors"] == []
        ended = await ws.receive()
        # then the subscription ends with an error and nothing more comes
        assert ended["type"] in ("error", "next")
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_rolled_back_change_publishes_nothing(server: Server) -> None:
    # given a subscriber on the broker of the running server
    maya = await staff(Role.ACCOUNT_MANAGER)
    message = notifications.Message(
        kind=notifications.NotificationKind.ACCOUNT_ASSIGNED, title="t", body="b"
    )

    async def notify_then_refuse() -> None:
        await notifications.notify([notifications.Recipient(user=maya.row)], message)  # type: ignore[arg-type]
        raise DomainError(ErrorCode.INVALID, "refused after notifying")

    async with current_broker().subscribe(f"user:{maya.id}") as events:
        # when the operation fails after notifying
        result, errors = await run_in_transaction(notify_then_refuse)
        # then no event, and no row
        assert result is None and errors[0].code == ErrorCode.INVALID
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(events), 0.3)
    assert await notifications.Notification.filter(user_id=maya.id).count() == 0


async def test_a_committed_change_publishes_after_commit(server: Server) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    message = notifications.Message(
        kind=notifications.NotificationKind.ACCOUNT_ASSIGNED, title="t", body="b"
    )
    async with current_broker().subscribe(f"user:{maya.id}") as events:
        # when notify runs inside a transaction that commits
        with collect_events() as pending:
            async with in_transaction():
                [row] = await notifications.notify(
                    [notifications.Recipient(user=maya.row)],
                    message,  # type: ignore[arg-type]
                )
                assert len(pending) == 1  # queued, not yet published
        await current_broker().publish(pending)
        # then
        event = await asyncio.wait_for(anext(events), 1.0)
    assert event == {"type": "notification", "id": row.id}


async def test_a_socket_holds_at_most_20_subscriptions(server: Server) -> None:
    # given a socket with 20 open subscriptions
    maya = await staff(Role.ACCOUNT_MANAGER)
    async with socket(server.ws_url, maya.token) as ws:
        for number in range(20):
            await ws.subscribe(str(number), ADDED)
        assert await ws.nothing_within(0.2)
        # when it asks for one more
        await ws.subscribe("extra", ADDED)
        refused = await ws.receive()
    # then
    assert refused["type"] == "error" and refused["id"] == "extra"
    assert refused["payload"][0]["message"] == "Subscription limit reached"


async def test_an_expired_token_ends_the_subscription(server: Server) -> None:
    # given Maya follows her notifications with a token that expires in a moment
    maya = await staff(Role.ACCOUNT_MANAGER)
    signed_in = await auth.issue_token(
        user=maya.row, contact=None, secret=server.settings.secret(), lifetime=timedelta(seconds=2)
    )
    async with socket(server.ws_url, signed_in.token) as ws:
        await ws.subscribe("n", ADDED)
        # when the token's lifetime passes (nothing else happens)
        ended = await ws.receive(timeout=10.0)
        # then the subscription ends with UNAUTHENTICATED (it stayed open for good)
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "expired" in errors[0]["message"]
