"""Who reads which jobs, and the job list's fields, filters, order and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import staff
from tests.ids import gid
from tests.service_requests.operations import (
    JOB_FIELDS,
    JOBS,
    NODE,
    REQUEST,
)
from tests.service_requests.people import World

JOB = f"query Job($id: ID!) {{ node(id: $id) {{ ... on Job {{ {JOB_FIELDS} }} }} }}"


async def _job_ids(gql: GraphQLClient, token: str, **variables: Any) -> list[str]:
    data = await gql(JOBS, {"first": 100} | variables, token=token)
    return [node["id"] for node in data["jobs"]["nodes"]]


# --- who sees jobs --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_reviewers_see_every_job(gql: GraphQLClient, world: World, role: Role) -> None:
    # given
    reviewer = await staff(role)
    _, first = await world.job(world.alpha)
    _, second = await world.job(world.beta)
    # when / then newest first
    assert await _job_ids(gql, reviewer.token) == [second, first]


async def test_a_technician_sees_only_the_jobs_assigned_to_them(
    gql: GraphQLClient, world: World
) -> None:
    # given
    tess = await staff(Role.TECHNICIAN, name="Tess")
    tom = await staff(Role.TECHNICIAN, name="Tom")
    _, hers = await world.job()
    _, his = await world.job()
    _, nobodys = await world.job()
    assert await _job_ids(gql, tess.token) == []
    # when
    assert (await world.assign(hers, tess))["userErrors"] == []
    assert (await world.assign(his, tom))["userErrors"] == []
    # then
    assert await _job_ids(gql, tess.token) == [hers]
    assert await _job_ids(gql, tom.token) == [his]
    assert (await gql(NODE, {"id": his}, token=tess.token)) == {"node": None}
    assert (await gql(NODE, {"id": nobodys}, token=tess.token)) == {"node": None}
    assert (await gql(NODE, {"id": hers}, token=tess.token)) == {"node": {"id": hers}}
    # and when the job moves to Tom, Tess no longer sees it
    await world.assign(hers, tom)
    assert await _job_ids(gql, tess.token) == []
    assert await _job_ids(gql, tom.token) == [his, hers]  # newest first


async def test_a_technician_sees_the_job_but_not_the_review_data_behind_it(
    gql: GraphQLClient, world: World
) -> None:
    # given
    tess = await staff(Role.TECHNICIAN, name="Tess")
    _, job = await world.job(skills=["ladders"])
    await world.assign(job, tess)
    # when
    data = await gql(JOB, {"id": job}, token=tess.token)
    # then the job, its customer and site; service requests stay reviewer-only
    node = data["node"]
    assert node["skills"] == ["ladders"]
    assert node["account"] == {"name": "Alpha"}
    assert node["site"] == {"name": "Alpha HQ"}
    assert node["assignee"] == {"name": "Tess"}
    assert node["serviceRequest"] is None


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING, Role.ACCOUNT_MANAGER])
async def test_other_staff_are_refused_jobs(gql: GraphQLClient, world: World, role: Role) -> None:
    # given
    _, job = await world.job()
    person = await staff(role)
    # when / then
    assert_forbidden(await gql.raw(JOBS, {"first": 10}, token=person.token))
    assert await gql(NODE, {"id": job}, token=person.token) == {"node": None}


async def test_portal_contacts_and_anonymous_are_refused_jobs(
    gql: GraphQLClient, world: World
) -> None:
    # given
    request, job = await world.job(world.alpha)
    # when / then
    assert_forbidden(await gql.raw(JOBS, {"first": 10}, token=world.alpha_contact.token))
    assert_unauthenticated(await gql.raw(JOBS, {"first": 10}))
    # not through node(id:) either, nor through the request it came from
    assert await gql(NODE, {"id": job}, token=world.alpha_contact.token) == {"node": None}
    seen = await gql(REQUEST, {"id": request}, token=world.alpha_contact.token)
    assert seen["node"]["status"] == "APPROVED"
    assert seen["node"]["job"] is None


# --- the Job ----------------------------------------------------------------------------------


async def test_a_job_shows_everything_the_dispatcher_set(gql: GraphQLClient, world: World) -> None:
    # given
    start = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
    due = datetime(2030, 5, 2, 17, 0, tzinfo=UTC)
    request, job = await world.job(
        world.beta,
        scheduledStart=start.isoformat(),
        scheduledEnd=(start + timedelta(hours=3)).isoformat(),
        priority="EMERGENCY",
        slaDueAt=due.isoformat(),
        skills=["welding", "welding", "forklift"],
        parts=["hinge"],
        assetIds=["GATE-7"],
        description="Replace the gate hinge",
    )
    # when
    data = await gql(JOB, {"id": job}, token=world.dispatcher.token)
    # then
    node = data["node"]
    assert node["status"] == "READY_FOR_ASSIGNMENT"
    assert node["priority"] == "EMERGENCY"
    assert datetime.fromisoformat(node["scheduledStart"]) == start
    assert datetime.fromisoformat(node["scheduledEnd"]) == start + timedelta(hours=3)
    assert datetime.fromisoformat(node["slaDueAt"]) == due
    assert node["skills"] == ["welding", "forklift"]
    assert node["parts"] == ["hinge"]
    assert node["assetIds"] == ["GATE-7"]
    assert node["serviceType"] == "REPAIR"
    assert node["description"] == "Replace the gate hinge"
    assert node["serviceRequest"] == {"id": request, "status": "APPROVED"}
    assert node["account"] == {"name": "Beta"}
    assert node["site"] == {"name": "Beta Yard"}
    assert node["assignee"] is None
    assert node["cancelReason"] is None
    request_data = await gql(REQUEST, {"id": request}, token=world.dispatcher.token)
    assert request_data["node"]["job"]["id"] == job


# --- filters and order ------------------------------------------------------------------------


async def test_each_job_filter_narrows_the_list(gql: GraphQLClient, world: World) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, low = await world.job(world.alpha, priority="LOW")
    _, high = await world.job(world.beta, priority="HIGH")
    _, medium = await world.job(world.beta)
    await world.assign(high, tess)
    await world.cancel(medium, "Customer fixed it")
    token = world.dispatcher.token

    async def ids(**spec: Any) -> set[str]:
        return set(await _job_ids(gql, token, filter=spec))

    # when / then
    assert await ids(statuses=["READY_FOR_ASSIGNMENT"]) == {low}
    assert await ids(statuses=["ASSIGNED", "CANCELLED"]) == {high, medium}
    assert await ids(priorities=["LOW", "HIGH"]) == {low, high}
    assert await ids(priorities=["MEDIUM"]) == {medium}
    assert await ids(accountIds=[gid("Account", world.beta.id)]) == {high, medium}
    assert await ids(assigneeIds=[gid("User", tess.id)]) == {high}
    assert await ids(assigneeIds=[gid("Account", tess.id)]) == set()
    assert await ids(accountIds=[gid("Account", world.alpha.id)], priorities=["HIGH"]) == set()


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT"])
async def test_jobs_order_and_page(
    gql: GraphQLClient, world: World, field: str, direction: str
) -> None:
    # given three jobs, the oldest touched last
    jobs = [(await world.job())[1] for _ in range(3)]
    await world.assign(jobs[0], await staff(Role.TECHNICIAN))
    by_created = jobs if direction == "ASC" else list(reversed(jobs))
    by_updated = [jobs[1], jobs[2], jobs[0]]
    expected = (
        by_created
        if field == "CREATED_AT"
        else (by_updated if direction == "ASC" else list(reversed(by_updated)))
    )
    # when paging two at a time
    order = {"field": field, "direction": direction}
    first = (await gql(JOBS, {"first": 2, "orderBy": order}, world.dispatcher.token))["jobs"]
    rest = await gql(
        JOBS,
        {"first": 2, "orderBy": order, "after": first["pageInfo"]["endCursor"]},
        world.dispatcher.token,
    )
    # then
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    seen = [n["id"] for n in first["nodes"]] + [n["id"] for n in rest["jobs"]["nodes"]]
    assert seen == expected
    assert rest["jobs"]["pageInfo"]["hasNextPage"] is False
