"""The documents and calls credit account tests share, and the world they start from."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.accounts import Account
from models.permissions import Role
from models.users import Team, TeamMember
from tests.client import GraphQLClient
from tests.factories import Person, make_account, staff
from tests.ids import gid

REQUEST = """
mutation($input: RequestCreditAccountInput!) {
  requestCreditAccount(input: $input) {
    creditAccountRequest { id status requestedLimit }
    userErrors { code field }
  }
}
"""
ACCEPT = """
mutation($input: AcceptCreditAccountRequestInput!) {
  acceptCreditAccountRequest(input: $input) {
    creditAccountRequest { status previousLimit requestedLimit decisionNote }
    userErrors { code field }
  }
}
"""
REJECT = """
mutation($input: RejectCreditAccountRequestInput!) {
  rejectCreditAccountRequest(input: $input) {
    creditAccountRequest { status decisionNote }
    userErrors { code field }
  }
}
"""
CREATE_INVOICE = """
mutation($input: CreateInvoiceInput!) {
  createInvoice(input: $input) { invoice { id status } userErrors { code field } }
}
"""
VOID_INVOICE = """
mutation($input: VoidInvoiceInput!) {
  voidInvoice(input: $input) { invoice { id status } userErrors { code field } }
}
"""
PAY = """
mutation($input: RecordInvoicePaymentInput!) {
  recordInvoicePayment(input: $input) {
    invoice { status amountPaid amountDue }
    userErrors { code field }
  }
}
"""
ACCOUNT = """
query($id: ID!) {
  node(id: $id) { ... on Account { creditLimit balance overdueBalance availableCredit } }
}
"""
INBOX = "{ notifications(first: 100) { nodes { kind title } } }"  # oldest first
SETTINGS = """
mutation($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) { userErrors { code field } }
}
"""


class World:
    """An admin, a credit team (leader + member), a project manager and an account."""

    admin: Person
    leader: Person
    member: Person
    pm: Person
    accounting: Person
    account: Account
    account_id: str


async def make_world(gql: GraphQLClient) -> World:
    """Staff, a credit team set in company settings, and an account to request credit for."""
    w = World()
    w.admin = await staff(Role.ADMIN, name="Ada Admin")
    w.leader = await staff(Role.ACCOUNTING, name="Lee Leader")
    w.member = await staff(Role.ACCOUNTING, name="Mia Member")
    w.pm = await staff(Role.PROJECT_MANAGER, name="Pat Projects")
    w.accounting = await staff(Role.ACCOUNTING, name="Ann Outsider")
    team = await Team.create(name="Credit", leader_id=w.leader.id)
    await TeamMember.create(team_id=team.id, user_id=w.leader.id)
    await TeamMember.create(team_id=team.id, user_id=w.member.id)
    await gql(SETTINGS, {"input": {"creditTeamId": gid("Team", team.id)}}, w.admin.token)
    w.account = await make_account("Northwind")
    w.account_id = gid("Account", w.account.id)
    return w


async def request_credit(
    gql: GraphQLClient, who: Person, account_id: str, limit: str = "5000.00"
) -> dict[str, Any]:
    """`who` requests a credit limit for an account; the payload, userErrors included."""
    data = await gql(
        REQUEST, {"input": {"accountId": account_id, "requestedLimit": limit}}, who.token
    )
    payload: dict[str, Any] = data["requestCreditAccount"]
    return payload


async def pending_request_id(gql: GraphQLClient, w: World, limit: str = "5000.00") -> str:
    """The world's project manager requests `limit`; the pending request's ID."""
    payload = await request_credit(gql, w.pm, w.account_id, limit)
    assert payload["userErrors"] == []
    request_id: str = payload["creditAccountRequest"]["id"]
    return request_id


async def create_invoice(
    gql: GraphQLClient,
    who: Person,
    account_id: str,
    total: str,
    *,
    number: str,
    due_in_days: int = 30,
    amount_paid: str = "0.00",
) -> str:
    """`who` creates an invoice due in `due_in_days` (negative: overdue); its ID."""
    today = date.today()
    issued = today - timedelta(days=max(0, -due_in_days) + 1)
    data = await gql(
        CREATE_INVOICE,
        {
            "input": {
                "accountId": account_id,
                "number": number,
                "issuedOn": issued.isoformat(),
                "dueOn": (today + timedelta(days=due_in_days)).isoformat(),
                "total": total,
                "amountPaid": amount_paid,
            }
        },
        who.token,
    )
    assert data["createInvoice"]["userErrors"] == [], data
    invoice_id: str = data["createInvoice"]["invoice"]["id"]
    return invoice_id


async def pay(gql: GraphQLClient, who: Person, invoice_id: str, amount: str) -> dict[str, Any]:
    """`who` records a payment of `amount` today; the whole answer, errors included."""
    body = await gql.raw(
        PAY,
        {"input": {"invoiceId": invoice_id, "amount": amount, "paidOn": date.today().isoformat()}},
        who.token,
    )
    return body


async def view_account(gql: GraphQLClient, w: World) -> dict[str, Any]:
    """The world's account's limit, balance, overdue balance and available credit."""
    node: dict[str, Any] = (await gql(ACCOUNT, {"id": w.account_id}, w.admin.token))["node"]
    return node


async def credit_alert_kinds(gql: GraphQLClient, who: Person) -> list[str]:
    """The kinds of `who`'s credit limit notifications, oldest first."""
    data = await gql(INBOX, token=who.token)
    return [
        n["kind"] for n in data["notifications"]["nodes"] if n["kind"].startswith("CREDIT_LIMIT")
    ]
