"""Redis down or hung, for real: a `docket serve` process talks to Redis through a
proxy the test takes down or hangs (tests/faults.py).

What clients see: the API starts and answers whatever Redis does; mutations are
never held up by it; open subscriptions end with LIVE_UPDATES_INTERRUPTED (and
new ones are refused with it) until Redis is back; persisted queries ask for
their text; /readyz says "degraded" and names the broker.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from models.permissions import Role
from tests.accounts.operations import SET_MANAGER, manager_variables
from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.factories import Person, make_account, staff
from tests.faults import FaultyProxy
from tests.ports import free_port
from tests.ws import ending_codes
from tests.ws import socket as graphql_socket

pytestmark = pytest.mark.services_only

ADDED = "subscription { notificationAdded { title } }"
PUBLISH = b"PUBLISH"
WAIT = 15.0  # seconds the watchdog (a ping a second, 0.5 s each) is given to notice


@pytest.fixture
async def redis_proxy() -> AsyncIterator[FaultyProxy]:
    async with FaultyProxy.in_front_of(os.environ["TEST_REDIS_URL"], 6379) as proxy:
        yield proxy


@pytest.fixture
async def api(
    server: Server, redis_proxy: FaultyProxy, tmp_path: Path
) -> AsyncIterator[DocketServe]:
    """A `docket serve` whose Redis is behind the proxy (on the test's database)."""
    database = urlsplit(server.settings.broker_url).path or "/0"
    serve = DocketServe(
        tmp_path,
        free_port(),
        database_url=server.settings.database_url,
        broker_url=f"redis://127.0.0.1:{redis_proxy.port}{database}",
        spa_ports=(free_port(), free_port()),
    )
    serve.env["SECRET_KEY"] = server.settings.secret()  # the factories' tokens work
    yield serve
    await serve.stop()


async def _ready(api: DocketServe) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api.url, timeout=5) as http:
        body: dict[str, Any] = (await http.get("/readyz")).json()
        return body


async def _until_broker(api: DocketServe, state: str) -> dict[str, Any]:
    """/readyz once its broker shows `state`; fails after WAIT seconds."""
    for _ in range(int(WAIT * 10)):
        ready = await _ready(api)
        if ready["broker"] == state:
            return ready
        await asyncio.sleep(0.1)
    raise AssertionError(f"the broker never became {state!r}: {ready}")


async def _manage(api: DocketServe, admin: Person, manager: Person) -> dict[str, Any]:
    """A mutation that notifies `manager` (who is told in the app)."""
    account = await make_account()
    variables = manager_variables(account.id, manager)
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        response = await http.post(
            "/graphql",
            json={"query": SET_MANAGER, "variables": variables},
            headers={"authorization": f"Bearer {admin.token}"},
        )
    body: dict[str, Any] = response.json()
    return body


async def test_the_api_starts_while_redis_is_down_and_picks_it_up(
    api: DocketServe, redis_proxy: FaultyProxy
) -> None:
    # given Redis is down
    await redis_proxy.down()
    # when the API starts (it refused to before)
    await api.start()
    # then it answers, and says what is missing
    assert await _ready(api) == {
        "status": "degraded",
        "database": "ok",
        "broker": "unavailable",
        "storage": "ok",
    }
    manager = await staff(Role.ACCOUNT_MANAGER)
    async with graphql_socket(api.ws_url, manager.token) as ws:
        await ws.subscribe("n", ADDED)
        assert ending_codes(await ws.receive(WAIT))[0] == "LIVE_UPDATES_INTERRUPTED"

    # when Redis comes back
    await redis_proxy.restore()
    # then live updates work again
    assert (await _until_broker(api, "ok"))["status"] == "ok"
    admin = await staff(Role.ADMIN)
    async with graphql_socket(api.ws_url, manager.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        managed = await _manage(api, admin, manager)
        assert managed.get("data") == {"setAccountManager": {"userErrors": []}}, managed
        event = await ws.receive(WAIT)
        assert event["type"] == "next" and event["payload"].get("data"), api.log()


@pytest.mark.parametrize("fault", ["down", "hang"])
async def test_open_subscriptions_end_with_a_code_when_redis_is_lost(
    api: DocketServe, redis_proxy: FaultyProxy, fault: str
) -> None:
    # given a subscriber while Redis answers
    await api.start()
    manager = await staff(Role.ACCOUNT_MANAGER)
    async with graphql_socket(api.ws_url, manager.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.2)
        # when Redis goes down or hangs
        if fault == "down":
            await redis_proxy.down()
        else:
            redis_proxy.hang()
        # then the subscription ends with a code (it went silent), and a new one is
        # refused with the same code while Redis is away
        assert ending_codes(await ws.receive(WAIT))[0] == "LIVE_UPDATES_INTERRUPTED"
        assert await ws.receive(WAIT) == {"id": "n", "type": "complete"}
        await ws.subscribe("again", ADDED)
        assert ending_codes(await ws.receive(WAIT))[0] == "LIVE_UPDATES_INTERRUPTED"
    assert (await _ready(api))["status"] == "degraded"


async def test_a_hung_redis_holds_up_no_mutation(
    api: DocketServe, redis_proxy: FaultyProxy
) -> None:
    # given Redis hangs, and the API has noticed
    await api.start()
    admin = await staff(Role.ADMIN)
    manager = await staff(Role.ACCOUNT_MANAGER)
    redis_proxy.hang()
    await _until_broker(api, "unavailable")
    published_before = redis_proxy.sent.count(PUBLISH)
    # when mutations that notify someone are made
    answers = [await _manage(api, admin, manager) for _ in range(5)]
    # then they are answered, and none waited on Redis: nothing was even sent to it
    assert all(answer["data"]["setAccountManager"]["userErrors"] == [] for answer in answers)
    assert redis_proxy.sent.count(PUBLISH) == published_before


PERSISTED = "query Me { me { __typename } }"


async def test_persisted_queries_ask_for_their_text_while_redis_is_down(
    api: DocketServe, redis_proxy: FaultyProxy
) -> None:
    # given Redis is down under a running API
    await api.start()
    admin = await staff(Role.ADMIN)
    await redis_proxy.down()
    await _until_broker(api, "unavailable")
    digest = hashlib.sha256(PERSISTED.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    headers = {"authorization": f"Bearer {admin.token}"}
    async with httpx.AsyncClient(base_url=api.url, timeout=10) as http:
        # when Apollo sends the hash alone (this was an HTTP 500)
        by_hash = await http.post("/graphql", json={"extensions": extensions}, headers=headers)
        # and then, as Apollo does on a miss, the hash with its text
        with_text = await http.post(
            "/graphql", json={"query": PERSISTED, "extensions": extensions}, headers=headers
        )
    # then the first asks for the text and the second answers
    assert by_hash.status_code == 200
    assert by_hash.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert with_text.json() == {"data": {"me": {"__typename": "User"}}}
