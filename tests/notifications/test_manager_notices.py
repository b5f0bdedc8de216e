"""Account managers are told of new requests and service requests on their accounts
and sub-accounts ("You will be told about its requests from now on"): in the app, on
the live feed, and by e-mail; each notice opens what it is about."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from models.accounts import Contact
from models.notifications import Notification
from models.outbox import OutboxEmail
from models.permissions import Role
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_type
from tests.client import GraphQLClient, assert_forbidden
from tests.conftest import Server
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import APPROVE, NODE, submitted
from tests.ws import socket

INBOX = """
query Inbox {
  notifications(first: 50) {
    nodes {
      kind title body
      subject {
        __typename
        ... on AccountRequest { id note account { name } }
        ... on ServiceRequest { id description account { name } }
      }
    }
  }
}
"""
ADDED = """
subscription {
  notificationAdded { kind title subject { __typename ... on AccountRequest { id } } }
}
"""

_serial = itertools.count(1)


async def _inbox(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    data = await gql(INBOX, token=person.token)
    nodes: list[dict[str, Any]] = data["notifications"]["nodes"]
    return nodes


async def _raise(gql: GraphQLClient, person: Person, account_id: int, **fields: Any) -> str:
    """Create a request of a fresh type on the account; its global ID."""
    portal = isinstance(person.row, Contact)
    request_type = await make_type(f"Billing question {next(_serial)}", portal=portal)
    values = {"typeId": gid("AccountRequestType", request_type.id), **fields}
    if not portal:
        values["accountId"] = gid("Account", account_id)
    payload = await create_request(gql, person.token, note="Invoice 1043 looks wrong", **values)
    assert payload["userErrors"] == [], payload
    request_id: str = payload["accountRequest"]["id"]
    return request_id


async def _mail_to(person: Person) -> list[OutboxEmail]:
    return list(await OutboxEmail.filter(to_address=person.user.email).order_by("id"))


async def test_a_customer_raising_a_request_tells_the_manager_in_app_and_by_mail(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Northwind, whose contact uses the portal
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    account = await make_account("Northwind", manager=maya.user)
    contact = await portal_contact(account)

    # when the contact raises a request
    request_id = await _raise(gql, contact, account.id)

    # then Maya finds it in her inbox, and it opens the request
    [notice] = await _inbox(gql, maya)
    assert notice["kind"] == "ACCOUNT_REQUEST_RAISED"
    assert notice["title"].startswith("New request #")
    assert "Billing question" in notice["title"]
    assert "Northwind" in notice["title"]
    assert "Invoice 1043 looks wrong" in notice["body"]
    assert notice["subject"] == {
        "__typename": "AccountRequest",
        "id": request_id,
        "note": "Invoice 1043 looks wrong",
        "account": {"name": "Northwind"},
    }
    # and by e-mail, as the kind's default says
    [mail] = await _mail_to(maya)
    assert mail.subject == notice["title"]
    assert mail.template == "notification"
    assert "Invoice 1043 looks wrong" in mail.text_body
    assert mail.text_body.startswith("Hello Maya Manager,")


async def test_a_request_on_a_sub_account_tells_the_manager_of_the_parent(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Northwind; its depot is a sub-account two levels down
    maya = await staff(Role.ACCOUNT_MANAGER)
    parent = await make_account("Northwind", manager=maya.user)
    region = await make_account("Northwind East", parent=parent)
    depot = await make_account("Northwind East Depot", parent=region)
    dispatcher = await staff(Role.DISPATCHER)

    # when a dispatcher raises a request on the depot
    request_id = await _raise(gql, dispatcher, depot.id)

    # then Maya is told, and the notice opens the request
    [notice] = await _inbox(gql, maya)
    assert notice["kind"] == "ACCOUNT_REQUEST_RAISED"
    assert notice["subject"]["id"] == request_id
    assert notice["subject"]["account"] == {"name": "Northwind East Depot"}


async def test_the_managers_of_the_sub_account_and_of_its_parent_are_both_told(
    gql: GraphQLClient,
) -> None:
    # given Maya manages the parent, Mo the sub-account
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)
    parent = await make_account(manager=maya.user)
    child = await make_account(parent=parent, manager=mo.user)
    contact = await portal_contact(child)

    # when
    await _raise(gql, contact, child.id)

    # then
    assert [n["kind"] for n in await _inbox(gql, maya)] == ["ACCOUNT_REQUEST_RAISED"]
    assert [n["kind"] for n in await _inbox(gql, mo)] == ["ACCOUNT_REQUEST_RAISED"]


async def test_a_manager_hears_nothing_of_accounts_they_do_not_manage(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Northwind; Mo manages Fabrikam, Contoso has no manager
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)
    await make_account("Northwind", manager=maya.user)
    fabrikam = await make_account("Fabrikam", manager=mo.user)
    contoso = await make_account("Contoso")
    dispatcher = await staff(Role.DISPATCHER)

    # when requests are raised on the other accounts, and a service request submitted
    await _raise(gql, dispatcher, fabrikam.id)
    await _raise(gql, dispatcher, contoso.id)
    await submitted(gql, await portal_contact(fabrikam), await make_site(fabrikam))

    # then Maya hears nothing; only Mo does
    assert await _inbox(gql, maya) == []
    assert await _mail_to(maya) == []
    assert [n["kind"] for n in await _inbox(gql, mo)] == [
        "ACCOUNT_REQUEST_RAISED",
        "SERVICE_REQUEST_SUBMITTED",
    ]


async def test_a_manager_is_not_told_of_the_request_they_raised_themselves(
    gql: GraphQLClient,
) -> None:
    # given
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)

    # when Maya raises a request on her own account
    await _raise(gql, maya, account.id)

    # then
    assert await _inbox(gql, maya) == []
    assert await _mail_to(maya) == []


async def test_a_manager_the_request_is_assigned_to_is_told_once(gql: GraphQLClient) -> None:
    # given Maya manages the account and is the assignee a dispatcher picks
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    dispatcher = await staff(Role.DISPATCHER)

    # when
    await _raise(gql, dispatcher, account.id, assigneeId=gid("User", maya.id))

    # then "Assigned to you" says it all
    assert [n["kind"] for n in await _inbox(gql, maya)] == ["ACCOUNT_REQUEST_ASSIGNED"]


async def test_an_inactive_manager_is_not_told(gql: GraphQLClient) -> None:
    # given Maya manages the account but was deactivated
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    maya.user.is_active = False
    await maya.user.save()

    # when
    await _raise(gql, await staff(Role.DISPATCHER), account.id)

    # then
    assert await Notification.filter(user_id=maya.id).count() == 0
    assert await _mail_to(maya) == []


async def test_a_service_request_tells_the_manager_and_still_the_reviewers(
    gql: GraphQLClient,
) -> None:
    # given Maya manages the parent of the account whose contact submits
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    dispatcher = await staff(Role.DISPATCHER)
    parent = await make_account("Northwind", manager=maya.user)
    account = await make_account("Northwind West", parent=parent)
    site = await make_site(account, "West Depot")

    # when its contact submits a service request
    request_id = await submitted(gql, await portal_contact(account), site)

    # then Maya is told, and the notice opens the service request (read only)
    [notice] = await _inbox(gql, maya)
    assert notice["kind"] == "SERVICE_REQUEST_SUBMITTED"
    assert "Northwind West" in notice["title"]
    assert notice["subject"]["__typename"] == "ServiceRequest"
    assert notice["subject"]["id"] == request_id
    assert notice["subject"]["account"] == {"name": "Northwind West"}
    # the reviewers are told as before
    assert [n["kind"] for n in await _inbox(gql, dispatcher)] == ["SERVICE_REQUEST_SUBMITTED"]
    # by default this kind is not mailed (reviewers get one per submission)
    assert await _mail_to(maya) == []
    assert await _mail_to(dispatcher) == []


async def test_a_manager_opens_the_service_requests_of_own_accounts_only_and_never_decides(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Northwind, Mo Fabrikam; a request was submitted on Northwind
    maya = await staff(Role.ACCOUNT_MANAGER)
    mo = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=maya.user)
    await make_account(manager=mo.user)
    request_id = await submitted(gql, await portal_contact(account), await make_site(account))

    # when
    mine = await gql(NODE, {"id": request_id}, token=maya.token)
    theirs = await gql(NODE, {"id": request_id}, token=mo.token)
    approval = await gql.raw(APPROVE, {"input": {"id": request_id}}, token=maya.token)

    # then Maya opens it, Mo does not; deciding stays with the reviewers
    assert mine["node"] == {"id": request_id}
    assert theirs["node"] is None
    assert_forbidden(approval)


async def test_a_reviewer_who_manages_the_account_is_told_once(gql: GraphQLClient) -> None:
    # given an admin who also manages the account
    boss = await staff(Role.ADMIN, Role.ACCOUNT_MANAGER)
    account = await make_account(manager=boss.user)

    # when
    await submitted(gql, await portal_contact(account), await make_site(account))

    # then
    assert [n["kind"] for n in await _inbox(gql, boss)] == ["SERVICE_REQUEST_SUBMITTED"]


async def test_the_live_feed_delivers_the_notice_to_the_manager(
    server: Server, gql: GraphQLClient
) -> None:
    # given Maya follows her notifications
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account("Northwind", manager=maya.user)
    contact = await portal_contact(account)
    async with socket(server.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)  # the subscription is registered with the broker
        # when the customer raises a request
        request_id = await _raise(gql, contact, account.id)
        message = await ws.receive()
    # then
    assert message["type"] == "next"
    added = message["payload"]["data"]["notificationAdded"]
    assert added["kind"] == "ACCOUNT_REQUEST_RAISED"
    assert added["subject"] == {"__typename": "AccountRequest", "id": request_id}
