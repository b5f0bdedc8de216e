"""Batched fields the database writes (fastpath `Written`, the JSON lane): the review
queue's job drafts in the page's one statement on PostgreSQL.

The suite's execution check compares each answer with standard execution (drafts
computed in Python); these tests pin down that the lane takes the drafts where it may,
that every rule of the draft (account hours, company hours, none; urgency; a request
already decided) comes out as the Python writes it, and that a viewer the field refuses
is refused as always.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import staff
from tests.fastpath.lane import read_three_times, reading
from tests.service_requests.operations import decline, parse, set_company_sla
from tests.service_requests.people import Pending, pending_request
from tests.service_requests.rows import TOMORROW

QUEUE = """query WrittenDrafts {
  serviceRequests(first: 20, filter: {statuses: [PENDING, DECLINED]}) {
    __typename
    nodes {
      __typename id status urgency
      jobDraft {
        __typename serviceType description bookingDate priority slaDueAt slaRule
        account { __typename name } site { name city }
      }
    }
  }
}"""


def _lane(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if "json_build_object" in sql]


async def _queue(gql: GraphQLClient, counter: StatementCounter, token: str) -> list[Any]:
    """The queue's nodes, read until the fast path answers it (see read_three_times)."""
    data = await read_three_times(gql, counter, QUEUE, token=token)
    nodes: list[Any] = data["serviceRequests"]["nodes"]
    return nodes


@pytest.mark.fast_paths
async def test_drafts_under_every_sla_rule_are_written_in_the_page_statement(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given requests on an account with its own SLA hours, on accounts without (under a
    # company default), urgent and normal, with and without a preferred date, odd text
    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    await set_company_sla(gql, admin, 48)
    own = await pending_request(
        gql,
        account_name="Own Hours",
        sla_hours=4,
        urgency="URGENT",
        description='Leak "under" the sink\n\u00e9\U0001f600',
        preferredDate=TOMORROW.isoformat(),
    )
    company = await pending_request(gql, account_name="Company Hours", urgency="NORMAL")
    decided = await pending_request(gql, account_name="Decided")
    await decline(gql, dispatcher.token, decided.id, "Out of area")

    # when the dispatcher reads the queue
    before = now()
    nodes = await _queue(gql, count_statements, dispatcher.token)
    after = now()

    # then each draft follows its rule, and a declined request has none
    by_id = {node["id"]: node for node in nodes}
    assert set(by_id) == {own.id, company.id, decided.id}
    own_draft = by_id[own.id]["jobDraft"]
    assert own_draft["priority"] == "HIGH"
    assert own_draft["slaRule"] == "ACCOUNT_DEFAULT"
    assert own_draft["bookingDate"] == TOMORROW.isoformat()
    assert own_draft["description"] == 'Leak "under" the sink\n\u00e9\U0001f600'
    assert own_draft["account"] == {"__typename": "Account", "name": "Own Hours"}
    _due_within(own_draft["slaDueAt"], before, after, hours=4)
    company_draft = by_id[company.id]["jobDraft"]
    assert company_draft["priority"] == "MEDIUM"
    assert company_draft["slaRule"] == "COMPANY_DEFAULT"
    assert company_draft["bookingDate"] is None
    _due_within(company_draft["slaDueAt"], before, after, hours=48)
    assert by_id[decided.id]["jobDraft"] is None
    # and on PostgreSQL the page, its drafts and their inputs are one statement
    if backends == "services":
        assert len(_lane(count_statements)) == 1
        assert reading(count_statements, "accounts") == []
        assert reading(count_statements, "company_settings") == []
    else:
        assert _lane(count_statements) == []


@pytest.mark.fast_paths
async def test_without_any_sla_hours_the_draft_has_no_due_time(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given no company default and an account without hours
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, account_name="No Hours")
    # when the queue is read
    nodes = await _queue(gql, count_statements, dispatcher.token)
    # then the draft says so
    [node] = [node for node in nodes if node["id"] == request.id]
    assert node["jobDraft"]["slaRule"] == "NONE"
    assert node["jobDraft"]["slaDueAt"] is None


@pytest.mark.fast_paths
async def test_a_viewer_the_draft_refuses_is_refused_as_always(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given a customer's own request, read by their portal contact
    request: Pending = await pending_request(gql, account_name="Portal Own")
    contact = request.contact
    # when they ask for the job draft (reviewers only)
    answers = []
    for _ in range(3):
        answers.append(await gql.raw(QUEUE, token=contact.token))
    # then every read refuses the draft on their request, as standard execution does
    for answer in answers:
        [node] = answer["data"]["serviceRequests"]["nodes"]
        assert node["jobDraft"] is None
        assert [error["path"][-1] for error in answer["errors"]] == ["jobDraft"]
        assert all(error["extensions"]["code"] == "FORBIDDEN" for error in answer["errors"])


def _due_within(written: str, before: Any, after: Any, *, hours: int) -> None:
    due = parse(written)
    assert before + timedelta(hours=hours) <= due <= after + timedelta(hours=hours)
