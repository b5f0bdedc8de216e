"""After LIVE_UPDATES_INTERRUPTED, a client resumes from its last cursor and misses nothing:
the changes made while Redis was away were logged with them, only not published.

A `docket serve` talks to Redis through a proxy the test takes down (tests/faults.py).
"""

from __future__ import annotations

import httpx
import pytest

from models.permissions import Role
from tests.accounts.operations import SET_MANAGER, manager_variables
from tests.api.test_broker_faults import WAIT, _until_broker, api, redis_proxy  # noqa: F401
from tests.clients.live import DocketServe
from tests.factories import Person, make_account, staff
from tests.faults import FaultyProxy
from tests.subscriptions_resume.live import ADDED, events
from tests.ws import ending_codes, socket

pytestmark = pytest.mark.services_only

NOTIFICATION = "notificationAdded"


async def _hand_over(serve: DocketServe, admin: Person, names: list[str], to: Person) -> None:
    async with httpx.AsyncClient(base_url=serve.url, timeout=30) as http:
        for name in names:
            account = await make_account(name)
            response = await http.post(
                "/graphql",
                json={"query": SET_MANAGER, "variables": manager_variables(account.id, to)},
                headers={"authorization": f"Bearer {admin.token}"},
            )
            assert response.json()["data"]["setAccountManager"]["userErrors"] == []


async def test_a_subscriber_interrupted_by_a_redis_outage_resumes_without_a_gap(
    api: DocketServe,  # noqa: F811
    redis_proxy: FaultyProxy,  # noqa: F811
) -> None:
    # given Maya follows her notifications and has received one
    await api.start()
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    async with socket(api.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED)
        await _until_broker(api, "ok")
        await _hand_over(api, admin, ["Before"], maya)
        [(_, cursor)] = await events(ws, NOTIFICATION, 1)
        # when Redis goes away: her subscription ends with a code
        await redis_proxy.down()
        assert ending_codes(await ws.receive(WAIT))[0] == "LIVE_UPDATES_INTERRUPTED"
    # and accounts are handed to her meanwhile (committed, published nowhere)
    missed = [f"During {n}" for n in range(5)]
    await _hand_over(api, admin, missed, maya)
    # then once Redis is back, resuming from her last cursor brings each of them, once,
    # and live events follow
    await redis_proxy.restore()
    await _until_broker(api, "ok")
    async with socket(api.ws_url, maya.token) as ws:
        await ws.subscribe("n", ADDED, {"after": cursor})
        replayed = await events(ws, NOTIFICATION, 5)
        await _hand_over(api, admin, ["After"], maya)
        live = await events(ws, NOTIFICATION, 1)
        assert await ws.nothing_within(0.5)
    titles = [data["title"] for data, _ in replayed + live]
    assert titles == [f"You now manage {name}" for name in [*missed, "After"]]
