"""Assigning a job, and who may assign or cancel one."""

from __future__ import annotations

import pytest

from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_paths
from tests.factories import staff
from tests.ids import gid, pk_of
from tests.service_requests.operations import (
    ASSIGN,
    CANCEL,
)
from tests.service_requests.people import World

# --- assignJob --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.DISPATCHER, Role.ADMIN])
async def test_a_job_is_assigned_to_someone_who_does_the_work(world: World, role: Role) -> None:
    # given
    worker = await staff(role, name="Wes Worker")
    _, job = await world.job()
    # when
    payload = await world.assign(job, worker)
    # then
    assert payload["userErrors"] == []
    assert payload["job"] == {"id": job, "status": "ASSIGNED", "assignee": {"name": "Wes Worker"}}


INBOX = "{ notifications { nodes { kind title subject { ... on Job { id } } } } }"


async def test_the_technician_is_told_of_the_job_and_the_dispatcher_of_nothing(
    world: World,
) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, job = await world.job()
    # when the dispatcher assigns the job, then assigns the same person again
    await world.assign(job, tess)
    await world.assign(job, tess)
    # then Tess has one notification about that job; the dispatcher none of her own doing
    notes = (await world.gql(INBOX, token=tess.token))["notifications"]["nodes"]
    assert [(n["kind"], n["subject"]) for n in notes] == [("JOB_ASSIGNED", {"id": job})]
    assert "Alpha HQ" in notes[0]["title"] or "Beta Yard" in notes[0]["title"]
    mine = (await world.gql(INBOX, token=world.dispatcher.token))["notifications"]["nodes"]
    assert [n["kind"] for n in mine if n["kind"] == "JOB_ASSIGNED"] == []


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING, Role.ACCOUNT_MANAGER])
async def test_a_job_cannot_go_to_someone_who_never_sees_jobs(world: World, role: Role) -> None:
    # given
    person = await staff(role)
    _, job = await world.job()
    # when
    payload = await world.assign(job, person)
    # then
    assert payload["job"] is None
    assert error_paths(payload) == [("ASSIGNEE_NOT_ELIGIBLE", "input.assigneeId")]
    assert (await sr.Job.get(id=pk_of(job))).assignee_id is None


async def test_unknown_and_inactive_assignees_are_refused(world: World) -> None:
    # given
    gone = await staff(Role.TECHNICIAN)
    gone.row.is_active = False
    await gone.row.save()
    _, job = await world.job()
    # when
    inactive = await world.assign(job, gone)
    unknown = await world.gql(
        ASSIGN,
        {"input": {"id": job, "assigneeId": gid("User", gone.id + 1000)}},
        token=world.dispatcher.token,
    )
    # then
    assert error_paths(inactive) == [("USER_INACTIVE", "input.assigneeId")]
    assert error_paths(unknown["assignJob"]) == [("NOT_FOUND", "input.assigneeId")]


async def test_unassigning_makes_the_job_ready_again(world: World) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, job = await world.job()
    await world.assign(job, tess)
    # when
    payload = await world.assign(job, None)
    # then
    assert payload["job"] == {"id": job, "status": "READY_FOR_ASSIGNMENT", "assignee": None}


async def test_an_unknown_job_cannot_be_assigned_or_cancelled(world: World) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    request, job = await world.job()
    made_up = gid("Job", pk_of(job) + 1000)
    # when / then
    assert error_paths(await world.assign(made_up, tess)) == [("NOT_FOUND", "input.id")]
    assert error_paths(await world.cancel(made_up, "x")) == [("NOT_FOUND", "input.id")]
    # a service request's ID is not a job's
    assert error_paths(await world.cancel(request, "x")) == [("NOT_FOUND", "input.id")]


async def test_technicians_cannot_assign_or_cancel_even_their_own_job(
    gql: GraphQLClient, world: World
) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, job = await world.job()
    await world.assign(job, tess)
    # when / then
    variables = {"input": {"id": job, "assigneeId": gid("User", tess.id)}}
    assert_forbidden(await gql.raw(ASSIGN, variables, token=tess.token))
    assert_forbidden(
        await gql.raw(CANCEL, {"input": {"id": job, "reason": "busy"}}, token=tess.token)
    )
    assert (await sr.Job.get(id=pk_of(job))).status is sr.JobStatus.ASSIGNED


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING, Role.ACCOUNT_MANAGER])
async def test_other_staff_cannot_assign_or_cancel(
    gql: GraphQLClient, world: World, role: Role
) -> None:
    # given
    person = await staff(role)
    _, job = await world.job()
    # when / then
    variables = {"input": {"id": job, "assigneeId": gid("User", person.id)}}
    assert_forbidden(await gql.raw(ASSIGN, variables, token=person.token))
    assert_forbidden(
        await gql.raw(CANCEL, {"input": {"id": job, "reason": "x"}}, token=person.token)
    )


async def test_portal_contacts_and_anonymous_cannot_assign_or_cancel(
    gql: GraphQLClient, world: World
) -> None:
    # given
    _, job = await world.job()
    cancel = {"input": {"id": job, "reason": "Not needed any more"}}
    assign = {"input": {"id": job, "assigneeId": None}}
    # when / then
    assert_forbidden(await gql.raw(CANCEL, cancel, token=world.alpha_contact.token))
    assert_forbidden(await gql.raw(ASSIGN, assign, token=world.alpha_contact.token))
    assert_unauthenticated(await gql.raw(CANCEL, cancel))
    assert_unauthenticated(await gql.raw(ASSIGN, assign))
    assert (await sr.Job.get(id=pk_of(job))).status is sr.JobStatus.READY_FOR_ASSIGNMENT
