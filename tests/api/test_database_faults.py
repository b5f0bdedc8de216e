"""PostgreSQL down under a running API, for real (through tests/faults.py's proxy):
clients get a coded 503 they can retry, never an HTTP 500 or a dropped connection;
the API recovers by itself when the database is back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from models.permissions import Role
from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.factories import staff
from tests.faults import FaultyProxy
from tests.ports import free_port

pytestmark = pytest.mark.services_only

LIST = "{ accounts { totalCount } }"
CREATE = 'mutation { createAccount(input: {name: "Acme"}) { userErrors { code } } }'


@pytest.fixture
async def database_proxy(server: Server) -> AsyncIterator[FaultyProxy]:
    async with FaultyProxy.in_front_of(server.settings.database_url, 5432) as proxy:
        yield proxy


@pytest.fixture
async def api(
    server: Server, database_proxy: FaultyProxy, tmp_path: Path
) -> AsyncIterator[DocketServe]:
    url = urlsplit(server.settings.database_url)
    through_proxy = url._replace(netloc=f"{url.username}@127.0.0.1:{database_proxy.port}")
    serve = DocketServe(
        tmp_path,
        free_port(),
        database_url=through_proxy.geturl(),
        broker_url=server.settings.broker_url,
        spa_ports=(free_port(), free_port()),
    )
    serve.env["SECRET_KEY"] = server.settings.secret()
    await serve.start()
    yield serve
    await serve.stop()


async def test_a_database_outage_is_a_coded_503_and_passes(
    api: DocketServe, database_proxy: FaultyProxy
) -> None:
    # given an admin signed in to a running API
    admin = await staff(Role.ADMIN)
    headers = {"authorization": f"Bearer {admin.token}"}
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        assert (
            await http.post("/graphql", json={"query": LIST}, headers=headers)
        ).status_code == 200
        # when the database goes away
        await database_proxy.down()
        answers = [
            await http.post("/graphql", json={"query": query}, headers=headers)
            for query in (LIST, CREATE, LIST)
        ]
        anonymous = await http.post("/graphql", json={"query": "{ __typename }"})
        ready = await http.get("/readyz")
        # then every request is refused with a code and a time to retry (the first was
        # an HTTP 500, and the connection was dropped), and what needs no database works
        for answer in answers:
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            [error] = answer.json()["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert anonymous.json() == {"data": {"__typename": "Query"}}
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"

        # when it is back, the API is too, with nothing to restart
        await database_proxy.restore()
        back = await http.post("/graphql", json={"query": LIST}, headers=headers)
        assert back.status_code == 200 and "errors" not in back.json(), back.text
    assert api.log().count('"level":"ERROR"') <= 2, api.log()
