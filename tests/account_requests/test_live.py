"""The life of a request as people follow it: timeline, assignment notifications, live updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from models.account_requests import AccountRequest, AccountRequestEvent, EventKind
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import Person, make_account, make_contact, portal_contact, staff
from tests.ids import gid
from tests.ws import socket

CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { id }
    userErrors { code field message }
  }
}
"""
TIMELINE = """
query Timeline($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on AccountRequest {
      timeline(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          cursor
          node { id kind before after createdAt actor { name } actorContact { name } }
        }
      }
    }
  }
}
"""
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
FOLLOW = """
subscription Follow($id: ID!) {
  accountRequestUpdated(id: $id) {
    number status note assignee { name } timeline { totalCount nodes { kind } }
  }
}
"""


async def _update(gql: GraphQLClient, person: Person, request_gid: str, **changes: Any) -> None:
    data = await gql(UPDATE, {"input": {"id": request_gid, **changes}}, token=person.token)
    assert data["updateAccountRequest"]["userErrors"] == []


async def _timeline(
    gql: GraphQLClient, person: Person, request_gid: str, **paging: Any
) -> dict[str, Any]:
    data = await gql(TIMELINE, {"id": request_gid, **paging}, token=person.token)
    timeline: dict[str, Any] = data["node"]["timeline"]
    return timeline


async def _notifications(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql(NOTIFICATIONS, token=person.token))["notifications"][
        "nodes"
    ]
    return nodes


# --- timeline -------------------------------------------------------------------------


async def test_every_change_is_an_event_with_actor_time_before_and_after(
    gql: GraphQLClient,
) -> None:
    # given a request created by a dispatcher for Tia
    dana = await staff(Role.DISPATCHER, name="Dana")
    tia = await staff(Role.TECHNICIAN, name="Tia")
    theo = await staff(Role.TECHNICIAN, name="Theo")
    old = await make_account("Old Co")
    new = await make_account("New Co")
    carol = await make_contact(old, name="Carol")
    billing = await make_type("Billing")
    repairs = await make_type("Repairs")
    started = datetime.now(UTC) - timedelta(seconds=1)
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", old.id),
                "typeId": gid("AccountRequestType", billing.id),
                "assigneeId": gid("User", tia.id),
                "note": "first words",
            }
        },
        token=dana.token,
    )
    assert created["createAccountRequest"]["userErrors"] == []
    request = created["createAccountRequest"]["accountRequest"]["id"]
    # when each field changes, by different people
    await _update(gql, tia, request, status="IN_PROGRESS")
    await _update(gql, dana, request, note="second words")
    await _update(gql, dana, request, contactId=gid("Contact", carol.id))
    await _update(gql, dana, request, typeId=gid("AccountRequestType", repairs.id))
    await _update(gql, dana, request, assigneeId=gid("User", theo.id))
    await _update(gql, dana, request, accountId=gid("Account", new.id), contactId=None)
    # then the timeline tells it all, newest first
    timeline = await _timeline(gql, dana, request, first=20)
    events = [edge["node"] for edge in timeline["edges"]]
    assert [(e["kind"], e["actor"], e["before"], e["after"]) for e in events] == [
        ("CONTACT_CHANGED", {"name": "Dana"}, gid("Contact", carol.id), None),
        ("ACCOUNT_CHANGED", {"name": "Dana"}, gid("Account", old.id), gid("Account", new.id)),
        ("ASSIGNED", {"name": "Dana"}, gid("User", tia.id), gid("User", theo.id)),
        (
            "TYPE_CHANGED",
            {"name": "Dana"},
            gid("AccountRequestType", billing.id),
            gid("AccountRequestType", repairs.id),
        ),
        ("CONTACT_CHANGED", {"name": "Dana"}, None, gid("Contact", carol.id)),
        ("NOTE_CHANGED", {"name": "Dana"}, "first words", "second words"),
        ("STATUS_CHANGED", {"name": "Tia"}, "OPEN", "IN_PROGRESS"),
        ("ASSIGNED", {"name": "Dana"}, None, gid("User", tia.id)),
        ("CREATED", {"name": "Dana"}, None, "OPEN"),
    ]
    assert timeline["totalCount"] == 9
    times = [datetime.fromisoformat(e["createdAt"]) for e in events]
    assert all(t.utcoffset() is not None for t in times)
    assert all(started <= t <= datetime.now(UTC) for t in times)
    assert times == sorted(times, reverse=True)
    assert all(e["actorContact"] is None for e in events)
    # and the IDs in before/after are real global IDs
    looked_up = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { name } ... on Account { name } } }",
        {"ids": [events[1]["after"], events[2]["after"]]},
        token=dana.token,
    )
    assert looked_up["nodes"] == [{"name": "New Co"}, {"name": "Theo"}]


async def test_a_portal_request_names_the_contact_as_actor(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    web = await make_type("Web", portal=True)
    # when the contact raises a request in the portal
    created = await gql(
        CREATE,
        {"input": {"typeId": gid("AccountRequestType", web.id), "note": "help"}},
        token=contact.token,
    )
    assert created["createAccountRequest"]["userErrors"] == []
    request = created["createAccountRequest"]["accountRequest"]["id"]
    # then
    [event] = [edge["node"] for edge in (await _timeline(gql, contact, request))["edges"]]
    assert event["kind"] == "CREATED"
    assert event["actor"] is None
    assert event["actorContact"] == {"name": contact.row.name}


async def test_the_timeline_pages_newest_first_both_ways(gql: GraphQLClient) -> None:
    # given seven events
    dana = await staff(Role.DISPATCHER)
    row = await make_request(await make_account())
    request = request_gid(row)
    for number in range(7):
        await _update(gql, dana, request, note=f"note {number}")
    # when paging forward by three
    seen: list[str] = []
    after = None
    while True:
        page = await _timeline(gql, dana, request, first=3, after=after)
        seen += [edge["node"]["after"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert seen == [f"note {n}" for n in reversed(range(7))]
    # when paging backward by three from the end
    back: list[str] = []
    before = None
    while True:
        page = await _timeline(gql, dana, request, last=3, before=before)
        back = [edge["node"]["after"] for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == seen


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
