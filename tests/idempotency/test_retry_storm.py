"""A retry storm on one key across two `docket serve` processes on PostgreSQL: the
mutation runs once, and every caller gets the same answer."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx
import pytest

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.idempotency.keyed import SUBMIT, new_key, portal, replayed, send

pytestmark = pytest.mark.services_only

CALLS = 30
NOTIFICATIONS = "{ notifications { totalCount } }"


async def test_a_retry_storm_across_two_processes_runs_the_mutation_once(
    gql: GraphQLClient, api_processes: list[str]
) -> None:
    # given a portal contact's phone with thirty connections, over two API processes,
    # and a dispatcher told of each submission
    dispatcher = await staff(Role.DISPATCHER)
    customer = await portal()
    key = new_key()
    variables = customer.submit_input()
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=api_processes[n % 2], timeout=60)
            )
            for n in range(CALLS)
        ]
        await asyncio.gather(*(c.get("/healthz") for c in clients))  # open them first

        # when every connection sends the submission with the same key at once
        answers = await asyncio.gather(
            *(send(c, SUBMIT, variables, token=customer.contact.token, key=key) for c in clients)
        )

    # then every answer is the same, byte for byte; one ran and the others replayed it
    assert {a.status_code for a in answers} == {200}
    assert {a.content for a in answers} == {answers[0].content}
    assert sorted(replayed(a) for a in answers) == [False] + [True] * (CALLS - 1)
    assert answers[0].json()["data"]["submitServiceRequest"]["userErrors"] == []
    # and there is one request, and one notification of it
    assert await customer.count(gql) == 1
    told = await gql(NOTIFICATIONS, token=dispatcher.token)
    assert told["notifications"]["totalCount"] == 1
