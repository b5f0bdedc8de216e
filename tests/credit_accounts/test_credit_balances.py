"""Credit account balances over GraphQL: invoices, payments, limit alerts and their cost."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from models.accounts import Account
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import Server, StatementCounter
from tests.credit_accounts.operations import (
    ACCEPT,
    CREATE_INVOICE,
    PAY,
    SETTINGS,
    VOID_INVOICE,
)
from tests.credit_accounts.operations import create_invoice as _invoice
from tests.credit_accounts.operations import credit_alert_kinds as _kinds
from tests.credit_accounts.operations import make_world as _world
from tests.credit_accounts.operations import pay as _pay
from tests.credit_accounts.operations import pending_request_id as _request_id
from tests.credit_accounts.operations import view_account as _view
from tests.factories import make_account, staff


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
