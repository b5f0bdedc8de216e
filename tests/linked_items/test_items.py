"""Creating and changing items: who may, exact money, uniqueness, voiding, appointment times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.linked_items.operations import (
    CREATE_APPOINTMENT,
    CREATE_INVOICE,
    CREATE_MEMO,
    CREATE_RECORD,
    CREATE_TASK,
    START,
    UPDATE_APPOINTMENT,
    VOID_INVOICE,
    appointment_input,
    invoice_input,
    memo_input,
    record_input,
    task_input,
)

LINK = """
mutation($input: LinkAccountRequestItemsInput!) {
  linkAccountRequestItems(input: $input) { userErrors { code field message } }
}
"""


REQUEST = """
query($id: ID!) {
  node(id: $id) { ... on AccountRequest {
    linkedItems { nodes { __typename ... on Invoice { id status amountDue } } }
    timeline { nodes { kind after } }
  } }
}
"""


WORK = [
    (CREATE_TASK, "createTask", task_input),
    (CREATE_APPOINTMENT, "createAppointment", appointment_input),
    (CREATE_RECORD, "createServiceRecord", record_input),
]


BILLING = [
    (CREATE_INVOICE, "createInvoice", invoice_input),
    (CREATE_MEMO, "createCreditMemo", memo_input),
]


@pytest.mark.parametrize(("mutation", "name", "variables"), WORK)
async def test_staff_who_work_requests_create_tasks_appointments_and_records(
    gql: GraphQLClient, mutation: str, name: str, variables: Any
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    own = await make_account(manager=manager.user)
    other = await make_account()
    dispatcher = await staff(Role.DISPATCHER)
    # when / then
    assert (await gql(mutation, variables(other), dispatcher.token))[name]["userErrors"] == []
    assert (await gql(mutation, variables(own), manager.token))[name]["userErrors"] == []
    refused = (await gql(mutation, variables(other), manager.token))[name]
    assert error_pairs(refused) in (
        [("NOT_FOUND", ["input", "accountId"])],
        [("FORBIDDEN", ["input", "accountId"])],
    )
    for role in (Role.TECHNICIAN, Role.ACCOUNTING):
        assert_forbidden(await gql.raw(mutation, variables(own), (await staff(role)).token))
    assert_forbidden(await gql.raw(mutation, variables(own), (await portal_contact(own)).token))
    assert_unauthenticated(await gql.raw(mutation, variables(own)))


@pytest.mark.parametrize(("mutation", "name", "variables"), BILLING)
async def test_billing_staff_create_invoices_and_credit_memos(
    gql: GraphQLClient, mutation: str, name: str, variables: Any
) -> None:
    # given
    account = await make_account()
    admin, accounting = await staff(Role.ADMIN), await staff(Role.ACCOUNTING)
    # when / then
    assert (await gql(mutation, variables(account, "N-1"), admin.token))[name]["userErrors"] == []
    created = (await gql(mutation, variables(account, "N-2"), accounting.token))[name]
    assert created["userErrors"] == []
    for role in (Role.DISPATCHER, Role.ACCOUNT_MANAGER, Role.TECHNICIAN):
        token = (await staff(role)).token
        assert_forbidden(await gql.raw(mutation, variables(account, "N-3"), token))
    assert_unauthenticated(await gql.raw(mutation, variables(account, "N-3")))


async def test_voiding_needs_billing_staff(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    accounting = await staff(Role.ACCOUNTING)
    created = await gql(CREATE_INVOICE, invoice_input(account), accounting.token)
    void = {"input": {"id": created["createInvoice"]["invoice"]["id"]}}
    # when / then
    assert_unauthenticated(await gql.raw(VOID_INVOICE, void))
    assert_forbidden(await gql.raw(VOID_INVOICE, void, (await staff(Role.DISPATCHER)).token))
    admin = await staff(Role.ADMIN)
    assert (await gql(VOID_INVOICE, void, admin.token))["voidInvoice"]["userErrors"] == []
    again = (await gql(VOID_INVOICE, void, accounting.token))["voidInvoice"]
    assert error_pairs(again) == [("INVALID", ["input", "id"])]


async def test_amounts_round_trip_as_exact_decimal_strings(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    accounting = await staff(Role.ACCOUNTING)
    # when
    created = (
        await gql(CREATE_INVOICE, invoice_input(account, amountPaid="20.25"), accounting.token)
    )["createInvoice"]
    memo = (await gql(CREATE_MEMO, memo_input(account, amount="0.10"), accounting.token))[
        "createCreditMemo"
    ]
    # then
    assert created["userErrors"] == []
    assert created["invoice"] | {"id": None} == {
        "id": None,
        "number": "INV-1",
        "total": "120.50",
        "amountPaid": "20.25",
        "amountDue": "100.25",
        "status": "OPEN",
    }
    assert memo["creditMemo"]["amount"] == "0.10"
    read = await gql(
        "query($id: ID!) { node(id: $id) { ... on Invoice { total amountPaid amountDue } } }",
        {"id": created["invoice"]["id"]},
        accounting.token,
    )
    assert read["node"] == {"total": "120.50", "amountPaid": "20.25", "amountDue": "100.25"}
    paid = (
        await gql(
            CREATE_INVOICE,
            invoice_input(account, "INV-2", total="10", amountPaid="10.0"),
            accounting.token,
        )
    )["createInvoice"]["invoice"]
    assert paid | {"id": None} == {
        "id": None,
        "number": "INV-2",
        "total": "10.00",
        "amountPaid": "10.00",
        "amountDue": "0.00",
        "status": "PAID",
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"total": "1.005"}, "total"),
        ({"total": "-5.00"}, "total"),
        ({"amountPaid": "-1.00"}, "amountPaid"),
        ({"amountPaid": "0.001"}, "amountPaid"),
        ({"amountPaid": "120.51"}, "amountPaid"),
        ({"dueOn": "2024-04-30"}, "dueOn"),
        ({"total": "1000000000000.00"}, "total"),
    ],
)
async def test_bad_invoice_amounts_and_dates_are_invalid(
    gql: GraphQLClient, extra: dict[str, str], field: str
) -> None:
    # given
    account = await make_account()
    accounting = await staff(Role.ACCOUNTING)
    # when
    result = (await gql(CREATE_INVOICE, invoice_input(account, **extra), accounting.token))[
        "createInvoice"
    ]
    # then
    assert result["invoice"] is None
    assert error_pairs(result) == [("INVALID", ["input", field])]


@pytest.mark.parametrize("amount", ["0.00", "-1.00", "2.345"])
async def test_bad_credit_memo_amounts_are_invalid(gql: GraphQLClient, amount: str) -> None:
    account = await make_account()
    accounting = await staff(Role.ACCOUNTING)
    result = (await gql(CREATE_MEMO, memo_input(account, amount=amount), accounting.token))[
        "createCreditMemo"
    ]
    assert error_pairs(result) == [("INVALID", ["input", "amount"])]


async def test_invoice_and_credit_memo_numbers_are_unique(gql: GraphQLClient) -> None:
    # given
    account, other = await make_account(), await make_account()
    accounting = await staff(Role.ACCOUNTING)
    await gql(CREATE_INVOICE, invoice_input(account, "N-1"), accounting.token)
    await gql(CREATE_MEMO, memo_input(account, "N-1"), accounting.token)
    # when
    invoice = (await gql(CREATE_INVOICE, invoice_input(other, " N-1 "), accounting.token))[
        "createInvoice"
    ]
    memo = (await gql(CREATE_MEMO, memo_input(other, "N-1"), accounting.token))["createCreditMemo"]
    # then
    assert error_pairs(invoice) == [("DUPLICATE", ["input", "number"])]
    assert error_pairs(memo) == [("DUPLICATE", ["input", "number"])]


async def test_voiding_keeps_the_link_and_the_timeline(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    accounting, dispatcher = await staff(Role.ACCOUNTING), await staff(Role.DISPATCHER)
    request = await make_request(account)
    invoice = (await gql(CREATE_INVOICE, invoice_input(account), accounting.token))[
        "createInvoice"
    ]["invoice"]
    linked = await gql(
        LINK,
        {"input": {"accountRequestId": request_gid(request), "itemIds": [invoice["id"]]}},
        dispatcher.token,
    )
    assert linked["linkAccountRequestItems"]["userErrors"] == []
    # when
    void = (await gql(VOID_INVOICE, {"input": {"id": invoice["id"]}}, accounting.token))[
        "voidInvoice"
    ]
    # then
    assert void["userErrors"] == []
    assert void["invoice"] | {"id": None} == {
        "id": None,
        "status": "VOID",
        "total": "120.50",
        "amountDue": "0.00",
        "accountRequests": [{"number": request.id}],
    }
    node = (await gql(REQUEST, {"id": request_gid(request)}, dispatcher.token))["node"]
    assert node["linkedItems"]["nodes"] == [
        {"__typename": "Invoice", "id": invoice["id"], "status": "VOID", "amountDue": "0.00"}
    ]
    assert {"kind": "ITEM_LINKED", "after": invoice["id"]} in node["timeline"]["nodes"]


async def test_appointments_check_their_times_and_site(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account, other = await make_account(), await make_account()
    site, foreign = await make_site(account, "Depot"), await make_site(other)
    # when
    backwards = appointment_input(account, endsAt=(START - timedelta(hours=1)).isoformat())
    refused = (await gql(CREATE_APPOINTMENT, backwards, dispatcher.token))["createAppointment"]
    wrong_site = appointment_input(account, siteId=gid("Site", foreign.id))
    misplaced = (await gql(CREATE_APPOINTMENT, wrong_site, dispatcher.token))["createAppointment"]
    good = appointment_input(account, siteId=gid("Site", site.id))
    booked = (await gql(CREATE_APPOINTMENT, good, dispatcher.token))["createAppointment"]
    # then
    assert error_pairs(refused) == [("INVALID", ["input", "endsAt"])]
    assert error_pairs(misplaced) == [("INVALID", ["input", "siteId"])]
    assert booked["appointment"]["site"] == {"name": "Depot"}
    assert booked["appointment"]["status"] == "PENDING"
    done = await gql(
        UPDATE_APPOINTMENT,
        {"input": {"id": booked["appointment"]["id"], "status": "COMPLETED"}},
        dispatcher.token,
    )
    assert done["updateAppointment"]["appointment"]["status"] == "COMPLETED"
