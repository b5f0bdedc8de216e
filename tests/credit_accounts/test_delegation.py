"""Delegating credit requests: the credit team's leader (or an admin) gives a pending
request to a team member, who is told and can open it; the queue filters by assignee;
any team member or admin may still decide it."""

from __future__ import annotations

from typing import Any

import pytest

from models import outbox
from models.credit_accounts import CreditAccountRequest
from models.permissions import Role
from models.users import Team, TeamMember
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid, pk_of

SETTINGS = """
mutation($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) { userErrors { code field } }
}
"""
REQUEST = """
mutation($input: RequestCreditAccountInput!) {
  requestCreditAccount(input: $input) { creditAccountRequest { id } userErrors { code } }
}
"""
ASSIGN = """
mutation($input: AssignCreditAccountRequestInput!) {
  assignCreditAccountRequest(input: $input) {
    creditAccountRequest { id status assignee { id name } }
    userErrors { code field }
  }
}
"""
ACCEPT = """
mutation($input: AcceptCreditAccountRequestInput!) {
  acceptCreditAccountRequest(input: $input) {
    creditAccountRequest { status } userErrors { code field }
  }
}
"""
REJECT = """
mutation($input: RejectCreditAccountRequestInput!) {
  rejectCreditAccountRequest(input: $input) {
    creditAccountRequest { status } userErrors { code field }
  }
}
"""
QUEUE = """
query($filter: CreditAccountRequestFilter) {
  creditAccountRequests(first: 50, filter: $filter) { nodes { id assignee { name } } }
}
"""
INBOX = """
{
  notifications(first: 20) {
    nodes {
      kind title body
      subject { ... on CreditAccountRequest { id status requestedLimit assignee { name } } }
    }
  }
}
"""
NODE = """
query($id: ID!) { node(id: $id) { ... on CreditAccountRequest { id assignee { name } } } }
"""


class World:
    """An admin, a credit team (leader + two members), a project manager, an outsider."""

    admin: Person
    leader: Person
    member: Person
    second: Person
    pm: Person
    outsider: Person


async def _world(gql: GraphQLClient) -> World:
    w = World()
    w.admin = await staff(Role.ADMIN, name="Ada Admin")
    w.leader = await staff(Role.ACCOUNTING, name="Lee Leader")
    w.member = await staff(Role.ACCOUNTING, name="Mia Member")
    w.second = await staff(Role.ACCOUNTING, name="Sam Second")
    w.pm = await staff(Role.PROJECT_MANAGER, name="Pat Projects")
    w.outsider = await staff(Role.ACCOUNTING, name="Ann Outsider")
    team = await Team.create(name="Credit", leader_id=w.leader.id)
    for person in (w.leader, w.member, w.second):
        await TeamMember.create(team_id=team.id, user_id=person.id)
    data = await gql(SETTINGS, {"input": {"creditTeamId": gid("Team", team.id)}}, w.admin.token)
    assert data["updateCompanySettings"]["userErrors"] == []
    return w


async def _pending(gql: GraphQLClient, w: World, name: str | None = None) -> str:
    account = await make_account(name)
    variables = {"input": {"accountId": gid("Account", account.id), "requestedLimit": "5000.00"}}
    payload = (await gql(REQUEST, variables, w.pm.token))["requestCreditAccount"]
    assert payload["userErrors"] == []
    request_id: str = payload["creditAccountRequest"]["id"]
    return request_id


def _input(request_id: str, assignee: Person | None) -> dict[str, Any]:
    return {
        "input": {
            "requestId": request_id,
            "assigneeId": gid("User", assignee.id) if assignee else None,
        }
    }


async def _assign(
    gql: GraphQLClient, who: Person, request_id: str, assignee: Person | None
) -> dict[str, Any]:
    data = await gql(ASSIGN, _input(request_id, assignee), who.token)
    payload: dict[str, Any] = data["assignCreditAccountRequest"]
    return payload


# --- who may delegate ----------------------------------------------------------------------


async def test_the_leader_delegates_to_a_member_who_is_told_and_can_open_it(
    gql: GraphQLClient,
) -> None:
    # given a pending request
    w = await _world(gql)
    request_id = await _pending(gql, w, "Northwind")
    # when the credit team's leader gives it to a member
    payload = await _assign(gql, w.leader, request_id, w.member)
    # then it is theirs
    assert payload == {
        "creditAccountRequest": {
            "id": request_id,
            "status": "PENDING",
            "assignee": {"id": gid("User", w.member.id), "name": "Mia Member"},
        },
        "userErrors": [],
    }
    # and they are told, by a notification that opens the request
    notes = (await gql(INBOX, token=w.member.token))["notifications"]["nodes"]
    [note] = [n for n in notes if n["kind"] == "CREDIT_REQUEST_ASSIGNED"]
    assert note["title"] == "Credit request for Northwind is yours to decide"
    assert "Lee Leader" in note["body"]
    assert note["subject"] == {
        "id": request_id,
        "status": "PENDING",
        "requestedLimit": "5000.00",
        "assignee": {"name": "Mia Member"},
    }
    opened = await gql(NODE, {"id": request_id}, token=w.member.token)
    assert opened["node"] == {"id": request_id, "assignee": {"name": "Mia Member"}}
    # which they can decide
    data = await gql(ACCEPT, {"input": {"id": request_id}}, w.member.token)
    assert data["acceptCreditAccountRequest"]["creditAccountRequest"] == {"status": "ACCEPTED"}


async def test_an_admin_delegates(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    payload = await _assign(gql, w.admin, request_id, w.second)
    assert payload["userErrors"] == []
    assert payload["creditAccountRequest"]["assignee"]["name"] == "Sam Second"
    kinds = [n["kind"] for n in (await gql(INBOX, token=w.second.token))["notifications"]["nodes"]]
    assert "CREDIT_REQUEST_ASSIGNED" in kinds


async def test_the_leader_may_take_it_and_is_not_told_of_their_own_act(
    gql: GraphQLClient,
) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    assert (await _assign(gql, w.leader, request_id, w.leader))["userErrors"] == []
    kinds = [n["kind"] for n in (await gql(INBOX, token=w.leader.token))["notifications"]["nodes"]]
    assert "CREDIT_REQUEST_ASSIGNED" not in kinds


async def test_a_plain_member_may_not_delegate(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    assert_forbidden(await gql.raw(ASSIGN, _input(request_id, w.second), w.member.token))
    assert (await CreditAccountRequest.get(id=pk_of(request_id))).assignee_id is None


@pytest.mark.parametrize(
    "role",
    [Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.PROJECT_MANAGER, Role.ACCOUNTING],
)
async def test_other_staff_may_not_delegate(gql: GraphQLClient, role: Role) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    who = await staff(role)
    assert_forbidden(await gql.raw(ASSIGN, _input(request_id, w.member), who.token))
    assert (await CreditAccountRequest.get(id=pk_of(request_id))).assignee_id is None


async def test_portal_contacts_and_anonymous_may_not_delegate(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    contact = await portal_contact(await make_account())
    assert_forbidden(await gql.raw(ASSIGN, _input(request_id, w.member), contact.token))
    assert_unauthenticated(await gql.raw(ASSIGN, _input(request_id, w.member)))


# --- who may be given it ---------------------------------------------------------------------


async def test_only_a_credit_team_member_may_be_given_it(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    for outsider in (w.outsider, w.pm, w.admin):
        payload = await _assign(gql, w.leader, request_id, outsider)
        assert payload == {
            "creditAccountRequest": None,
            "userErrors": [{"code": "ASSIGNEE_NOT_ELIGIBLE", "field": ["input", "assigneeId"]}],
        }
    kinds = [
        n["kind"] for n in (await gql(INBOX, token=w.outsider.token))["notifications"]["nodes"]
    ]
    assert "CREDIT_REQUEST_ASSIGNED" not in kinds


async def test_an_unknown_assignee_is_not_found(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    variables = {"input": {"requestId": request_id, "assigneeId": gid("User", 999_999)}}
    data = await gql(ASSIGN, variables, w.leader.token)
    assert data["assignCreditAccountRequest"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": ["input", "assigneeId"]}
    ]


async def test_a_decided_request_is_not_delegated(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    await gql(REJECT, {"input": {"id": request_id, "reason": "No."}}, w.member.token)
    payload = await _assign(gql, w.leader, request_id, w.second)
    assert payload["userErrors"] == [{"code": "ALREADY_DECIDED", "field": ["input", "requestId"]}]


async def test_delegating_back_to_nobody(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    await _assign(gql, w.leader, request_id, w.member)
    payload = await _assign(gql, w.leader, request_id, None)
    assert payload["userErrors"] == []
    assert payload["creditAccountRequest"]["assignee"] is None


# --- deciding, and the queue ------------------------------------------------------------------


@pytest.mark.parametrize("decider", ["leader", "second", "admin"])
async def test_any_member_or_admin_may_still_decide_a_delegated_request(
    gql: GraphQLClient, decider: str
) -> None:
    w = await _world(gql)
    request_id = await _pending(gql, w)
    await _assign(gql, w.leader, request_id, w.member)
    who: Person = getattr(w, decider)
    data = await gql(REJECT, {"input": {"id": request_id, "reason": "Not now."}}, who.token)
    assert data["rejectCreditAccountRequest"]["creditAccountRequest"] == {"status": "REJECTED"}


async def test_the_queue_filters_by_assignee(gql: GraphQLClient) -> None:
    # given three requests: one for each member, one unassigned
    w = await _world(gql)
    mine = await _pending(gql, w)
    theirs = await _pending(gql, w)
    nobodys = await _pending(gql, w)
    await _assign(gql, w.leader, mine, w.member)
    await _assign(gql, w.leader, theirs, w.second)

    async def ids(who: Person, spec: dict[str, Any] | None) -> set[str]:
        data = await gql(QUEUE, {"filter": spec}, who.token)
        return {node["id"] for node in data["creditAccountRequests"]["nodes"]}

    # then
    assert await ids(w.leader, {"assigneeIds": [gid("User", w.member.id)]}) == {mine}
    assert await ids(w.leader, {"unassigned": True}) == {nobodys}
    assert await ids(w.leader, {"unassigned": False}) == {mine, theirs}
    assert await ids(w.member, {"assignedToMe": True}) == {mine}
    assert await ids(w.admin, None) == {mine, theirs, nobodys}
    data = await gql(QUEUE, {"filter": {"statuses": ["PENDING"]}}, w.second.token)
    names = {n["id"]: n["assignee"] for n in data["creditAccountRequests"]["nodes"]}
    assert names == {
        mine: {"name": "Mia Member"},
        theirs: {"name": "Sam Second"},
        nobodys: None,
    }


PREFER_MAIL = """
mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { userErrors { code } }
}
"""


async def test_the_assignee_who_wants_mail_gets_one(gql: GraphQLClient) -> None:
    # given a member who wants delegations by e-mail too
    w = await _world(gql)
    choice = {"kind": "CREDIT_REQUEST_ASSIGNED", "inApp": True, "email": True}
    data = await gql(PREFER_MAIL, {"input": {"preferences": [choice]}}, w.member.token)
    assert data["updateNotificationPreferences"]["userErrors"] == []
    request_id = await _pending(gql, w, "Fabrikam")
    # when the leader gives them a request
    assert (await _assign(gql, w.leader, request_id, w.member))["userErrors"] == []
    # then the mail names the account, the limit and who gave it, in the same transaction
    [mail] = await outbox.OutboxEmail.filter(
        to_address=w.member.user.email, template="credit_request_assigned"
    )
    assert mail.subject == "Credit request for Fabrikam is yours to decide"
    assert "Lee Leader gave you the credit request of 5000.00 USD for Fabrikam." in mail.text_body


async def test_the_queue_with_assignees_costs_the_same_for_5_and_50_requests(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given 50 pending requests, every other one delegated
    w = await _world(gql)
    for n in range(50):
        request_id = await _pending(gql, w)
        if n % 2:
            await _assign(gql, w.leader, request_id, w.member if n % 4 == 1 else w.second)
    counts = []
    for first in (5, 50):
        query = (
            f"{{ creditAccountRequests(first: {first}) {{ nodes {{ id assignee {{ name }} }} }} }}"
        )
        count_statements.statements.clear()
        data = await gql(query, token=w.admin.token)
        assert len(data["creditAccountRequests"]["nodes"]) == first
        assert any(node["assignee"] for node in data["creditAccountRequests"]["nodes"])
        counts.append(count_statements.count)
    assert counts[0] == counts[1], count_statements.statements
