"""The Client Accounts article: request, the leader is told, a member rejects, history."""

from __future__ import annotations

from datetime import date, timedelta

from models.linked_items import Invoice
from models.outbox import OutboxEmail
from models.permissions import Role
from models.users import Team, TeamMember
from tests.client import GraphQLClient
from tests.factories import make_account, staff
from tests.ids import gid

REQUEST = """
mutation($input: RequestCreditAccountInput!) {
  requestCreditAccount(input: $input) {
    creditAccountRequest { id status requestedLimit }
    userErrors { code field message }
  }
}
"""
REJECT = """
mutation($input: RejectCreditAccountRequestInput!) {
  rejectCreditAccountRequest(input: $input) {
    creditAccountRequest { status decisionNote decidedBy { name } }
    userErrors { code field }
  }
}
"""
ACCEPT = """
mutation($input: AcceptCreditAccountRequestInput!) {
  acceptCreditAccountRequest(input: $input) {
    creditAccountRequest { status previousLimit }
    userErrors { code field }
  }
}
"""
ACCOUNT = """
query($id: ID!) {
  node(id: $id) {
    ... on Account {
      creditLimit balance overdueBalance availableCredit
      creditAccountRequests { status requestedLimit decisionNote }
    }
  }
}
"""
INBOX = "{ notifications { nodes { kind title } } }"
SET_TEAM = """
mutation($t: ID!) { updateCompanySettings(input: {creditTeamId: $t}) { userErrors { code } } }
"""


async def test_request_reject_accept_and_balances(gql: GraphQLClient) -> None:
    # given a credit team and a project manager
    admin = await staff(Role.ADMIN)
    leader = await staff(Role.ACCOUNTING, name="Lee Leader")
    member = await staff(Role.ACCOUNTING, name="Mia Member")
    pm = await staff(Role.PROJECT_MANAGER, name="Pat Projects")
    team = await Team.create(name="Credit", leader_id=leader.id)
    await TeamMember.create(team_id=team.id, user_id=leader.id)
    await TeamMember.create(team_id=team.id, user_id=member.id)
    await gql(SET_TEAM, {"t": gid("Team", team.id)}, admin.token)
    account = await make_account("Northwind")
    account_id = gid("Account", account.id)
    # when the project manager requests a limit
    asked = await gql(
        REQUEST, {"input": {"accountId": account_id, "requestedLimit": "5000.00"}}, pm.token
    )
    request_id = asked["requestCreditAccount"]["creditAccountRequest"]["id"]
    again = await gql(
        REQUEST, {"input": {"accountId": account_id, "requestedLimit": "10.00"}}, pm.token
    )
    # then the leader is told, and a second request waits
    assert again["requestCreditAccount"]["userErrors"][0]["code"] == "CREDIT_REQUEST_PENDING"
    kinds = [n["kind"] for n in (await gql(INBOX, token=leader.token))["notifications"]["nodes"]]
    assert kinds == ["CREDIT_REQUESTED"]
    # when a member rejects with a reason
    rejected = await gql(
        REJECT, {"input": {"id": request_id, "reason": "Two invoices unpaid."}}, member.token
    )
    assert rejected["rejectCreditAccountRequest"]["creditAccountRequest"] == {
        "status": "REJECTED",
        "decisionNote": "Two invoices unpaid.",
        "decidedBy": {"name": "Mia Member"},
    }
    mail = await OutboxEmail.filter(to_address=pm.row.email).first()
    assert mail is not None and "Two invoices unpaid." in mail.text_body
    # and a new request is accepted; balances follow invoices
    second = await gql(
        REQUEST, {"input": {"accountId": account_id, "requestedLimit": "1000.00"}}, pm.token
    )
    second_id = second["requestCreditAccount"]["creditAccountRequest"]["id"]
    accepted = await gql(ACCEPT, {"input": {"id": second_id}}, leader.token)
    assert accepted["acceptCreditAccountRequest"]["creditAccountRequest"] == {
        "status": "ACCEPTED",
        "previousLimit": None,
    }
    today = date.today()
    await Invoice.create(
        account_id=account.id,
        number="I-1",
        issued_on=today - timedelta(days=40),
        due_on=today - timedelta(days=10),
        total="300.10",
        amount_paid="0.05",
    )
    await Invoice.create(
        account_id=account.id,
        number="I-2",
        issued_on=today,
        due_on=today + timedelta(days=30),
        total="99.95",
    )
    view = (await gql(ACCOUNT, {"id": account_id}, admin.token))["node"]
    assert view["creditLimit"] == "1000.00"
    assert view["balance"] == "400.00"
    assert view["overdueBalance"] == "300.05"
    assert view["availableCredit"] == "600.00"
    assert [r["status"] for r in view["creditAccountRequests"]] == ["ACCEPTED", "REJECTED"]
