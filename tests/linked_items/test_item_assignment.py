"""Items on accounts and requests: listing by kind, assignment notices, adding to a request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, error_pairs
from tests.factories import Person, make_account, make_user, portal_contact, staff
from tests.ids import gid
from tests.linked_items.operations import (
    ACCOUNT_ITEMS,
    ADD_APPOINTMENT,
    ADD_TASK,
    CREATE_APPOINTMENT,
    CREATE_INVOICE,
    CREATE_MEMO,
    CREATE_RECORD,
    CREATE_TASK,
    START,
    UPDATE_APPOINTMENT,
    UPDATE_TASK,
    VOID_INVOICE,
    appointment_input,
    invoice_input,
    memo_input,
    record_input,
    task_input,
)


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


INBOX = "{ notifications { nodes { kind title subject { __typename id } } } }"


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
