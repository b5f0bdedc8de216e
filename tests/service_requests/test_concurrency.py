"""Exactly once: many reviewers deciding one request at the same moment.

Every call comes over its own HTTP connection, so on PostgreSQL each runs in its
own transaction on its own database connection; the last test spreads the calls
over three API processes.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from models import outbox
from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import Person, staff
from tests.service_requests.operations import APPROVE, DECLINE
from tests.service_requests.people import Pending, pending_request

CALLS = 20
ME = "{ me { ... on User { id } } }"


async def _reviewers(count: int) -> list[Person]:
    """Dispatchers and admins, alternately."""
    roles = [Role.DISPATCHER, Role.ADMIN]
    return [await staff(roles[n % 2], name=f"Reviewer {n}") for n in range(count)]


def _call(n: int, request: Pending) -> tuple[str, dict[str, Any]]:
    """Even calls approve, odd calls decline."""
    if n % 2 == 0:
        return APPROVE, {"input": {"id": request.id, "job": {"skills": [f"call {n}"]}}}
    return DECLINE, {"input": {"id": request.id, "reason": f"Declined by call {n}"}}


async def _race(urls: list[str], reviewers: list[Person], request: Pending) -> list[dict[str, Any]]:
    """Every reviewer decides at once, each over its own (already open) connection."""
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=urls[n % len(urls)], timeout=60)
            )
            for n in range(len(reviewers))
        ]
        gqls = [GraphQLClient(client) for client in clients]
        # Open every connection first so the decisions leave together.
        await asyncio.gather(
            *(g.raw(ME, token=r.token) for g, r in zip(gqls, reviewers, strict=True))
        )
        return await asyncio.gather(
            *(
                g.raw(*_call(n, request), token=reviewer.token)
                for n, (g, reviewer) in enumerate(zip(gqls, reviewers, strict=True))
            )
        )


async def _assert_decided_exactly_once(
    bodies: list[dict[str, Any]], reviewers: list[Person], request: Pending
) -> None:
    for body in bodies:
        assert "errors" not in body, body["errors"]
    payloads = [next(iter(body["data"].values())) for body in bodies]
    winners = [n for n, payload in enumerate(payloads) if not payload["userErrors"]]
    assert len(winners) == 1, [payload["userErrors"] for payload in payloads]
    [winner] = winners
    for n, payload in enumerate(payloads):
        if n != winner:
            assert [e["code"] for e in payload["userErrors"]] == ["ALREADY_DECIDED"], payload
            assert payload["serviceRequest"] is None

    stored = await sr.ServiceRequest.get(id=request.number)
    assert stored.decided_by_id == reviewers[winner].id
    jobs = await sr.Job.filter(service_request_id=request.number)
    mails = await outbox.OutboxEmail.all()
    assert [mail.to_address for mail in mails] == [request.email]
    if winner % 2 == 0:
        assert stored.status is sr.ServiceRequestStatus.APPROVED
        assert stored.decline_reason is None
        [job] = jobs
        assert job.skills == [f"call {winner}"]
        assert job.created_by_id == reviewers[winner].id
        assert mails[0].template == "service_request_approved"
    else:
        assert stored.status is sr.ServiceRequestStatus.DECLINED
        assert stored.decline_reason == f"Declined by call {winner}"
        assert jobs == []
        assert mails[0].template == "service_request_declined"
    assert await sr.Job.all().count() == len(jobs)


@pytest.mark.parametrize("round_", range(3))
async def test_concurrent_approvals_and_declines_decide_exactly_once(
    server: Server, gql: GraphQLClient, round_: int
) -> None:
    # given one pending request and twenty reviewers
    request = await pending_request(gql, sla_hours=4)
    reviewers = await _reviewers(CALLS)

    # when they all approve (even) or decline (odd) it at the same moment
    bodies = await _race([server.url], reviewers, request)

    # then one decision, one job at most, one e-mail; everyone else ALREADY_DECIDED
    await _assert_decided_exactly_once(bodies, reviewers, request)


async def test_concurrent_approvals_only_create_one_job(server: Server, gql: GraphQLClient) -> None:
    # given
    request = await pending_request(gql)
    reviewers = await _reviewers(CALLS)

    # when every call approves
    async with AsyncExitStack() as stack:
        gqls = [
            GraphQLClient(
                await stack.enter_async_context(httpx.AsyncClient(base_url=server.url, timeout=60))
            )
            for _ in reviewers
        ]
        await asyncio.gather(
            *(g.raw(ME, token=r.token) for g, r in zip(gqls, reviewers, strict=True))
        )
        bodies = await asyncio.gather(
            *(
                g.raw(APPROVE, {"input": {"id": request.id}}, token=r.token)
                for g, r in zip(gqls, reviewers, strict=True)
            )
        )

    # then
    payloads = [body["data"]["approveServiceRequest"] for body in bodies]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [()] + [
        ("ALREADY_DECIDED",)
    ] * (CALLS - 1)
    assert await sr.Job.all().count() == 1
    assert await outbox.OutboxEmail.all().count() == 1


@pytest.mark.services_only
async def test_decisions_spread_over_several_api_processes_decide_exactly_once(
    server: Server, gql: GraphQLClient, api_processes: list[str]
) -> None:
    # given
    request = await pending_request(gql, sla_hours=4)
    reviewers = await _reviewers(CALLS)

    # when the calls reach three different API processes
    bodies = await _race([server.url, *api_processes], reviewers, request)

    # then
    await _assert_decided_exactly_once(bodies, reviewers, request)


async def test_a_job_that_exists_already_answers_already_decided_not_duplicate(
    gql: GraphQLClient,
) -> None:
    # given: a job holds the request already (the unique constraint is the last guard)
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    await sr.Job.create(
        service_request_id=request.number,
        account_id=request.account.id,
        site_id=request.site.id,
        service_type=sr.ServiceType.REPAIR,
        description="Created elsewhere",
        priority=sr.JobPriority.MEDIUM,
    )

    # when
    body = await gql.raw(APPROVE, {"input": {"id": request.id}}, token=dispatcher.token)

    # then: the refusal rolled the decision back and wrote no e-mail
    payload = body["data"]["approveServiceRequest"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("ALREADY_DECIDED", ["input", "id"])
    ]
    stored = await sr.ServiceRequest.get(id=request.number)
    assert (stored.status, stored.decided_by_id) == (sr.ServiceRequestStatus.PENDING, None)
    assert await sr.Job.all().count() == 1
    assert await outbox.OutboxEmail.all().count() == 0
