"""Cancelling a job."""

from __future__ import annotations

import pytest

from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient, error_paths
from tests.factories import staff
from tests.ids import pk_of
from tests.service_requests.operations import (
    JOBS,
    REQUEST,
)
from tests.service_requests.people import World

# --- cancelJob ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ADMIN])
async def test_cancelling_a_job_never_changes_its_service_request(
    gql: GraphQLClient, world: World, role: Role
) -> None:
    # given an assigned job
    reviewer = await staff(role)
    _, job = await world.job()
    request, job = await world.job()
    await world.assign(job, await staff(Role.TECHNICIAN))
    before = await gql(REQUEST, {"id": request}, token=reviewer.token)
    # when
    payload = await world.cancel(job, "  Customer fixed it themselves  ", as_=reviewer)
    # then
    assert payload["userErrors"] == []
    assert payload["job"] == {
        "id": job,
        "status": "CANCELLED",
        "cancelReason": "Customer fixed it themselves",
        "serviceRequest": {"status": "APPROVED"},
    }
    after = await gql(REQUEST, {"id": request}, token=reviewer.token)
    assert after["node"]["status"] == "APPROVED"
    assert after["node"]["decidedAt"] == before["node"]["decidedAt"]
    assert after["node"]["job"]["status"] == "CANCELLED"
    portal = await gql(REQUEST, {"id": request}, token=world.alpha_contact.token)
    assert portal["node"]["status"] == "APPROVED"
    # the queue is untouched
    queue = await gql("{ serviceRequestQueue { pendingCount } }", token=reviewer.token)
    assert queue == {"serviceRequestQueue": {"pendingCount": 0}}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("", ("REQUIRED", "input.reason")),
        ("  ", ("REQUIRED", "input.reason")),
        ("x" * 2_001, ("TOO_LONG", "input.reason")),
    ],
    ids=["empty", "blank", "too-long"],
)
async def test_a_cancel_reason_is_required(
    world: World, reason: str, expected: tuple[str, str]
) -> None:
    # given
    _, job = await world.job()
    # when
    payload = await world.cancel(job, reason)
    # then
    assert error_paths(payload) == [expected]
    assert (await sr.Job.get(id=pk_of(job))).status is sr.JobStatus.READY_FOR_ASSIGNMENT


async def test_a_cancelled_job_cannot_be_cancelled_again_or_assigned(world: World) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, job = await world.job()
    await world.cancel(job, "Duplicate")
    # when
    again = await world.cancel(job, "Still a duplicate")
    assigned = await world.assign(job, tess)
    unassigned = await world.assign(job, None)
    # then
    assert error_paths(again) == [("INVALID", "input.id")]
    assert error_paths(assigned) == [("INVALID", "input.id")]
    assert error_paths(unassigned) == [("INVALID", "input.id")]
    row = await sr.Job.get(id=pk_of(job))
    assert row.status is sr.JobStatus.CANCELLED
    assert row.cancel_reason == "Duplicate"
    assert row.assignee_id is None


async def test_a_cancelled_job_stays_visible_to_its_technician(
    gql: GraphQLClient, world: World
) -> None:
    # given
    tess = await staff(Role.TECHNICIAN)
    _, job = await world.job()
    await world.assign(job, tess)
    # when
    await world.cancel(job, "Customer cancelled")
    # then Tess sees it is off
    data = await gql(JOBS, {"first": 10}, token=tess.token)
    [node] = data["jobs"]["nodes"]
    assert (node["id"], node["status"], node["cancelReason"]) == (
        job,
        "CANCELLED",
        "Customer cancelled",
    )
