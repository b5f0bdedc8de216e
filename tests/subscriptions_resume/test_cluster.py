"""Resuming across two `docket serve` processes on one PostgreSQL and one Redis.

Runs with `--backends=services` only (the embedded defaults are one process).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.permissions import Role
from tests.accounts.operations import SET_MANAGER, manager_variables
from tests.factories import Person, make_account, staff
from tests.subscriptions_resume.live import ADDED, events
from tests.ws import socket

pytestmark = pytest.mark.services_only

NOTIFICATION = "notificationAdded"


async def _hand_over(url: str, admin: Person, accounts: list[int], to: Person) -> None:
    """One ACCOUNT_ASSIGNED notification for `to` per account, each through `url`."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for account_id in accounts:
            response = await client.post(
                "/graphql",
                json={"query": SET_MANAGER, "variables": manager_variables(account_id, to)},
                headers={"authorization": f"Bearer {admin.token}"},
            )
            assert response.json()["data"]["setAccountManager"]["userErrors"] == []


def _ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/graphql"


async def test_events_made_on_one_process_while_away_are_resumed_on_the_other(
    api_processes: list[str],
) -> None:
    # given Maya followed her notifications on process A and left after the first
    first, second = api_processes
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = [(await make_account(f"Tailspin {n:03}")).id for n in range(61)]
    expected = [f"You now manage Tailspin {n:03}" for n in range(61)]
    async with socket(_ws(first), maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.3)
        await _hand_over(first, admin, accounts[:1], maya)
        [(data, cursor)] = await events(ws, NOTIFICATION, 1)
    # when 40 accounts are handed to her through process A while she is away, and
    # 20 more through both processes as she resumes on process B
    await _hand_over(first, admin, accounts[1:41], maya)
    async with socket(_ws(second), maya.token) as ws:
        firing = asyncio.gather(
            _hand_over(first, admin, accounts[41:51], maya),
            _hand_over(second, admin, accounts[51:], maya),
        )
        try:
            await ws.subscribe("n", ADDED, {"after": cursor})
            rest = await events(ws, NOTIFICATION, 60)
        finally:
            await firing
        # then she has every one once, and nothing more comes
        assert await ws.nothing_within(0.5)
    titles = [data["title"], *(received["title"] for received, _ in rest)]
    assert sorted(titles) == expected
    assert len(titles) == len(set(titles)) == 61
    # the 40 made while she was away, in the order they were made
    assert titles[:41] == expected[:41]
    # and the two processes' concurrent events each in the order of their process
    later = titles[41:]
    assert [t for t in later if t in expected[41:51]] == expected[41:51]
    assert [t for t in later if t in expected[51:]] == expected[51:]
