"""Internal requests: staff mark a request internal; the portal never learns it exists."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.account_requests import AccountRequest
from models.linked_items import Appointment, RequestAppointment
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient, error_codes, error_pairs
from tests.conftest import Server
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid
from tests.ws import socket

CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id internal note timeline { nodes { kind internal } } }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { id internal timeline(first: 1) { nodes { kind before after internal } } }
    userErrors { code field message }
  }
}
"""
PORTAL = """
query Portal($id: ID!, $ids: [ID!]!, $account: ID!) {
  accountRequests(first: 50) { totalCount nodes { id note } }
  accountRequestCounts { total byStatus { status count } }
  node(id: $id) { id }
  nodes(ids: $ids) { id }
  account: node(id: $account) { ... on Account { accountRequests { nodes { id } } } }
}
"""
INTERNAL_ONLY = """
query { accountRequests(first: 50, filter: {internal: true}) { totalCount nodes { id } } }
"""
ITEM_REQUESTS = """
query Item($id: ID!) { node(id: $id) { ... on Appointment { accountRequests { id } } } }
"""
TIMELINE = """
query($id: ID!) { node(id: $id) { ... on AccountRequest { timeline { nodes { kind } } } } }
"""
FOLLOW = """
subscription Follow($id: ID!) { accountRequestUpdated(id: $id) { number note internal } }
"""


async def _portal_view(gql: GraphQLClient, contact: Person, request: AccountRequest) -> Any:
    variables = {
        "id": request_gid(request),
        "ids": [request_gid(request)],
        "account": gid("Account", contact.contact.account_id),
    }
    return await gql(PORTAL, variables, token=contact.token)


async def _update(gql: GraphQLClient, person: Person, request: str, **changes: Any) -> Any:
    data = await gql(UPDATE, {"input": {"id": request, **changes}}, token=person.token)
    return data["updateAccountRequest"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.ACCOUNT_MANAGER])
async def test_staff_create_an_internal_request_the_portal_never_sees(
    gql: GraphQLClient, role: Role
) -> None:
    # given a customer with a portal contact, and staff who may raise its requests
    person = await staff(role)
    manager = person.user if role is Role.ACCOUNT_MANAGER else None
    account = await make_account(manager=manager)
    contact = await portal_contact(account)
    kind = await make_type()
    # when staff raise an internal request with a note for colleagues only
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.id),
                "typeId": gid("AccountRequestType", kind.id),
                "note": "Customer is late paying: check before quoting",
                "internal": True,
            }
        },
        token=person.token,
    )
    # then the request is internal (its creation entry is not a staff-only kind: the
    # whole request is out of the portal's sight, entries and all)
    payload = created["createAccountRequest"]
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["internal"] is True
    assert payload["accountRequest"]["timeline"]["nodes"] == [
        {"kind": "CREATED", "internal": False}
    ]
    # and the portal contact finds it nowhere: lists, counts, node, nodes, its account
    [created_row] = await AccountRequest.filter(account_id=account.id)
    seen = await _portal_view(gql, contact, created_row)
    assert seen["accountRequests"] == {"totalCount": 0, "nodes": []}
    assert seen["accountRequestCounts"]["total"] == 0
    assert seen["node"] is None
    assert seen["nodes"] == [None]
    assert seen["account"] == {"accountRequests": {"nodes": []}}


async def test_a_request_left_unmarked_is_not_internal_and_the_portal_sees_it(
    gql: GraphQLClient,
) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await portal_contact(account)
    # when
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.id),
                "typeId": gid("AccountRequestType", (await make_type()).id),
                "note": "Your bins are booked",
            }
        },
        token=dana.token,
    )
    # then
    assert created["createAccountRequest"]["accountRequest"]["internal"] is False
    [row] = await AccountRequest.filter(account_id=account.id)
    seen = await _portal_view(gql, contact, row)
    assert seen["accountRequests"]["nodes"] == [
        {"id": request_gid(row), "note": "Your bins are booked"}
    ]
    assert seen["node"] == {"id": request_gid(row)}


async def test_a_portal_contact_may_not_mark_its_request_internal(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    web = await make_type("Web", portal=True)
    base = {"typeId": gid("AccountRequestType", web.id), "note": "help"}
    # when it asks for an internal request, and for one that is not
    refused = await gql(CREATE, {"input": {**base, "internal": True}}, token=contact.token)
    accepted = await gql(CREATE, {"input": {**base, "internal": False}}, token=contact.token)
    # then the first is refused and nothing written, the second is an ordinary request
    assert error_pairs(refused["createAccountRequest"]) == [("FORBIDDEN", ["input", "internal"])]
    assert refused["createAccountRequest"]["accountRequest"] is None
    assert accepted["createAccountRequest"]["userErrors"] == []
    assert accepted["createAccountRequest"]["accountRequest"]["internal"] is False
    assert await AccountRequest.filter(account_id=account.id).count() == 1


async def test_marking_internal_hides_it_from_the_portal_and_sharing_shows_it_again(
    gql: GraphQLClient,
) -> None:
    # given a request the portal contact sees
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await portal_contact(account)
    row = await make_request(account, note="Replace the lid")
    assert (await _portal_view(gql, contact, row))["accountRequestCounts"]["total"] == 1
    # when the dispatcher marks it internal
    marked = await _update(gql, dana, request_gid(row), internal=True)
    # then it is internal, the change a staff-only entry, and the portal loses it
    assert marked["userErrors"] == []
    assert marked["accountRequest"]["internal"] is True
    assert marked["accountRequest"]["timeline"]["nodes"] == [
        {"kind": "INTERNAL_CHANGED", "before": "false", "after": "true", "internal": True}
    ]
    hidden = await _portal_view(gql, contact, row)
    assert hidden["accountRequests"]["totalCount"] == 0
    assert hidden["node"] is None
    staff_list = await gql(INTERNAL_ONLY, token=dana.token)
    assert staff_list["accountRequests"]["nodes"] == [{"id": request_gid(row)}]
    # when it is shared again
    shared = await _update(gql, dana, request_gid(row), internal=False)
    # then the portal sees it, without the staff-only entries
    assert shared["accountRequest"]["internal"] is False
    seen = await _portal_view(gql, contact, row)
    assert seen["node"] == {"id": request_gid(row)}
    timeline = await gql(TIMELINE, {"id": request_gid(row)}, token=contact.token)
    assert timeline["node"]["timeline"]["nodes"] == []


async def test_the_portal_does_not_see_internal_requests_through_linked_items(
    gql: GraphQLClient,
) -> None:
    # given an appointment linked to an internal request and to an ordinary one
    account = await make_account()
    contact = await portal_contact(account)
    secret = await make_request(account, note="secret")
    await AccountRequest.filter(id=secret.id).update(internal=True)
    shared = await make_request(account, note="shared")
    start = datetime.now(UTC) + timedelta(days=1)
    visit = await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    for request in (secret, shared):
        await RequestAppointment.create(request_id=request.id, appointment_id=visit.id)
    dana = await staff(Role.DISPATCHER)
    # when
    variables = {"id": gid("Appointment", visit.id)}
    portal = await gql(ITEM_REQUESTS, variables, token=contact.token)
    office = await gql(ITEM_REQUESTS, variables, token=dana.token)
    # then
    assert portal["node"]["accountRequests"] == [{"id": request_gid(shared)}]
    assert len(office["node"]["accountRequests"]) == 2


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_who_may_not_edit_the_request_may_not_mark_it_internal(
    gql: GraphQLClient, role: Role
) -> None:
    # given a request not assigned to them
    person = await staff(role)
    row = await make_request(await make_account())
    # when
    variables = {"input": {"id": request_gid(row), "internal": True}}
    answer = await gql.raw(UPDATE, variables, person.token)
    # then refused (as a userError where the role edits what is assigned to it), and the
    # request stays shared
    payload = (answer.get("data") or {}).get("updateAccountRequest")
    if payload is not None:
        assert [error["code"] for error in payload["userErrors"]] == ["FORBIDDEN"]
    else:
        assert error_codes(answer) == ["FORBIDDEN"]
    assert (await AccountRequest.get(id=row.id)).internal is False


async def test_the_assignee_may_mark_their_request_internal(gql: GraphQLClient) -> None:
    # given
    tia = await staff(Role.TECHNICIAN)
    row = await make_request(await make_account(), assignee=tia.user)
    # when
    marked = await _update(gql, tia, request_gid(row), internal=True)
    # then
    assert marked["userErrors"] == []
    assert marked["accountRequest"]["internal"] is True


async def test_a_portal_contact_cannot_follow_an_internal_request(
    server: Server, gql: GraphQLClient
) -> None:
    # given an internal request of the contact's account
    account = await make_account()
    contact = await portal_contact(account)
    row = await make_request(account)
    await AccountRequest.filter(id=row.id).update(internal=True)
    async with socket(server.ws_url, contact.token) as ws:
        # when it subscribes
        await ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        answer = await ws.receive()
        # then it is told what a request that does not exist answers
        assert answer["payload"]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert answer["payload"]["errors"][0]["message"] == "No account request with this ID."


async def test_a_request_marked_internal_stops_reaching_the_portal_follower(
    server: Server, gql: GraphQLClient
) -> None:
    # given a contact following its request
    dana = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await portal_contact(account)
    row = await make_request(account)
    async with socket(server.ws_url, contact.token) as ws:
        await ws.subscribe("r", FOLLOW, {"id": request_gid(row)})
        await asyncio.sleep(0.2)
        await _update(gql, dana, request_gid(row), note="Booked for Monday")
        assert (await ws.next_data("accountRequestUpdated"))["note"] == ("Booked for Monday")
        # when staff mark it internal and write an internal note
        await _update(gql, dana, request_gid(row), internal=True)
        await _update(gql, dana, request_gid(row), note="Customer owes us; hold")
        # then the contact receives nothing more
        assert await ws.nothing_within(0.5)
