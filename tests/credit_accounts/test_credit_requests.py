"""Credit account requests over GraphQL: who requests and decides, their mail, racing decisions."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from api.settings import Settings
from models.accounts import Account
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import Server
from tests.credit_accounts.operations import (
    ACCEPT,
    REJECT,
    REQUEST,
)
from tests.credit_accounts.operations import create_invoice as _invoice
from tests.credit_accounts.operations import make_world as _world
from tests.credit_accounts.operations import pending_request_id as _request_id
from tests.credit_accounts.operations import request_credit as _request
from tests.credit_accounts.operations import view_account as _view
from tests.factories import make_account, staff
from tests.ids import gid
from tests.smtp import SmtpServer, mail_worker


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
