"""Which rule set a job's SLA: given, the customer's default, the company's opt-in, or none.

The service-request page: leave the SLA due blank and the job inherits the customer's
default SLA hours; without one, the job has no SLA deadline. A company-wide default
applies only once an admin turns it on (off by default, and off in the demo).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from models.clock import now
from models.demo import seed_demo
from models.directory.users import User
from models.permissions import Role
from models.service_requests import Job, ServiceRequest, ServiceRequestStatus
from tests.client import GraphQLClient, assert_forbidden
from tests.factories import Person, staff, token_for
from tests.ids import gid, pk_of
from tests.service_requests.operations import approve, set_company_sla
from tests.service_requests.people import NON_REVIEWERS, REVIEWERS, Pending, pending_request

DRAFT = """
query Draft($id: ID!) {
  node(id: $id) { ... on ServiceRequest { jobDraft { slaDueAt slaRule } } }
}
"""
APPROVED_JOB = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    job { id slaDueAt slaRule }
    userErrors { code field }
  }
}
"""
JOB = "query Job($id: ID!) { node(id: $id) { ... on Job { slaDueAt slaRule } } }"
SETTINGS = "{ companySettings { defaultSlaHours } }"


async def _draft(gql: GraphQLClient, reviewer: Person, request: Pending) -> dict[str, Any]:
    data = await gql(DRAFT, {"id": request.id}, token=reviewer.token)
    draft: dict[str, Any] = data["node"]["jobDraft"]
    return draft


async def _approve(
    gql: GraphQLClient, reviewer: Person, request: Pending, job: dict[str, Any] | None = None
) -> dict[str, Any]:
    variables: dict[str, Any] = {"input": {"id": request.id}}
    if job is not None:
        variables["input"]["job"] = job
    data = await gql(APPROVED_JOB, variables, token=reviewer.token)
    payload = data["approveServiceRequest"]
    assert payload["userErrors"] == [], payload
    created: dict[str, Any] = payload["job"]
    return created


def _hours_after(value: str, start: datetime, end: datetime, hours: int) -> bool:
    due = datetime.fromisoformat(value)
    return start + timedelta(hours=hours) <= due <= end + timedelta(hours=hours)


async def test_the_company_default_is_off_unless_an_admin_turns_it_on(gql: GraphQLClient) -> None:
    # given a fresh company, when an admin reads the settings, then there is no default
    admin = await staff(Role.ADMIN)
    data = await gql(SETTINGS, token=admin.token)
    assert data["companySettings"] == {"defaultSlaHours": None}


@pytest.mark.parametrize("role", REVIEWERS)
async def test_without_any_default_the_job_has_no_sla_and_says_so(
    gql: GraphQLClient, role: Role
) -> None:
    # given a customer with no default SLA hours, and the company default off
    reviewer = await staff(role)
    request = await pending_request(gql)
    # when the draft is read and the request approved with the SLA left blank
    draft = await _draft(gql, reviewer, request)
    job = await _approve(gql, reviewer, request)
    # then neither has an SLA deadline, and both name the rule
    assert draft == {"slaDueAt": None, "slaRule": "NONE"}
    assert {k: job[k] for k in ("slaDueAt", "slaRule")} == {"slaDueAt": None, "slaRule": "NONE"}


async def test_the_job_inherits_the_customers_default_sla_hours(gql: GraphQLClient) -> None:
    # given a customer with 4 default SLA hours
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, sla_hours=4)
    # when
    start = now()
    draft = await _draft(gql, dispatcher, request)
    job = await _approve(gql, dispatcher, request)
    end = now()
    # then
    assert draft["slaRule"] == "ACCOUNT_DEFAULT"
    assert _hours_after(draft["slaDueAt"], start, end, 4)
    assert job["slaRule"] == "ACCOUNT_DEFAULT"
    assert _hours_after(job["slaDueAt"], start, end, 4)


async def test_the_customers_default_wins_over_the_company_opt_in(gql: GraphQLClient) -> None:
    # given an admin turned a company default of 24 hours on
    admin = await staff(Role.ADMIN)
    await set_company_sla(gql, admin, 24)
    with_own = await pending_request(gql, sla_hours=4)
    without = await pending_request(gql)
    # when
    start = now()
    own_job = await _approve(gql, admin, with_own)
    company_draft = await _draft(gql, admin, without)
    company_job = await _approve(gql, admin, without)
    end = now()
    # then
    assert own_job["slaRule"] == "ACCOUNT_DEFAULT"
    assert _hours_after(own_job["slaDueAt"], start, end, 4)
    assert company_draft["slaRule"] == "COMPANY_DEFAULT"
    assert company_job["slaRule"] == "COMPANY_DEFAULT"
    assert _hours_after(company_job["slaDueAt"], start, end, 24)


async def test_turning_the_company_default_off_again_means_no_sla(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    await set_company_sla(gql, admin, 24)
    await set_company_sla(gql, admin, None)
    request = await pending_request(gql)
    assert await _draft(gql, admin, request) == {"slaDueAt": None, "slaRule": "NONE"}


async def test_a_given_sla_due_is_kept_and_named_given(gql: GraphQLClient) -> None:
    # given a customer with default SLA hours, and a dispatcher who types a due time
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, sla_hours=4)
    # when
    job = await _approve(gql, dispatcher, request, {"slaDueAt": "2031-05-06T07:08:00+00:00"})
    # then
    assert job["slaRule"] == "GIVEN"
    assert datetime.fromisoformat(job["slaDueAt"]) == datetime.fromisoformat(
        "2031-05-06T07:08:00+00:00"
    )
    # and the job keeps it when read again
    again = await gql(JOB, {"id": job["id"]}, token=dispatcher.token)
    assert again["node"]["slaRule"] == "GIVEN"


async def test_the_assigned_technician_reads_the_rule(gql: GraphQLClient) -> None:
    # given a job assigned to a technician
    dispatcher = await staff(Role.DISPATCHER)
    technician = await staff(Role.TECHNICIAN)
    request = await pending_request(gql, sla_hours=8)
    job = await _approve(gql, dispatcher, request)
    assign = """
    mutation($input: AssignJobInput!) { assignJob(input: $input) { userErrors { code } } }
    """
    done = await gql(
        assign,
        {"input": {"id": job["id"], "assigneeId": gid("User", technician.id)}},
        dispatcher.token,
    )
    assert done["assignJob"]["userErrors"] == []
    # when they open it, then they read its rule; another technician sees nothing
    mine = await gql(JOB, {"id": job["id"]}, token=technician.token)
    assert mine["node"]["slaRule"] == "ACCOUNT_DEFAULT"
    other = await staff(Role.TECHNICIAN)
    assert (await gql(JOB, {"id": job["id"]}, token=other.token))["node"] is None


@pytest.mark.parametrize("role", NON_REVIEWERS)
async def test_staff_who_do_not_review_never_read_the_draft(gql: GraphQLClient, role: Role) -> None:
    viewer = await staff(role)
    await pending_request(gql, sla_hours=4)
    listed = await gql.raw(
        "{ serviceRequests(first: 5) { nodes { jobDraft { slaRule } } } }", token=viewer.token
    )
    assert_forbidden(listed)


async def test_the_portal_contact_never_reads_the_draft(gql: GraphQLClient) -> None:
    request = await pending_request(gql, sla_hours=4)
    body = await gql.raw(DRAFT, {"id": request.id}, token=request.contact.token)
    assert_forbidden(body)
    assert body["data"]["node"] == {"jobDraft": None}


async def test_the_demo_company_has_no_company_default(gql: GraphQLClient) -> None:
    # given the demo company
    await seed_demo()
    admin = await User.get(email="admin@demo.docket")
    dispatcher = await User.get(email="dispatch@demo.docket")
    # when its admin reads the settings, then no company default is on
    data = await gql(SETTINGS, token=await token_for(admin))
    assert data["companySettings"] == {"defaultSlaHours": None}
    # and a pending request of a customer without default SLA hours drafts no SLA
    pending = await ServiceRequest.filter(
        status=ServiceRequestStatus.PENDING, account__default_sla_hours__isnull=True
    ).first()
    assert pending is not None
    data = await gql(
        DRAFT, {"id": gid("ServiceRequest", pending.id)}, token=await token_for(dispatcher)
    )
    assert data["node"]["jobDraft"] == {"slaDueAt": None, "slaRule": "NONE"}


async def test_a_job_older_than_the_rule_answers_null(gql: GraphQLClient) -> None:
    # given a job approved before jobs recorded their rule
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, sla_hours=4)
    job = await _approve(gql, dispatcher, request)
    await Job.filter(id=pk_of(job["id"])).update(sla_rule=None)
    # when it is read, then its rule is unknown, not invented
    again = await gql(JOB, {"id": job["id"]}, token=dispatcher.token)
    assert again["node"]["slaRule"] is None
    assert again["node"]["slaDueAt"] is not None


async def test_the_approved_job_through_the_shared_helper_names_its_rule(
    gql: GraphQLClient,
) -> None:
    # the shared `approve` helper's document is unchanged: old clients keep working
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    payload = await approve(gql, dispatcher.token, request.id)
    assert payload["userErrors"] == []
    again = await gql(JOB, {"id": payload["job"]["id"]}, token=dispatcher.token)
    assert again["node"] == {"slaDueAt": None, "slaRule": "NONE"}
