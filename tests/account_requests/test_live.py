"""Following an account request live, and who may."""

from __future__ import annotations

import asyncio

from models.account_requests import AccountRequest, AccountRequestEvent, EventKind
from models.permissions import Role
from tests.account_requests.operations import updated as _update
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid
from tests.ws import socket

FOLLOW = """
subscription Follow($id: ID!) {
  accountRequestUpdated(id: $id) {
    number status note assignee { name } timeline { totalCount nodes { kind } }
  }
}
"""


# --- accountRequestUpdated ------------------------------------------------------------


async def test_a_follower_receives_the_request_after_each_change(
    server: Server, gql: GraphQLClient
) -> None:
    # given a dispatcher follows a request
    dana = await staff(Role.DISPATCHER)
    tia = await staff(Role.TECHNICIAN, name="Tia")
    row = await make_request(await make_account())
    async with socket(server.ws_url, dana.token) as ws:
        await ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        await asyncio.sleep(0.2)
        # when it changes twice
        await _update(gql, dana, request_gid(row), status="IN_PROGRESS")
        first = await ws.next_data("accountRequestUpdated")
        await _update(gql, dana, request_gid(row), assigneeId=gid("User", tia.id), note="go")
        second = await ws.next_data("accountRequestUpdated")
        # and an update that changes nothing publishes nothing
        await _update(gql, dana, request_gid(row), note="go")
        quiet = await ws.nothing_within(0.3)
    # then every message shows the request as it is now, nested fields included
    assert first == {
        "number": row.id,
        "status": "IN_PROGRESS",
        "note": "",
        "assignee": None,
        "timeline": {"totalCount": 1, "nodes": [{"kind": "STATUS_CHANGED"}]},
    }
    assert second["assignee"] == {"name": "Tia"}
    assert second["note"] == "go"
    assert second["timeline"]["totalCount"] == 3
    assert quiet


async def test_people_who_may_see_the_request_follow_it(server: Server, gql: GraphQLClient) -> None:
    # given the account's manager and its portal contact follow a request
    dana = await staff(Role.DISPATCHER)
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    contact = await portal_contact(account)
    row = await make_request(account)
    async with (
        socket(server.ws_url, maya.token) as maya_ws,
        socket(server.ws_url, contact.token) as contact_ws,
    ):
        await maya_ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        await contact_ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        await asyncio.sleep(0.2)
        # when a dispatcher completes it
        await _update(gql, dana, request_gid(row), status="COMPLETED")
        # then both see it
        maya_sees = await maya_ws.next_data("accountRequestUpdated")
        assert maya_sees["status"] == "COMPLETED"
        contact_sees = await contact_ws.next_data("accountRequestUpdated")
        assert contact_sees["status"] == "COMPLETED"


async def test_someone_who_cannot_see_the_request_cannot_follow_it(
    server: Server, gql: GraphQLClient
) -> None:
    # given a request of Northwind, and people of other accounts
    row = await make_request(await make_account("Northwind"))
    stranger = await portal_contact(await make_account())
    manager = await staff(Role.ACCOUNT_MANAGER)
    await make_account(manager=manager.user)
    for person in (stranger, manager):
        async with socket(server.ws_url, person.token) as ws:
            # when they subscribe to it, and to a request that does not exist
            answers = []
            for operation, target in (("r", request_gid(row)), ("x", gid("AccountRequest", 999))):
                await ws.subscribe(operation, FOLLOW, {"id": target})
                answers.append(await ws.receive())
                assert await ws.receive() == {"id": operation, "type": "complete"}
        # then both answers are the same error
        refused, missing = answers
        assert refused["type"] == missing["type"] == "next"
        assert refused["payload"] == missing["payload"]
        assert refused["payload"] == {
            "data": None,
            "errors": [
                {
                    "message": "No account request with this ID.",
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ],
        }


async def test_a_follower_does_not_receive_other_requests_updates(
    server: Server, gql: GraphQLClient
) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    followed = await make_request(account)
    other = await make_request(account)
    async with socket(server.ws_url, dana.token) as ws:
        await ws.subscribe("r", FOLLOW, {"id": request_gid(followed)})
        await asyncio.sleep(0.2)
        # when another request changes
        await _update(gql, dana, request_gid(other), status="IN_PROGRESS", note="other")
        # then nothing arrives, until the followed one changes
        assert await ws.nothing_within(0.5)
        await _update(gql, dana, request_gid(followed), note="mine")
        assert (await ws.next_data("accountRequestUpdated"))["number"] == followed.id


async def test_a_request_moved_out_of_sight_stops_reaching_the_follower(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya follows a request of her account
    dana = await staff(Role.DISPATCHER)
    maya = await staff(Role.ACCOUNT_MANAGER)
    row: AccountRequest = await make_request(await make_account(manager=maya.user))
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        await asyncio.sleep(0.2)
        # when a dispatcher moves it to an account she does not manage, then changes it
        await _update(
            gql, dana, request_gid(row), accountId=gid("Account", (await make_account()).id)
        )
        await _update(gql, dana, request_gid(row), note="secret")
        # then she receives nothing about it
        assert await ws.nothing_within(0.5)


async def test_timeline_events_are_nodes_only_for_those_who_see_the_request(
    gql: GraphQLClient,
) -> None:
    # given an event of a request of one account, and a portal contact of another
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account("Home"))
    event = await AccountRequestEvent.create(
        request_id=request.id, kind=EventKind.CREATED, actor_user_id=dispatcher.id, after="OPEN"
    )
    outsider = await portal_contact(await make_account("Elsewhere"))
    query = "query($id: ID!) { node(id: $id) { ... on AccountRequestEvent { kind } } }"
    variables = {"id": gid("AccountRequestEvent", event.id)}
    # when
    seen = await gql(query, variables, token=dispatcher.token)
    hidden = await gql(query, variables, token=outsider.token)
    # then
    assert seen["node"] == {"kind": "CREATED"}
    assert hidden["node"] is None
