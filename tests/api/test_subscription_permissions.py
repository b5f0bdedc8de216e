"""Open subscriptions follow their viewer's roles, not only their token."""

from __future__ import annotations

import asyncio
import contextlib

from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.service_requests.operations import QUEUE_CHANGED, submitted
from tests.users.operations import set_roles
from tests.ws import Socket, ending_codes, subscribed


async def _watching(stack: contextlib.AsyncExitStack, server: Server, person: Person) -> Socket:
    ws = await subscribed(stack, server.ws_url, person.token, QUEUE_CHANGED)
    await asyncio.sleep(0.05)
    return ws


async def test_a_reviewer_who_loses_the_role_is_cut_off_at_once(
    server: Server, gql: GraphQLClient
) -> None:
    # given two dispatchers following the review queue (one leads their group)
    account = await make_account()
    site, contact = await make_site(account), await portal_contact(account)
    admin = await staff(Role.ADMIN)
    demoted, kept = await staff(Role.DISPATCHER), await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        leaving = await _watching(stack, server, demoted)
        staying = await _watching(stack, server, kept)
        # when the first becomes a technician (who may not review)
        await set_roles(gql, admin, demoted, Role.TECHNICIAN)
        ended = await leaving.receive()
        # then their subscription ends with FORBIDDEN within two seconds
        assert ending_codes(ended) == ["FORBIDDEN"]
        assert (await leaving.receive()) == {"id": "q", "type": "complete"}
        # and the next request reaches only the one who still reviews
        await submitted(gql, contact, site)
        queue = await staying.receive()
        assert queue["payload"]["data"]["serviceRequestQueueChanged"]["pendingCount"] == 1
        assert await leaving.nothing_within(0.3)


async def test_a_role_change_that_keeps_the_permission_keeps_the_subscription(
    server: Server, gql: GraphQLClient
) -> None:
    # given a dispatcher following the review queue
    account = await make_account()
    site, contact = await make_site(account), await portal_contact(account)
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    async with contextlib.AsyncExitStack() as stack:
        ws = await _watching(stack, server, dispatcher)
        # when they also become a technician
        await set_roles(gql, admin, dispatcher, Role.DISPATCHER, Role.TECHNICIAN)
        await asyncio.sleep(0.2)
        # then they still hear of the next request
        await submitted(gql, contact, site)
        queue = await ws.receive()
        assert queue["payload"]["data"]["serviceRequestQueueChanged"]["pendingCount"] == 1
