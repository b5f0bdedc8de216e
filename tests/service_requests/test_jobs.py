"""jobs, Job, assignJob and cancelJob: reviewers see and manage every job, technicians
see the jobs assigned to them, and cancelling never touches the service request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import service_requests as sr
from models.accounts import Account, Site
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_paths
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid, pk_of
from tests.service_requests.operations import NODE, approved_job, submitted

JOB_FIELDS = """
id status priority slaDueAt scheduledStart scheduledEnd skills parts assetIds
serviceType description cancelReason createdAt
serviceRequest { id status }
account { name } site { name }
assignee { name }
"""
JOBS = f"""
query Jobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {{
  jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {JOB_FIELDS} }}
  }}
}}
"""
JOB = f"query Job($id: ID!) {{ node(id: $id) {{ ... on Job {{ {JOB_FIELDS} }} }} }}"
REQUEST = """
query Request($id: ID!) {
  node(id: $id) { ... on ServiceRequest { status decidedAt job { id status cancelReason } } }
}
"""
ASSIGN = """
mutation Assign($input: AssignJobInput!) {
  assignJob(input: $input) {
    job { id status assignee { name } }
    userErrors { code field message }
  }
}
"""
CANCEL = """
mutation Cancel($input: CancelJobInput!) {
  cancelJob(input: $input) {
    job { id status cancelReason serviceRequest { status } }
    userErrors { code field message }
  }
}
"""


class World:
    """Two customers, a dispatcher, and helpers to make approved jobs."""

    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql

    async def setup(self) -> World:
        self.dispatcher = await staff(Role.DISPATCHER, name="Dana Dispatcher")
        self.alpha = await make_account("Alpha")
        self.beta = await make_account("Beta")
        self.alpha_site = await make_site(self.alpha, "Alpha HQ")
        self.beta_site = await make_site(self.beta, "Beta Yard")
        self.alpha_contact = await portal_contact(self.alpha)
        self.beta_contact = await portal_contact(self.beta)
        return self

    async def job(self, account: Account | None = None, **job: Any) -> tuple[str, str]:
        """(request id, job id) of a freshly approved request."""
        account = account or self.alpha
        site: Site = self.alpha_site if account is self.alpha else self.beta_site
        contact = self.alpha_contact if account is self.alpha else self.beta_contact
        request = await submitted(self.gql, contact, site)
        return request, await approved_job(self.gql, self.dispatcher, request, **job)

    async def assign(self, job_id: str, person: Person | None, as_: Person | None = None) -> Any:
        variables = {
            "input": {"id": job_id, "assigneeId": gid("User", person.id) if person else None}
        }
        data = await self.gql(ASSIGN, variables, token=(as_ or self.dispatcher).token)
        return data["assignJob"]

    async def cancel(self, job_id: str, reason: str, as_: Person | None = None) -> Any:
        variables = {"input": {"id": job_id, "reason": reason}}
        data = await self.gql(CANCEL, variables, token=(as_ or self.dispatcher).token)
        return data["cancelJob"]


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    return await World(gql).setup()


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
