"""A `docket serve` process killed between the commit of a keyed mutation and its
answer: the answer is kept, and the retry, on another process, gets it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from models.service_requests import ServiceRequest
from tests.client import GraphQLClient
from tests.clients.live import DocketServe
from tests.conftest import Server
from tests.faults import FaultyProxy
from tests.idempotency.keyed import SUBMIT, new_key, portal, replayed, send
from tests.ports import free_port

pytestmark = pytest.mark.services_only


@pytest.fixture
async def doomed(server: Server, tmp_path: Path) -> AsyncIterator[DocketServe]:
    """A second API process on the suite's database and broker, for this test to kill."""
    serve = DocketServe(
        tmp_path,
        free_port(),
        database_url=server.settings.database_url,
        broker_url=server.settings.broker_url,
        spa_ports=(free_port(), free_port()),
    )
    serve.env["SECRET_KEY"] = server.settings.secret()
    await serve.start()
    yield serve
    await serve.stop()


async def test_an_answer_lost_in_a_crash_after_the_commit_is_kept(
    server: Server, gql: GraphQLClient, doomed: DocketServe
) -> None:
    # given a phone whose submission reaches a process that will die before answering
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    async with FaultyProxy.in_front_of(doomed.url, 80) as network:
        network.mute()  # its answer never gets through
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{network.port}") as phone:
            sending = asyncio.create_task(
                send(phone, SUBMIT, variables, token=customer.contact.token, key=key)
            )
            deadline = time.monotonic() + 15
            account_id = customer.site.account_id
            while not await ServiceRequest.filter(account_id=account_id).exists():
                assert time.monotonic() < deadline, "the submission was not committed in 15 s"
                await asyncio.sleep(0.05)

            # when the process is killed once the submission committed
            assert doomed.process is not None
            doomed.process.kill()
            await doomed.process.wait()
            await network.down()
            with pytest.raises(httpx.TransportError):
                await sending

    # then the retry, on another process, gets the kept answer, and nothing ran twice
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as phone:
        retry = await send(phone, SUBMIT, variables, token=customer.contact.token, key=key)
    assert replayed(retry)
    kept = retry.json()["data"]["submitServiceRequest"]
    assert kept["userErrors"] == [] and kept["serviceRequest"]["status"] == "PENDING"
    listed = await gql("{ serviceRequests { nodes { id } } }", token=customer.contact.token)
    assert listed["serviceRequests"]["nodes"] == [{"id": kept["serviceRequest"]["id"]}]
