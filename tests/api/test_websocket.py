"""graphql-transport-ws: authenticated in connection_init, legacy protocol off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from models.permissions import Role
from tests.conftest import Server
from tests.factories import staff

ME = "query { me { __typename ... on User { name } } }"


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await socket.recv(decode=True))
    return message


async def test_signed_in_socket_runs_operations(server: Server) -> None:
    # given
    user = await staff(Role.DISPATCHER, name="Wes Socket")
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        # when
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}
            )
        )
        ack = await _receive(socket)
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME}}))
        result = await _receive(socket)
        done = await _receive(socket)
    # then
    assert ack["type"] == "connection_ack"
    assert result == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"me": {"__typename": "User", "name": "Wes Socket"}}},
    }
    assert done == {"id": "1", "type": "complete"}


@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer not-a-token"}])
async def test_socket_without_valid_token_is_closed(
    server: Server, payload: dict[str, str]
) -> None:
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        # when
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        # then
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_socket_that_never_initialises_is_closed_after_10_seconds(server: Server) -> None:
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()  # nothing sent: the server gives up after 10 s
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def test_legacy_graphql_ws_protocol_is_off_by_default(server: Server) -> None:
    try:
        async with connect(server.ws_url, subprotocols=["graphql-ws"]) as socket:
            # Accepted without a protocol: the server then closes it as unacceptable.
            with pytest.raises(ConnectionClosed) as closed:
                await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406
    except InvalidStatus as refused:
        assert refused.response.status_code in (400, 403)


LOGOUT = "mutation { logout { ok } }"


async def test_logout_ends_the_sockets_access_at_once(server: Server) -> None:
    # given a signed-in socket
    user = await staff(Role.DISPATCHER)
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}
            )
        )
        await _receive(socket)
        # when the token is revoked (logout over the same socket)
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LOGOUT}})
        )
        assert (await _receive(socket))["payload"] == {"data": {"logout": {"ok": True}}}
        await _receive(socket)  # complete
        await socket.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": ME}}))
        after = await _receive(socket)
    # then the next operation is refused
    assert after["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
