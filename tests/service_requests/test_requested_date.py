"""The customer's preferred date stays on the job beside the booked slot.

Approving without choosing a time used to drop the preferred date: the job kept no
trace of it. The job keeps it as `requestedDate` (a date without time), booked or not.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.ids import gid
from tests.service_requests.people import REVIEWERS, pending_request

IN_A_WEEK = date.today() + timedelta(days=7)

APPROVE = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    job { id requestedDate scheduledStart scheduledEnd }
    userErrors { code field }
  }
}
"""
JOB = """
query Job($id: ID!) {
  node(id: $id) { ... on Job { requestedDate scheduledStart serviceRequest { preferredDate } } }
}
"""
JOBS = "{ jobs(first: 10) { nodes { id requestedDate } } }"


async def _approved(
    gql: GraphQLClient, token: str, request_id: str, job: dict[str, Any] | None = None
) -> dict[str, Any]:
    variables: dict[str, Any] = {"input": {"id": request_id}}
    if job is not None:
        variables["input"]["job"] = job
    payload = (await gql(APPROVE, variables, token=token))["approveServiceRequest"]
    assert payload["userErrors"] == [], payload
    created: dict[str, Any] = payload["job"]
    return created


@pytest.mark.parametrize("role", REVIEWERS)
async def test_approving_without_a_time_keeps_the_preferred_date(
    gql: GraphQLClient, role: Role
) -> None:
    # given a request for a preferred date
    reviewer = await staff(role)
    request = await pending_request(gql, preferredDate=IN_A_WEEK.isoformat())
    # when it is approved without choosing a time
    job = await _approved(gql, reviewer.token, request.id)
    # then the job keeps the date, and has no booked slot
    assert job["requestedDate"] == IN_A_WEEK.isoformat()
    assert (job["scheduledStart"], job["scheduledEnd"]) == (None, None)
    # and keeps it when read again, beside the request's own
    data = await gql(JOB, {"id": job["id"]}, token=reviewer.token)
    assert data["node"] == {
        "requestedDate": IN_A_WEEK.isoformat(),
        "scheduledStart": None,
        "serviceRequest": {"preferredDate": IN_A_WEEK.isoformat()},
    }


async def test_a_booked_slot_on_another_day_keeps_the_requested_date_beside_it(
    gql: GraphQLClient,
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, preferredDate=IN_A_WEEK.isoformat())
    start = f"{(IN_A_WEEK + timedelta(days=2)).isoformat()}T08:00:00+00:00"
    end = f"{(IN_A_WEEK + timedelta(days=2)).isoformat()}T10:00:00+00:00"
    job = await _approved(
        gql, dispatcher.token, request.id, {"scheduledStart": start, "scheduledEnd": end}
    )
    assert job["requestedDate"] == IN_A_WEEK.isoformat()
    assert job["scheduledStart"] is not None


async def test_a_request_without_a_preferred_date_gives_a_job_without_one(
    gql: GraphQLClient,
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    job = await _approved(gql, dispatcher.token, request.id)
    assert job["requestedDate"] is None


async def test_the_job_list_and_the_assigned_technician_show_the_requested_date(
    gql: GraphQLClient,
) -> None:
    # given a job assigned to a technician
    dispatcher = await staff(Role.DISPATCHER)
    technician = await staff(Role.TECHNICIAN)
    request = await pending_request(gql, preferredDate=IN_A_WEEK.isoformat())
    job = await _approved(gql, dispatcher.token, request.id)
    assign = """
    mutation($input: AssignJobInput!) { assignJob(input: $input) { userErrors { code } } }
    """
    variables = {"input": {"id": job["id"], "assigneeId": gid("User", technician.id)}}
    assert (await gql(assign, variables, dispatcher.token))["assignJob"]["userErrors"] == []
    # when the dispatcher lists jobs and the technician lists theirs
    listed = await gql(JOBS, token=dispatcher.token)
    theirs = await gql(JOBS, token=technician.token)
    # then both read the requested date; another technician sees no job
    expected = [{"id": job["id"], "requestedDate": IN_A_WEEK.isoformat()}]
    assert listed["jobs"]["nodes"] == expected
    assert theirs["jobs"]["nodes"] == expected
    other = await staff(Role.TECHNICIAN)
    assert (await gql(JOBS, token=other.token))["jobs"]["nodes"] == []


async def test_the_portal_contact_never_opens_the_job(gql: GraphQLClient) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, preferredDate=IN_A_WEEK.isoformat())
    job = await _approved(gql, dispatcher.token, request.id)
    data = await gql(JOB, {"id": job["id"]}, token=request.contact.token)
    assert data["node"] is None
