"""Two `docket serve` processes on one PostgreSQL and one Redis, as in production.

Runs with `--backends=services` only (the embedded defaults are one process).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.permissions import Role
from tests.accounts.operations import SET_MANAGER, manager_variables
from tests.factories import make_account, staff
from tests.ws import socket

pytestmark = pytest.mark.services_only

ADDED = "subscription { notificationAdded { kind title } }"


async def test_a_change_on_one_process_reaches_a_subscriber_of_the_other(
    api_processes: list[str],
) -> None:
    # given Maya subscribes on the second process
    first, second = api_processes
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account("Tailspin")
    ws_url = second.replace("http://", "ws://") + "/graphql"
    async with socket(ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.3)
        # when the admin's mutation is handled by the first process
        async with httpx.AsyncClient(base_url=first) as client:
            response = await client.post(
                "/graphql",
                json={
                    "query": SET_MANAGER,
                    "variables": manager_variables(account.id, maya),
                },
                headers={"authorization": f"Bearer {admin.token}"},
            )
        assert response.json()["data"]["setAccountManager"]["userErrors"] == []
        message = await ws.receive()
    # then
    assert message["payload"]["data"]["notificationAdded"] == {
        "kind": "ACCOUNT_ASSIGNED",
        "title": "You now manage Tailspin",
    }


async def test_logout_on_one_process_ends_the_subscription_on_the_other(
    api_processes: list[str],
) -> None:
    # given
    first, second = api_processes
    maya = await staff(Role.ACCOUNT_MANAGER)
    ws_url = second.replace("http://", "ws://") + "/graphql"
    async with socket(ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.3)
        # when
        async with httpx.AsyncClient(base_url=first) as client:
            await client.post(
                "/graphql",
                json={"query": "mutation { logout { ok } }"},
                headers={"authorization": f"Bearer {maya.token}"},
            )
        ended = await ws.receive()
    # then
    errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
