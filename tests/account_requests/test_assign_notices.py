"""Who is told when an account request is assigned, in the inbox and over the socket."""

from __future__ import annotations

import asyncio
from typing import Any

from models.permissions import Role
from tests.account_requests.operations import CREATE
from tests.account_requests.operations import updated as _update
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import Person, make_account, staff
from tests.ids import gid
from tests.ws import socket

NOTIFICATIONS = """
query {
  notifications(first: 20) {
    nodes { kind title body subject { ... on AccountRequest { number } } }
  }
}
"""
MINE = """
query { accountRequests(filter: {assignedToMe: true}) { totalCount nodes { number } } }
"""
ADDED = """
subscription { notificationAdded { kind title subject { ... on AccountRequest { number } } } }
"""


async def _notifications(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql(NOTIFICATIONS, token=person.token))["notifications"][
        "nodes"
    ]
    return nodes


# --- assignment notifications ---------------------------------------------------------


async def test_assigning_notifies_the_new_assignee_and_tells_the_previous_one(
    gql: GraphQLClient,
) -> None:
    # given
    dana = await staff(Role.DISPATCHER, name="Dana")
    tia = await staff(Role.TECHNICIAN, name="Tia")
    theo = await staff(Role.TECHNICIAN, name="Theo")
    row = await make_request(await make_account("Northwind"))
    request = request_gid(row)
    # when Dana assigns Tia
    await _update(gql, dana, request, assigneeId=gid("User", tia.id))
    # then Tia is told, and nobody else
    assert await _notifications(gql, tia) == [
        {
            "kind": "ACCOUNT_REQUEST_ASSIGNED",
            "title": f"Assigned to you: request #{row.id} of Northwind",
            "body": f"Dana assigned request #{row.id} of Northwind to you.",
            "subject": {"number": row.id},
        }
    ]
    assert await _notifications(gql, dana) == []
    # when Dana gives it to Theo
    await _update(gql, dana, request, assigneeId=gid("User", theo.id))
    # then Theo gets it, and Tia hears that it went
    assert [n["kind"] for n in await _notifications(gql, theo)] == ["ACCOUNT_REQUEST_ASSIGNED"]
    tia_heard = await _notifications(gql, tia)
    assert [n["kind"] for n in tia_heard] == [
        "ACCOUNT_REQUEST_ASSIGNED",
        "ACCOUNT_REQUEST_UNASSIGNED",
    ]
    assert tia_heard[1]["body"] == f"Dana gave request #{row.id} of Northwind to Theo."
    # when Dana unassigns it, Theo hears it went to no one
    await _update(gql, dana, request, assigneeId=None)
    theo_heard = await _notifications(gql, theo)
    assert theo_heard[-1]["body"] == f"Dana gave request #{row.id} of Northwind to no one."
    assert await _notifications(gql, dana) == []


async def test_assigning_to_yourself_notifies_nobody(gql: GraphQLClient) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    row = await make_request(await make_account())
    # when Dana takes the request herself
    await _update(gql, dana, request_gid(row), assigneeId=gid("User", dana.id))
    # then
    assert await _notifications(gql, dana) == []
    mine = (await gql(MINE, token=dana.token))["accountRequests"]
    assert mine == {"totalCount": 1, "nodes": [{"number": row.id}]}


async def test_handing_your_own_request_on_tells_only_the_new_assignee(
    gql: GraphQLClient,
) -> None:
    # given Tia works the request
    tia = await staff(Role.TECHNICIAN)
    theo = await staff(Role.TECHNICIAN)
    row = await make_request(await make_account(), assignee=tia.user)
    # when she hands it to Theo
    await _update(gql, tia, request_gid(row), assigneeId=gid("User", theo.id))
    # then she is not told of her own doing
    assert await _notifications(gql, tia) == []
    assert [n["kind"] for n in await _notifications(gql, theo)] == ["ACCOUNT_REQUEST_ASSIGNED"]


async def test_creating_with_an_assignee_notifies_them(gql: GraphQLClient) -> None:
    dana = await staff(Role.DISPATCHER)
    tia = await staff(Role.TECHNICIAN)
    account = await make_account()
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.id),
                "typeId": gid("AccountRequestType", (await make_type()).id),
                "assigneeId": gid("User", tia.id),
            }
        },
        token=dana.token,
    )
    assert created["createAccountRequest"]["userErrors"] == []
    assert [n["kind"] for n in await _notifications(gql, tia)] == ["ACCOUNT_REQUEST_ASSIGNED"]


async def test_the_assignee_hears_over_the_socket_within_a_second_and_sees_it_at_home(
    server: Server, gql: GraphQLClient
) -> None:
    # given Tia follows her notifications
    dana = await staff(Role.DISPATCHER)
    tia = await staff(Role.TECHNICIAN)
    theo = await staff(Role.TECHNICIAN)
    row = await make_request(await make_account())
    await make_request(await make_account(), assignee=theo.user)
    async with socket(server.ws_url, tia.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)  # the subscription is registered with the broker
        # when Dana assigns her the request
        await _update(gql, dana, request_gid(row), assigneeId=gid("User", tia.id))
        message = await ws.receive()
    # then
    assert message["type"] == "next", message
    added = message["payload"]["data"]["notificationAdded"]
    assert added["kind"] == "ACCOUNT_REQUEST_ASSIGNED"
    assert added["subject"] == {"number": row.id}
    mine = (await gql(MINE, token=tia.token))["accountRequests"]
    assert mine == {"totalCount": 1, "nodes": [{"number": row.id}]}
