"""Credit accounts over GraphQL: who requests and decides, balances, payments, alerts, mail."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from api.settings import Settings
from models.accounts import Account
from models.permissions import Role
from models.users import Team, TeamMember
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import Server, StatementCounter
from tests.factories import Person, make_account, staff
from tests.ids import gid
from tests.smtp import SmtpServer, mail_worker

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


async def _world(gql: GraphQLClient) -> World:
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


async def _request(
    gql: GraphQLClient, who: Person, account_id: str, limit: str = "5000.00"
) -> dict[str, Any]:
    data = await gql(
        REQUEST, {"input": {"accountId": account_id, "requestedLimit": limit}}, who.token
    )
    payload: dict[str, Any] = data["requestCreditAccount"]
    return payload


async def _request_id(gql: GraphQLClient, w: World, limit: str = "5000.00") -> str:
    payload = await _request(gql, w.pm, w.account_id, limit)
    assert payload["userErrors"] == []
    request_id: str = payload["creditAccountRequest"]["id"]
    return request_id


async def _invoice(
    gql: GraphQLClient,
    who: Person,
    account_id: str,
    total: str,
    *,
    number: str,
    due_in_days: int = 30,
    amount_paid: str = "0.00",
) -> str:
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


async def _pay(gql: GraphQLClient, who: Person, invoice_id: str, amount: str) -> dict[str, Any]:
    body = await gql.raw(
        PAY,
        {"input": {"invoiceId": invoice_id, "amount": amount, "paidOn": date.today().isoformat()}},
        who.token,
    )
    return body


async def _view(gql: GraphQLClient, w: World) -> dict[str, Any]:
    node: dict[str, Any] = (await gql(ACCOUNT, {"id": w.account_id}, w.admin.token))["node"]
    return node


async def _kinds(gql: GraphQLClient, who: Person) -> list[str]:
    data = await gql(INBOX, token=who.token)
    return [
        n["kind"] for n in data["notifications"]["nodes"] if n["kind"].startswith("CREDIT_LIMIT")
    ]


# --- 1. who may request ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROJECT_MANAGER])
async def test_admins_and_project_managers_may_request(gql: GraphQLClient, role: Role) -> None:
    who = await staff(role)
    account = await make_account()
    payload = await _request(gql, who, gid("Account", account.id))
    assert payload["userErrors"] == []
    assert payload["creditAccountRequest"]["status"] == "PENDING"
    assert payload["creditAccountRequest"]["requestedLimit"] == "5000.00"


@pytest.mark.parametrize(
    "role", [Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNTING, Role.ACCOUNT_MANAGER]
)
async def test_other_staff_may_not_request(gql: GraphQLClient, role: Role) -> None:
    who = await staff(role)
    account = await make_account(manager=who.row if role is Role.ACCOUNT_MANAGER else None)  # type: ignore[arg-type]
    variables = {"input": {"accountId": gid("Account", account.id), "requestedLimit": "10"}}
    assert_forbidden(await gql.raw(REQUEST, variables, who.token))


async def test_anonymous_may_not_request(gql: GraphQLClient) -> None:
    account = await make_account()
    variables = {"input": {"accountId": gid("Account", account.id), "requestedLimit": "10"}}
    assert_unauthenticated(await gql.raw(REQUEST, variables))


async def test_one_pending_request_per_account(gql: GraphQLClient) -> None:
    w = await _world(gql)
    await _request_id(gql, w)
    again = await _request(gql, w.admin, w.account_id, "10.00")
    assert again["creditAccountRequest"] is None
    assert again["userErrors"] == [
        {"code": "CREDIT_REQUEST_PENDING", "field": ["input", "accountId"]}
    ]
    # another account is not held up
    other = await make_account()
    assert (await _request(gql, w.pm, gid("Account", other.id)))["userErrors"] == []


@pytest.mark.parametrize("limit", ["0", "0.00", "-5.00", "10.001"])
async def test_requested_limit_must_be_positive_with_two_decimals(
    gql: GraphQLClient, limit: str
) -> None:
    w = await _world(gql)
    payload = await _request(gql, w.pm, w.account_id, limit)
    assert payload["userErrors"] == [{"code": "INVALID", "field": ["input", "requestedLimit"]}]
    # nothing was stored: a valid request goes through afterwards
    assert (await _request(gql, w.pm, w.account_id))["userErrors"] == []


# --- 2. who may decide ---------------------------------------------------------------


async def test_a_credit_team_member_accepts_and_the_limit_is_set(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w, "1500.00")
    data = await gql(ACCEPT, {"input": {"id": request_id, "note": "Fine."}}, w.member.token)
    assert data["acceptCreditAccountRequest"] == {
        "creditAccountRequest": {
            "status": "ACCEPTED",
            "previousLimit": None,
            "requestedLimit": "1500.00",
            "decisionNote": "Fine.",
        },
        "userErrors": [],
    }
    assert (await _view(gql, w))["creditLimit"] == "1500.00"


async def test_an_admin_accepts_and_the_previous_limit_is_kept(gql: GraphQLClient) -> None:
    w = await _world(gql)
    await Account.filter(id=w.account.id).update(credit_limit=Decimal("700.00"))
    request_id = await _request_id(gql, w, "2500.50")
    data = await gql(ACCEPT, {"input": {"id": request_id}}, w.admin.token)
    request = data["acceptCreditAccountRequest"]["creditAccountRequest"]
    assert request["status"] == "ACCEPTED"
    assert request["previousLimit"] == "700.00"
    assert (await _view(gql, w))["creditLimit"] == "2500.50"


async def test_accounting_outside_the_credit_team_may_not_decide(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w)
    assert_forbidden(await gql.raw(ACCEPT, {"input": {"id": request_id}}, w.accounting.token))
    assert_forbidden(
        await gql.raw(REJECT, {"input": {"id": request_id, "reason": "No."}}, w.accounting.token)
    )
    assert_forbidden(await gql.raw(ACCEPT, {"input": {"id": request_id}}, w.pm.token))
    assert_unauthenticated(await gql.raw(ACCEPT, {"input": {"id": request_id}}))
    # still pending: a member can decide it
    data = await gql(ACCEPT, {"input": {"id": request_id}}, w.leader.token)
    assert data["acceptCreditAccountRequest"]["userErrors"] == []


@pytest.mark.parametrize("reason", ["", "   "])
async def test_a_rejection_needs_a_reason(gql: GraphQLClient, reason: str) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w)
    data = await gql(REJECT, {"input": {"id": request_id, "reason": reason}}, w.member.token)
    assert data["rejectCreditAccountRequest"] == {
        "creditAccountRequest": None,
        "userErrors": [{"code": "REQUIRED", "field": ["input", "reason"]}],
    }
    data = await gql(REJECT, {"input": {"id": request_id, "reason": "Unpaid."}}, w.member.token)
    assert data["rejectCreditAccountRequest"]["creditAccountRequest"] == {
        "status": "REJECTED",
        "decisionNote": "Unpaid.",
    }


async def test_deciding_twice_is_already_decided(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w, "100.00")
    await gql(REJECT, {"input": {"id": request_id, "reason": "No."}}, w.member.token)
    again = await gql(ACCEPT, {"input": {"id": request_id}}, w.admin.token)
    assert again["acceptCreditAccountRequest"] == {
        "creditAccountRequest": None,
        "userErrors": [{"code": "ALREADY_DECIDED", "field": ["input", "id"]}],
    }
    again = await gql(REJECT, {"input": {"id": request_id, "reason": "No!"}}, w.leader.token)
    assert again["rejectCreditAccountRequest"]["userErrors"] == [
        {"code": "ALREADY_DECIDED", "field": ["input", "id"]}
    ]
    # the rejected request did not set a limit
    assert (await _view(gql, w))["creditLimit"] is None


# --- 3. balances ---------------------------------------------------------------------


async def test_balance_counts_open_invoices_only(gql: GraphQLClient) -> None:
    w = await _world(gql)
    await _invoice(gql, w.admin, w.account_id, "0.10", number="A-1")
    await _invoice(gql, w.admin, w.account_id, "0.20", number="A-2")
    view = await _view(gql, w)
    assert (view["balance"], view["overdueBalance"], view["availableCredit"]) == (
        "0.30",
        "0.00",
        None,
    )
    # a PAID invoice (paid at creation), a paid-off one and a VOID one do not count
    await _invoice(gql, w.admin, w.account_id, "50.00", number="A-3", amount_paid="50.00")
    paid = await _invoice(gql, w.admin, w.account_id, "40.00", number="A-4")
    assert "errors" not in await _pay(gql, w.admin, paid, "40.00")
    void = await _invoice(gql, w.admin, w.account_id, "70.00", number="A-5", due_in_days=-5)
    await gql(VOID_INVOICE, {"input": {"id": void}}, w.admin.token)
    view = await _view(gql, w)
    assert (view["balance"], view["overdueBalance"]) == ("0.30", "0.00")


async def test_overdue_is_the_past_due_part_and_available_may_be_negative(
    gql: GraphQLClient,
) -> None:
    w = await _world(gql)
    await Account.filter(id=w.account.id).update(credit_limit=Decimal("100.00"))
    late = await _invoice(gql, w.admin, w.account_id, "60.15", number="B-1", due_in_days=-3)
    await _invoice(gql, w.admin, w.account_id, "0.01", number="B-2", due_in_days=-1)
    await _invoice(gql, w.admin, w.account_id, "40.05", number="B-3", due_in_days=0)
    await _invoice(gql, w.admin, w.account_id, "9.99", number="B-4", due_in_days=10)
    await _pay(gql, w.admin, late, "0.05")
    view = await _view(gql, w)
    assert view == {
        "creditLimit": "100.00",
        "balance": "110.15",
        "overdueBalance": "60.11",
        "availableCredit": "-10.15",
    }


# --- 4. payments -------------------------------------------------------------------------


async def test_payments_partial_full_and_overpaid(gql: GraphQLClient) -> None:
    w = await _world(gql)
    invoice = await _invoice(gql, w.admin, w.account_id, "100.00", number="P-1")
    first = await _pay(gql, w.accounting, invoice, "30.10")
    assert first["data"]["recordInvoicePayment"] == {
        "invoice": {"status": "OPEN", "amountPaid": "30.10", "amountDue": "69.90"},
        "userErrors": [],
    }
    over = await _pay(gql, w.admin, invoice, "69.91")
    assert over["data"]["recordInvoicePayment"] == {
        "invoice": None,
        "userErrors": [{"code": "OVERPAYMENT", "field": ["input", "amount"]}],
    }
    for bad in ["0", "-1.00", "1.005"]:
        wrong = await _pay(gql, w.admin, invoice, bad)
        assert wrong["data"]["recordInvoicePayment"]["userErrors"] == [
            {"code": "INVALID", "field": ["input", "amount"]}
        ]
    rest = await _pay(gql, w.admin, invoice, "69.90")
    assert rest["data"]["recordInvoicePayment"]["invoice"] == {
        "status": "PAID",
        "amountPaid": "100.00",
        "amountDue": "0.00",
    }
    assert (await _view(gql, w))["balance"] == "0.00"
    # a paid invoice takes no more
    after = await _pay(gql, w.admin, invoice, "0.01")
    assert after["data"]["recordInvoicePayment"]["userErrors"][0]["code"] == "INVALID"


async def test_a_dispatcher_may_not_record_payments(gql: GraphQLClient) -> None:
    w = await _world(gql)
    invoice = await _invoice(gql, w.admin, w.account_id, "10.00", number="P-2")
    dispatcher = await staff(Role.DISPATCHER)
    assert_forbidden(await _pay(gql, dispatcher, invoice, "1.00"))
    assert_unauthenticated(
        await gql.raw(
            PAY, {"input": {"invoiceId": invoice, "amount": "1.00", "paidOn": "2026-01-01"}}
        )
    )


async def test_a_void_invoice_takes_no_payment(gql: GraphQLClient) -> None:
    w = await _world(gql)
    invoice = await _invoice(gql, w.admin, w.account_id, "10.00", number="P-3")
    await gql(VOID_INVOICE, {"input": {"id": invoice}}, w.admin.token)
    body = await _pay(gql, w.accounting, invoice, "1.00")
    assert body["data"]["recordInvoicePayment"] == {
        "invoice": None,
        "userErrors": [{"code": "INVALID", "field": ["input", "invoiceId"]}],
    }


# --- 5. alerts ------------------------------------------------------------------------------


async def test_alerts_once_per_upward_crossing_and_rearm(gql: GraphQLClient) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w, "100.00")
    await gql(ACCEPT, {"input": {"id": request_id}}, w.leader.token)
    told = [w.admin, w.leader, w.member]
    first = await _invoice(gql, w.accounting, w.account_id, "85.00", number="C-1")
    for who in told:
        assert await _kinds(gql, who) == ["CREDIT_LIMIT_WARNING"], who.row.name
    assert await _kinds(gql, w.accounting) == []
    assert await _kinds(gql, w.pm) == []
    second = await _invoice(gql, w.accounting, w.account_id, "20.00", number="C-2")
    assert (await _view(gql, w))["balance"] == "105.00"
    for who in told:
        assert await _kinds(gql, who) == ["CREDIT_LIMIT_WARNING", "CREDIT_LIMIT_EXCEEDED"]
    # still over: nothing new
    await _invoice(gql, w.accounting, w.account_id, "1.00", number="C-3")
    for who in told:
        assert len(await _kinds(gql, who)) == 2
    # paying down under 80 % re-arms silently ...
    await _pay(gql, w.accounting, first, "85.00")
    assert (await _view(gql, w))["balance"] == "21.00"
    for who in told:
        assert len(await _kinds(gql, who)) == 2
    # ... so crossing again alerts again
    await _invoice(gql, w.accounting, w.account_id, "60.00", number="C-4")
    for who in told:
        assert (await _kinds(gql, who))[-1] == "CREDIT_LIMIT_WARNING"
        assert len(await _kinds(gql, who)) == 3
    await _pay(gql, w.accounting, second, "20.00")  # 61 -> back under
    await _invoice(gql, w.accounting, w.account_id, "50.00", number="C-5")  # 111: straight over
    for who in told:
        assert (await _kinds(gql, who))[-1] == "CREDIT_LIMIT_EXCEEDED"
        assert len(await _kinds(gql, who)) == 4


async def test_the_warning_percent_comes_from_company_settings(gql: GraphQLClient) -> None:
    w = await _world(gql)
    await gql(SETTINGS, {"input": {"creditWarningPercent": 50}}, w.admin.token)
    request_id = await _request_id(gql, w, "100.00")
    await gql(ACCEPT, {"input": {"id": request_id}}, w.leader.token)
    await _invoice(gql, w.accounting, w.account_id, "49.99", number="D-1")
    assert await _kinds(gql, w.admin) == []
    await _invoice(gql, w.accounting, w.account_id, "0.01", number="D-2")
    assert await _kinds(gql, w.admin) == ["CREDIT_LIMIT_WARNING"]


# --- 6. mail --------------------------------------------------------------------------------


async def test_request_and_rejection_mail_over_smtp(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w, "1234.50")
    worker = mail_worker(settings, smtp)
    await worker.run_once()
    [asked] = smtp.messages
    assert str(w.leader.row.email) in str(asked["To"])
    assert "Northwind" in str(asked["Subject"])
    assert "1234.50" in str(asked["Subject"])
    reason = "Two invoices unpaid since March;\nplease settle <them> first & ask again."
    await gql(REJECT, {"input": {"id": request_id, "reason": reason}}, w.member.token)
    await worker.run_once()
    [_, rejected] = smtp.messages
    assert str(w.pm.row.email) in str(rejected["To"])
    assert "rejected" in str(rejected["Subject"])
    text = rejected.get_body(("plain",))
    assert text is not None
    assert reason in text.get_content().replace("\r\n", "\n")
    html = rejected.get_body(("html",))
    assert html is not None
    assert "please settle &lt;them&gt; first &amp; ask again." in html.get_content()


# --- 7. statements ----------------------------------------------------------------------------


async def test_balances_cost_the_same_for_5_and_50_accounts(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    admin = await staff(Role.ADMIN)
    today = date.today()
    from models.linked_items import Invoice

    for n in range(50):
        account = await make_account()
        if n % 2:
            await Account.filter(id=account.id).update(credit_limit=Decimal("100.00"))
        await Invoice.create(
            account_id=account.id,
            number=f"S-{n}",
            issued_on=today - timedelta(days=40),
            due_on=today - timedelta(days=n % 3),
            total="10.00",
        )
    query = """
    query($n: Int) { accounts(first: $n) { nodes { balance overdueBalance availableCredit } } }
    """
    counts = []
    for first in (5, 50):
        count_statements.statements.clear()
        data = await gql(query, {"n": first}, admin.token)
        assert len(data["accounts"]["nodes"]) == first
        counts.append(count_statements.count)
    assert counts[0] == counts[1], count_statements.statements


# --- 8. concurrency -----------------------------------------------------------------------------


@pytest.mark.services_only
async def test_concurrent_decisions_decide_once(gql: GraphQLClient, server: Server) -> None:
    w = await _world(gql)
    request_id = await _request_id(gql, w, "900.00")

    async def decide(n: int) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            client = GraphQLClient(http)
            if n % 2:
                data = await client(ACCEPT, {"input": {"id": request_id}}, w.admin.token)
                payload: dict[str, Any] = data["acceptCreditAccountRequest"]
            else:
                data = await client(
                    REJECT, {"input": {"id": request_id, "reason": f"No {n}"}}, w.member.token
                )
                payload = data["rejectCreditAccountRequest"]
            return payload

    results = await asyncio.gather(*(decide(n) for n in range(10)))
    won = [r for r in results if r["userErrors"] == []]
    lost = [r for r in results if r["userErrors"]]
    assert len(won) == 1
    assert all(
        r["userErrors"] == [{"code": "ALREADY_DECIDED", "field": ["input", "id"]}] for r in lost
    )
    view = await _view(gql, w)
    expected = "900.00" if won[0]["creditAccountRequest"]["status"] == "ACCEPTED" else None
    assert view["creditLimit"] == expected


@pytest.mark.services_only
async def test_concurrent_invoices_alert_once(gql: GraphQLClient, server: Server) -> None:
    w = await _world(gql)
    await Account.filter(id=w.account.id).update(credit_limit=Decimal("100.00"))
    today = date.today().isoformat()

    async def invoice(n: int) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            data = await GraphQLClient(http)(
                CREATE_INVOICE,
                {
                    "input": {
                        "accountId": w.account_id,
                        "number": f"R-{n}",
                        "issuedOn": today,
                        "dueOn": today,
                        "total": "90.00",
                    }
                },
                w.accounting.token,
            )
            assert data["createInvoice"]["userErrors"] == []

    await asyncio.gather(*(invoice(n) for n in range(8)))
    assert (await _view(gql, w))["balance"] == "720.00"
    # eight invoices at once, each alone would cross: told once of WARNING at most, once OVER
    kinds = await _kinds(gql, w.admin)
    assert kinds.count("CREDIT_LIMIT_EXCEEDED") == 1, kinds
    assert kinds.count("CREDIT_LIMIT_WARNING") <= 1, kinds


@pytest.mark.services_only
async def test_concurrent_requests_leave_one_pending(gql: GraphQLClient, server: Server) -> None:
    w = await _world(gql)

    async def ask(n: int) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            return await _request(GraphQLClient(http), w.pm, w.account_id, f"{n + 1}00.00")

    async def invoice(n: int) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            await _invoice(GraphQLClient(http), w.accounting, w.account_id, "1.00", number=f"Q-{n}")

    results = await asyncio.gather(*(ask(n) for n in range(8)), *(invoice(n) for n in range(4)))
    asked = [r for r in results if r is not None]
    assert sum(1 for r in asked if r["userErrors"] == []) == 1
    assert all(
        r["userErrors"] == [{"code": "CREDIT_REQUEST_PENDING", "field": ["input", "accountId"]}]
        for r in asked
        if r["userErrors"]
    )
    assert (await _view(gql, w))["balance"] == "4.00"
