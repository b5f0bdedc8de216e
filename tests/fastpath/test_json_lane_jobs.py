"""The JSON lane on the jobs list (fastpath/json_sql.py): a job's lists of strings
(skills, parts, assets), stored as JSON, are written by the database exactly as
standard execution writes them; its related request and assignee inside its row.

The suite's execution check compares every answer with standard execution's; these
tests make sure the lane takes the jobs screen (on PostgreSQL), and that lists the
lane must not write (a stored value that is no list of strings) go the standard way
with the same answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from models import service_requests as sr
from models.directory.accounts import Account
from models.ids import global_id
from models.permissions import Role
from schema.relay.ids import decode_id
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_site, portal_contact, staff
from tests.fastpath.lane import lane_statements, reading
from tests.service_requests.operations import approved_job, submitted

# As relay-compiler writes the Jobs screen (tests/conformance/documents/relay).
JOBS_SCREEN = """query LaneJobsScreen($filter: JobFilter) {
  ...LaneJobs
}

fragment LaneUser on User { id name email }

fragment LaneJob on Job {
  serviceType priority status slaDueAt skills parts assetIds
  account { id name number isActive manager { ...LaneUser id } }
  assignee { ...LaneUser id }
  serviceRequest { number status id }
}

fragment LaneJobs on Query {
  jobs(filter: $filter, first: 20) {
    totalCount
    edges { node { ...LaneJob id __typename } cursor }
    pageInfo { endCursor hasNextPage }
  }
}"""

ODD = ["Line one\nline two\t\u00e9\U0001f600", 'It\'s "quoted" \\ here', "null", "[]", "a\u2028b"]


async def _jobs(gql: GraphQLClient) -> tuple[Any, list[int]]:
    """Three jobs: odd skills and parts, nothing listed, one item each; the first
    assigned, on an account with a manager."""
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(name='Quinn "Motors"', manager=manager.row)
    contact = await portal_contact(account)
    reviewer = await staff(Role.DISPATCHER)
    lists: list[dict[str, Any]] = [
        {"skills": ODD, "parts": ["\\u0041", "</script>"], "assetIds": ["A-1"]},
        {},
        {"skills": ["electrical"], "parts": [], "assetIds": []},
    ]
    keys = []
    for job in lists:
        request = await submitted(gql, contact, await make_site(account))
        keys.append(decode_id(await approved_job(gql, reviewer, request, **job))[1])
    technician = await staff(Role.TECHNICIAN)
    await sr.Job.filter(id=keys[0]).update(assignee_id=technician.row.id)
    return reviewer, keys


async def _three_times(
    gql: GraphQLClient, counter: StatementCounter, token: str
) -> list[dict[str, Any]]:
    """The screen's whole responses, sent three times (admitted, compiled, then fast);
    the statements of the last are in `counter`."""
    answers = []
    for _ in range(3):
        counter.statements.clear()
        answers.append(await gql.raw(JOBS_SCREEN, token=token))
    return answers


@pytest.mark.fast_paths
async def test_the_jobs_screen_is_one_statement_with_lists_written_as_graphql_writes_them(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given three jobs: odd strings in their lists, empty lists, one item each
    reviewer, keys = await _jobs(gql)
    # when the jobs screen is read three times
    answers = await _three_times(gql, count_statements, reviewer.token)
    # then the answers agree, each list as it was given (cleaned as approving cleans it)
    assert answers[0] == answers[1] == answers[2]
    assert "errors" not in answers[2]
    jobs = answers[2]["data"]["jobs"]
    nodes = {edge["node"]["id"]: edge["node"] for edge in jobs["edges"]}
    first, empty, single = (nodes[global_id("Job", key)] for key in keys)
    assert first["skills"] == ODD
    assert first["parts"] == ["\\u0041", "</script>"]
    assert first["assetIds"] == ["A-1"]
    assert empty["skills"] == empty["parts"] == empty["assetIds"] == []
    assert single["skills"] == ["electrical"] and single["parts"] == []
    assert first["assignee"] is not None and empty["assignee"] is None
    assert first["account"]["manager"] is not None
    assert first["serviceRequest"]["status"] == "APPROVED"
    assert jobs["totalCount"] == 3
    # and on PostgreSQL the last was one statement for the page, its relations and count
    if backends == "services":
        assert len(lane_statements(count_statements)) == 1
        for table in ("jobs", "users", "service_requests", "accounts"):
            assert reading(count_statements, table) == []
    else:
        assert lane_statements(count_statements) == []


def _unnumbered(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without its errors' ids (each error is logged under its own)."""
    errors = [
        {**error, "extensions": {**error.get("extensions", {}), "errorId": None}}
        for error in answer.get("errors", [])
    ]
    return {**answer, "errors": errors}


@pytest.mark.fast_paths
@pytest.mark.services_only  # JSONB is PostgreSQL's, the lane's only database
@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ('"abc"', ["a", "b", "c"]),  # list() of a string: its characters
        ("[1, true]", ["1", "true"]),  # String's serialization of a number, a boolean
        ('{"a": "b"}', ["a"]),  # list() of a mapping: its keys
        ("null", None),  # list(None): an error
        ('["a", null]', None),  # a null item of [String!]!: an error
        ('[["a"]]', None),  # a list is no String: an error
    ],
    ids=["a-string", "numbers", "an-object", "json-null", "a-null-item", "nested"],
)
async def test_a_stored_list_of_anything_but_strings_is_answered_the_standard_way(
    gql: GraphQLClient,
    count_statements: StatementCounter,
    stored: str,
    shown: list[str] | None,
) -> None:
    # given jobs, the skills of one of which the database holds as something else
    reviewer, keys = await _jobs(gql)
    client = connections.get("default")
    await client.execute_query(f"UPDATE jobs SET skills = '{stored}'::jsonb WHERE id = {keys[1]}")
    # when the screen is read three times
    answers = await _three_times(gql, count_statements, reviewer.token)
    # then each is standard execution's: the lane's statement stopped, the request ran
    # again the standard way (the execution check compares every fast answer)
    assert _unnumbered(answers[0]) == _unnumbered(answers[1]) == _unnumbered(answers[2])
    if shown is None:
        assert answers[2]["errors"]
        return
    assert "errors" not in answers[2]
    nodes = {edge["node"]["id"]: edge["node"] for edge in answers[2]["data"]["jobs"]["edges"]}
    assert nodes[global_id("Job", keys[1])]["skills"] == shown
    assert nodes[global_id("Job", keys[0])]["skills"] == ODD


REVIEW_QUEUE = """query LaneReviewQueue {
  serviceRequests(first: 20, filter: {statuses: [PENDING, APPROVED, DECLINED]}) {
    totalCount
    edges {
      node {
        id number status declineReason
        job { ...LaneJob id }
        id
      }
      cursor
    }
  }
}

fragment LaneUser on User { id name email }

fragment LaneJob on Job {
  serviceType skills parts
  assignee { ...LaneUser id }
  serviceRequest { number status id }
}"""


@pytest.mark.fast_paths
async def test_a_requests_job_is_written_inside_its_row_by_the_requests_key(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given approved requests with jobs (see _jobs) and one pending request without
    reviewer, keys = await _jobs(gql)
    account = await make_account()
    contact = await portal_contact(account)
    pending = await submitted(gql, contact, await make_site(account))
    # when the review list with each request's job is read three times
    answers = []
    for _ in range(3):
        count_statements.statements.clear()
        answers.append(await gql(REVIEW_QUEUE, token=reviewer.token))
    # then the answers agree: each approved request shows its own job, the pending none
    assert answers[0] == answers[1] == answers[2]
    nodes = {e["node"]["id"]: e["node"] for e in answers[2]["serviceRequests"]["edges"]}
    assert nodes[pending]["job"] is None
    jobs = {node["job"]["id"]: node for node in nodes.values() if node["job"] is not None}
    assert set(jobs) == {global_id("Job", key) for key in keys}
    for node in jobs.values():
        assert node["job"]["serviceRequest"]["id"] == node["id"]
    assert jobs[global_id("Job", keys[0])]["job"]["skills"] == ODD
    assert answers[2]["serviceRequests"]["totalCount"] == 4
    # and on PostgreSQL the last was one statement, the jobs read inside it, the count
    # added up from the tally beside them
    if backends == "services":
        [lane] = lane_statements(count_statements)
        assert "service_request_tallies" in lane
        assert reading(count_statements, "jobs") == []
        assert reading(count_statements, "service_requests") == []
    else:
        assert lane_statements(count_statements) == []


@pytest.mark.fast_paths
async def test_a_portal_contact_sees_its_requests_without_their_jobs(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given approved requests with jobs, on an account whose contact reads the list
    await _jobs(gql)
    account = (await sr.ServiceRequest.all().first()).account_id  # type: ignore[union-attr]
    contact = await portal_contact(await Account.get(id=account))
    # when the contact reads the list three times
    answers = [await gql(REVIEW_QUEUE, token=contact.token) for _ in range(3)]
    # then every answer lists the requests, approved, and never the job behind one
    for answer in answers:
        nodes = [edge["node"] for edge in answer["serviceRequests"]["edges"]]
        assert [node["status"] for node in nodes] == ["APPROVED"] * 3
        assert [node["job"] for node in nodes] == [None] * 3
