"""Creating and changing items: who may, exact money, uniqueness, voiding, notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.accounts import Account
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import Person, make_account, make_site, make_user, portal_contact, staff
from tests.ids import gid

CREATE_TASK = """
mutation($input: CreateTaskInput!) {
  createTask(input: $input) {
    task { id title status assignee { name } account { name } }
    userErrors { code field message }
  }
}
"""
UPDATE_TASK = """
mutation($input: UpdateTaskInput!) {
  updateTask(input: $input) { task { id status assignee { name } } userErrors { code field } }
}
"""
CREATE_APPOINTMENT = """
mutation($input: CreateAppointmentInput!) {
  createAppointment(input: $input) {
    appointment { id status site { name } assignee { name } }
    userErrors { code field message }
  }
}
"""
UPDATE_APPOINTMENT = """
mutation($input: UpdateAppointmentInput!) {
  updateAppointment(input: $input) { appointment { id status } userErrors { code field } }
}
"""
CREATE_RECORD = """
mutation($input: CreateServiceRecordInput!) {
  createServiceRecord(input: $input) {
    serviceRecord { id serviceDate description performedBy { name } }
    userErrors { code field message }
  }
}
"""
CREATE_INVOICE = """
mutation($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    invoice { id number total amountPaid amountDue status }
    userErrors { code field message }
  }
}
"""
VOID_INVOICE = """
mutation($input: VoidInvoiceInput!) {
  voidInvoice(input: $input) {
    invoice { id status total amountDue accountRequests { number } }
    userErrors { code field message }
  }
}
"""
CREATE_MEMO = """
mutation($input: CreateCreditMemoInput!) {
  createCreditMemo(input: $input) {
    creditMemo { id number amount reason }
    userErrors { code field message }
  }
}
"""
ADD_TASK = """
mutation($input: AddTaskToAccountRequestInput!) {
  addTaskToAccountRequest(input: $input) {
    task { id accountRequests { number } } userErrors { code field }
  }
}
"""
ADD_APPOINTMENT = """
mutation($input: AddAppointmentToAccountRequestInput!) {
  addAppointmentToAccountRequest(input: $input) {
    appointment { id accountRequests { number } } userErrors { code field }
  }
}
"""
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
ACCOUNT_ITEMS = """
query($id: ID!) {
  node(id: $id) { ... on Account {
    tasks { totalCount } openTasks: tasks(status: OPEN) { totalCount }
    appointments { totalCount } serviceRecords { totalCount }
    invoices { totalCount } voidInvoices: invoices(status: VOID) { totalCount }
    creditMemos { totalCount }
  } }
}
"""
INBOX = "{ notifications { nodes { kind title subject { __typename id } } } }"

START = datetime(2024, 6, 1, 9, tzinfo=UTC)


def task_input(account: Account, **extra: Any) -> dict[str, Any]:
    return {"input": {"accountId": gid("Account", account.id), "title": "Call back", **extra}}


def appointment_input(account: Account, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "startsAt": START.isoformat(),
            "endsAt": (START + timedelta(hours=1)).isoformat(),
            **extra,
        }
    }


def record_input(account: Account) -> dict[str, Any]:
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "serviceDate": "2024-05-01",
            "description": "Fixed the door",
        }
    }


def invoice_input(account: Account, number: str = "INV-1", **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "number": number,
            "issuedOn": "2024-05-01",
            "dueOn": "2024-05-31",
            "total": "120.50",
            **extra,
        }
    }


def memo_input(account: Account, number: str = "CM-1", **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "number": number,
            "issuedOn": "2024-05-01",
            "amount": "20.00",
            "reason": "Goodwill",
            **extra,
        }
    }


# --- who may create -------------------------------------------------------------------------

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


# --- money ----------------------------------------------------------------------------------


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


# --- tasks and appointments --------------------------------------------------------------


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


async def test_account_lists_items_by_kind_and_status(gql: GraphQLClient) -> None:
    # given
    dispatcher, accounting = await staff(Role.DISPATCHER), await staff(Role.ACCOUNTING)
    account = await make_account()
    contact = await portal_contact(account)
    first = (await gql(CREATE_TASK, task_input(account), dispatcher.token))["createTask"]["task"]
    await gql(CREATE_TASK, task_input(account), dispatcher.token)
    await gql(UPDATE_TASK, {"input": {"id": first["id"], "status": "DONE"}}, dispatcher.token)
    await gql(CREATE_APPOINTMENT, appointment_input(account), dispatcher.token)
    await gql(CREATE_RECORD, record_input(account), dispatcher.token)
    invoice = (await gql(CREATE_INVOICE, invoice_input(account), accounting.token))[
        "createInvoice"
    ]["invoice"]
    await gql(CREATE_INVOICE, invoice_input(account, "INV-2"), accounting.token)
    await gql(VOID_INVOICE, {"input": {"id": invoice["id"]}}, accounting.token)
    await gql(CREATE_MEMO, memo_input(account), accounting.token)
    # when
    staff_view = (await gql(ACCOUNT_ITEMS, {"id": gid("Account", account.id)}, dispatcher.token))[
        "node"
    ]
    portal_view = (await gql(ACCOUNT_ITEMS, {"id": gid("Account", account.id)}, contact.token))[
        "node"
    ]
    # then
    counts = {key: value["totalCount"] for key, value in staff_view.items()}
    assert counts == {
        "tasks": 2,
        "openTasks": 1,
        "appointments": 1,
        "serviceRecords": 1,
        "invoices": 2,
        "voidInvoices": 1,
        "creditMemos": 1,
    }
    assert portal_view["tasks"]["totalCount"] == 0
    assert portal_view["invoices"]["totalCount"] == 2


# --- assignment notifications ------------------------------------------------------------


async def _inbox(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql(INBOX, None, person.token))["notifications"]["nodes"]
    return [n for n in nodes if n["kind"] == "ITEM_ASSIGNED"]


async def test_assigning_a_task_or_appointment_notifies_the_assignee(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    technician = await staff(Role.TECHNICIAN)
    other_tech = await staff(Role.TECHNICIAN)
    account = await make_account()
    request = await make_request(account)
    tech_id = gid("User", technician.id)
    # when: create with an assignee, update to another, add-to-request with one
    created = (await gql(CREATE_TASK, task_input(account, assigneeId=tech_id), dispatcher.token))[
        "createTask"
    ]["task"]
    booked = (await gql(CREATE_APPOINTMENT, appointment_input(account), dispatcher.token))[
        "createAppointment"
    ]["appointment"]
    await gql(
        UPDATE_APPOINTMENT, {"input": {"id": booked["id"], "assigneeId": tech_id}}, dispatcher.token
    )
    await gql(
        UPDATE_TASK,
        {"input": {"id": created["id"], "assigneeId": gid("User", other_tech.id)}},
        dispatcher.token,
    )
    added = await gql(
        ADD_TASK,
        {
            "input": {
                "accountRequestId": request_gid(request),
                "title": "Order parts",
                "assigneeId": tech_id,
            }
        },
        dispatcher.token,
    )
    added_task = added["addTaskToAccountRequest"]["task"]
    # then
    subjects = {
        (n["subject"]["__typename"], n["subject"]["id"]) for n in await _inbox(gql, technician)
    }
    assert subjects == {
        ("Task", created["id"]),
        ("Appointment", booked["id"]),
        ("Task", added_task["id"]),
    }
    assert [n["subject"]["id"] for n in await _inbox(gql, other_tech)] == [created["id"]]
    assert added_task["accountRequests"] == [{"number": request.id}]


async def test_assigning_yourself_sends_nothing(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    me = gid("User", dispatcher.id)
    # when
    await gql(CREATE_TASK, task_input(account, assigneeId=me), dispatcher.token)
    await gql(CREATE_APPOINTMENT, appointment_input(account, assigneeId=me), dispatcher.token)
    await gql(
        ADD_APPOINTMENT,
        {
            "input": {
                "accountRequestId": request_gid(request),
                "startsAt": START.isoformat(),
                "endsAt": (START + timedelta(hours=2)).isoformat(),
                "assigneeId": me,
            }
        },
        dispatcher.token,
    )
    # then
    assert await _inbox(gql, dispatcher) == []


async def test_an_assigned_technician_adds_items_to_their_request(gql: GraphQLClient) -> None:
    # given
    technician = await staff(Role.TECHNICIAN)
    account = await make_account()
    mine = await make_request(account, assignee=technician.user)
    theirs = await make_request(account)
    # when
    added = (
        await gql(
            ADD_TASK,
            {"input": {"accountRequestId": request_gid(mine), "title": "Bring a ladder"}},
            technician.token,
        )
    )["addTaskToAccountRequest"]
    refused = (
        await gql(
            ADD_TASK,
            {"input": {"accountRequestId": request_gid(theirs), "title": "Bring a ladder"}},
            technician.token,
        )
    )["addTaskToAccountRequest"]
    # then
    assert added["userErrors"] == []
    assert added["task"]["accountRequests"] == [{"number": mine.id}]
    assert error_pairs(refused) == [("FORBIDDEN", ["input", "accountRequestId"])]


async def test_adding_to_a_request_fails_as_a_whole(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    bookkeeper = await make_user()  # holds no staff role: not someone work is assigned to
    account = await make_account()
    request = await make_request(account)
    # when
    refused = (
        await gql(
            ADD_TASK,
            {
                "input": {
                    "accountRequestId": request_gid(request),
                    "title": "Call",
                    "assigneeId": gid("User", bookkeeper.id),
                }
            },
            dispatcher.token,
        )
    )["addTaskToAccountRequest"]
    # then
    assert refused["task"] is None
    assert error_pairs(refused) == [("ASSIGNEE_NOT_ELIGIBLE", ["input", "assigneeId"])]
    lists = await gql(ACCOUNT_ITEMS, {"id": gid("Account", account.id)}, dispatcher.token)
    assert lists["node"]["tasks"]["totalCount"] == 0
