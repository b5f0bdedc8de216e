"""Linking items to requests: qualification rules, all or nothing, pickers, who may."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.accounts import Account
from models.base import TimestampedModel
from models.linked_items import (
    Appointment,
    AppointmentStatus,
    CreditMemo,
    Invoice,
    InvoiceStatus,
    RequestInvoice,
    RequestServiceRecord,
    RequestTask,
    ServiceRecord,
    Task,
    TaskStatus,
)
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_codes
from tests.conftest import StatementCounter
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid

LINK = """
mutation($input: LinkAccountRequestItemsInput!) {
  linkAccountRequestItems(input: $input) {
    accountRequest { id linkedItems { totalCount } }
    userErrors { code field message }
  }
}
"""
UNLINK = """
mutation($input: UnlinkAccountRequestItemInput!) {
  unlinkAccountRequestItem(input: $input) {
    accountRequest { id linkedItems { totalCount } }
    userErrors { code field message }
  }
}
"""
LINKED = """
query($id: ID!) {
  node(id: $id) {
    ... on AccountRequest {
      linkedItems { totalCount nodes { __typename
        ... on Task { id } ... on Appointment { id } ... on ServiceRecord { id }
        ... on Invoice { id } ... on CreditMemo { id } } }
      timeline { nodes { kind before after actor { name } } }
    }
  }
}
"""
PICKER = """
query($id: ID!, $kind: ItemKind!) {
  node(id: $id) { ... on AccountRequest { linkableItems(kind: $kind) { totalCount nodes {
    __typename ... on Task { id } ... on Appointment { id } ... on ServiceRecord { id }
    ... on Invoice { id } ... on CreditMemo { id }
  } } } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
MOVE = """
mutation($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { account { name } } userErrors { code field }
  }
}
"""
PAGE = """
query($first: Int!) {
  accountRequests(first: $first) { nodes { id linkedItems { nodes {
    __typename ... on Task { title } ... on Invoice { number }
  } } } }
}
"""

TODAY = date(2024, 5, 1)
_numbers = iter(range(1, 10_000))


async def task(account: Account, status: TaskStatus = TaskStatus.OPEN) -> Task:
    return await Task.create(account_id=account.id, title="Call back", status=status)


async def appointment(
    account: Account, status: AppointmentStatus = AppointmentStatus.PENDING
) -> Appointment:
    start = datetime(2024, 6, 1, 9, tzinfo=UTC)
    return await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=1), status=status
    )


async def record(account: Account) -> ServiceRecord:
    return await ServiceRecord.create(
        account_id=account.id, service_date=TODAY, description="Fixed the door"
    )


async def invoice(account: Account, status: InvoiceStatus = InvoiceStatus.OPEN) -> Invoice:
    return await Invoice.create(
        account_id=account.id,
        number=f"INV-{next(_numbers)}",
        issued_on=TODAY,
        due_on=TODAY,
        total="100.00",
        status=status,
    )


async def memo(account: Account) -> CreditMemo:
    return await CreditMemo.create(
        account_id=account.id,
        number=f"CM-{next(_numbers)}",
        issued_on=TODAY,
        amount="10.00",
        reason="Goodwill",
    )


def ref(row: TimestampedModel) -> str:
    return gid(type(row).__name__, row.id)


async def link(gql: GraphQLClient, token: str, request: Any, ids: list[str]) -> dict[str, Any]:
    data = await gql(
        LINK, {"input": {"accountRequestId": request_gid(request), "itemIds": ids}}, token
    )
    result: dict[str, Any] = data["linkAccountRequestItems"]
    return result


async def unlink(gql: GraphQLClient, token: str, request: Any, item: str) -> dict[str, Any]:
    data = await gql(
        UNLINK, {"input": {"accountRequestId": request_gid(request), "itemId": item}}, token
    )
    result: dict[str, Any] = data["unlinkAccountRequestItem"]
    return result


async def linked(gql: GraphQLClient, token: str, request: Any) -> dict[str, Any]:
    node: dict[str, Any] = (await gql(LINKED, {"id": request_gid(request)}, token))["node"]
    return node


def refused(index: int, code: str, message: str) -> dict[str, Any]:
    return {"code": code, "field": ["input", "itemIds", str(index)], "message": message}


# --- qualification --------------------------------------------------------------------------


async def test_each_rule_refuses_with_its_reason(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    other = await make_account()
    request = await make_request(account)
    cases = [
        (await task(account, TaskStatus.DONE), "NOT_LINKABLE", "The task is done."),
        (
            await appointment(account, AppointmentStatus.COMPLETED),
            "NOT_LINKABLE",
            "The appointment is completed.",
        ),
        (
            await appointment(account, AppointmentStatus.CANCELLED),
            "NOT_LINKABLE",
            "The appointment is cancelled.",
        ),
        (await invoice(account, InvoiceStatus.VOID), "NOT_LINKABLE", "The invoice is void."),
        (await record(other), "NOT_LINKABLE", "The item belongs to another account."),
    ]
    for row, code, message in cases:
        # when
        result = await link(gql, dispatcher.token, request, [ref(row)])
        # then
        assert result["accountRequest"] is None
        assert result["userErrors"] == [refused(0, code, message)]
    for missing in [gid("Task", 999_999), gid("Account", account.id), gid("Invoice", 0)]:
        result = await link(gql, dispatcher.token, request, [missing])
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("NOT_FOUND", ["input", "itemIds", "0"])
        ]
    assert (await linked(gql, dispatcher.token, request))["linkedItems"]["totalCount"] == 0


async def test_every_qualifying_kind_links(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    rows = [
        await task(account),
        await appointment(account),
        await record(account),
        await invoice(account),
        await invoice(account, InvoiceStatus.PAID),
        await memo(account),
    ]
    # when
    result = await link(gql, dispatcher.token, request, [ref(row) for row in rows])
    # then
    assert result["userErrors"] == []
    assert result["accountRequest"]["linkedItems"]["totalCount"] == 6
    node = await linked(gql, dispatcher.token, request)
    assert sorted(n["id"] for n in node["linkedItems"]["nodes"]) == sorted(ref(row) for row in rows)


async def test_a_mixed_batch_links_nothing_and_names_each_bad_item(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    other = await make_account()
    request = await make_request(account)
    good = [await task(account), await record(account)]
    done = await task(account, TaskStatus.DONE)
    foreign = await memo(other)
    ids = [ref(good[0]), ref(done), ref(good[1]), ref(foreign), gid("Task", 999_999)]
    # when
    result = await link(gql, dispatcher.token, request, ids)
    # then
    assert result["accountRequest"] is None
    assert result["userErrors"] == [
        refused(1, "NOT_LINKABLE", "The task is done."),
        refused(3, "NOT_LINKABLE", "The item belongs to another account."),
        {
            "code": "NOT_FOUND",
            "field": ["input", "itemIds", "4"],
            "message": result["userErrors"][2]["message"],
        },
    ]
    node = await linked(gql, dispatcher.token, request)
    assert node["linkedItems"]["totalCount"] == 0
    assert not [e for e in node["timeline"]["nodes"] if e["kind"] == "ITEM_LINKED"]


async def test_relinking_is_a_no_op(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    item = await invoice(account)
    assert (await link(gql, dispatcher.token, request, [ref(item)]))["userErrors"] == []
    # when
    again = await link(gql, dispatcher.token, request, [ref(item), ref(item)])
    # then
    assert again["userErrors"] == []
    assert again["accountRequest"]["linkedItems"]["totalCount"] == 1
    node = await linked(gql, dispatcher.token, request)
    assert [e["after"] for e in node["timeline"]["nodes"] if e["kind"] == "ITEM_LINKED"] == [
        ref(item)
    ]


async def test_unlink_records_the_actor_and_unknown_links_are_not_found(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER, name="Dana Dispatch")
    account = await make_account()
    request = await make_request(account)
    item = await appointment(account)
    never = await record(account)
    await link(gql, dispatcher.token, request, [ref(item)])
    # when
    result = await unlink(gql, dispatcher.token, request, ref(item))
    # then
    assert result["userErrors"] == []
    assert result["accountRequest"]["linkedItems"]["totalCount"] == 0
    events = (await linked(gql, dispatcher.token, request))["timeline"]["nodes"]
    assert {
        "kind": "ITEM_UNLINKED",
        "before": ref(item),
        "after": None,
        "actor": {"name": "Dana Dispatch"},
    } in events
    for missing in [ref(item), ref(never), gid("Task", 999_999), gid("Account", account.id)]:
        again = await unlink(gql, dispatcher.token, request, missing)
        assert [(e["code"], e["field"]) for e in again["userErrors"]] == [
            ("NOT_FOUND", ["input", "itemId"])
        ]


# --- pickers ----------------------------------------------------------------------------------


async def test_pickers_list_exactly_the_candidates(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    other = await make_account()
    request = await make_request(account)
    open_task, linked_task = await task(account), await task(account)
    await task(account, TaskStatus.DONE)
    await task(other)
    pending, linked_pending = await appointment(account), await appointment(account)
    await appointment(account, AppointmentStatus.COMPLETED)
    await appointment(account, AppointmentStatus.CANCELLED)
    await appointment(other)
    records = [await record(account), await record(account)]
    linked_record = await record(account)
    await record(other)
    invoices = [await invoice(account), await invoice(account, InvoiceStatus.PAID)]
    linked_invoice = await invoice(account)
    await invoice(account, InvoiceStatus.VOID)
    await invoice(other)
    memos = [await memo(account)]
    linked_memo = await memo(account)
    await memo(other)
    already = [linked_task, linked_pending, linked_record, linked_invoice, linked_memo]
    assert (await link(gql, dispatcher.token, request, [ref(r) for r in already]))[
        "userErrors"
    ] == []
    expected: dict[str, Sequence[TimestampedModel]] = {
        "TASK": [open_task],
        "APPOINTMENT": [pending],
        "SERVICE_RECORD": records,
        "INVOICE": invoices,
        "CREDIT_MEMO": memos,
    }
    for kind, rows in expected.items():
        # when
        data = await gql(PICKER, {"id": request_gid(request), "kind": kind}, dispatcher.token)
        # then
        picker = data["node"]["linkableItems"]
        assert sorted(n["id"] for n in picker["nodes"]) == sorted(ref(r) for r in rows), kind
        assert picker["totalCount"] == len(rows)


# --- who may ----------------------------------------------------------------------------------


async def test_a_technician_links_only_on_requests_assigned_to_them(gql: GraphQLClient) -> None:
    # given
    technician = await staff(Role.TECHNICIAN)
    account = await make_account()
    mine = await make_request(account, assignee=technician.user)
    theirs = await make_request(account)
    item = await record(account)
    # when
    refused_link = await link(gql, technician.token, theirs, [ref(item)])
    allowed = await link(gql, technician.token, mine, [ref(item)])
    refused_unlink = await unlink(gql, technician.token, theirs, ref(item))
    unlinked = await unlink(gql, technician.token, mine, ref(item))
    # then
    assert [e["code"] for e in refused_link["userErrors"]] == ["FORBIDDEN"]
    assert allowed["userErrors"] == []
    assert [e["code"] for e in refused_unlink["userErrors"]] == ["FORBIDDEN"]
    assert unlinked["userErrors"] == []


async def test_linking_needs_a_signed_in_editor(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    request = await make_request(account)
    item = await record(account)
    contact = await portal_contact(account)
    accounting = await staff(Role.ACCOUNTING)
    link_vars = {"input": {"accountRequestId": request_gid(request), "itemIds": [ref(item)]}}
    unlink_vars = {"input": {"accountRequestId": request_gid(request), "itemId": ref(item)}}
    # when / then
    assert_unauthenticated(await gql.raw(LINK, link_vars))
    assert_unauthenticated(await gql.raw(UNLINK, unlink_vars))
    assert_forbidden(await gql.raw(LINK, link_vars, contact.token))
    # accounting works only requests assigned to it: this one is not
    linked = (await gql(LINK, link_vars, accounting.token))["linkAccountRequestItems"]
    unlinked = (await gql(UNLINK, unlink_vars, accounting.token))["unlinkAccountRequestItem"]
    assert [e["code"] for e in linked["userErrors"] + unlinked["userErrors"]] == [
        "FORBIDDEN",
        "FORBIDDEN",
    ]
    assert_unauthenticated(await gql.raw(PICKER, {"id": request_gid(request), "kind": "TASK"}))


async def test_portal_contacts_see_linked_items_but_never_tasks(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    stranger = await portal_contact(await make_account())
    the_task = await task(account)
    visible = [
        await appointment(account),
        await record(account),
        await invoice(account),
        await memo(account),
    ]
    ids = [ref(the_task)] + [ref(row) for row in visible]
    assert (await link(gql, dispatcher.token, request, ids))["userErrors"] == []
    # when
    seen = await linked(gql, contact.token, request)
    # then
    assert seen["linkedItems"]["totalCount"] == 4
    assert sorted(n["id"] for n in seen["linkedItems"]["nodes"]) == sorted(
        ref(row) for row in visible
    )
    assert "Task" not in {n["__typename"] for n in seen["linkedItems"]["nodes"]}
    assert (await gql(NODE, {"id": ref(the_task)}, contact.token))["node"] is None
    assert (await gql(NODE, {"id": ref(visible[0])}, contact.token))["node"] == {
        "id": ref(visible[0])
    }
    # and a contact of another account sees nothing at all
    assert (await gql(LINKED, {"id": request_gid(request)}, stranger.token))["node"] is None
    for row in [the_task, *visible]:
        assert (await gql(NODE, {"id": ref(row)}, stranger.token))["node"] is None


# --- moving a request -------------------------------------------------------------------------


async def test_a_request_with_links_stays_on_its_account(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    target = await make_account("Target Inc")
    request = await make_request(account)
    rows = [await task(account), await invoice(account)]
    await link(gql, dispatcher.token, request, [ref(row) for row in rows])
    move = {"input": {"id": request_gid(request), "accountId": gid("Account", target.id)}}
    # when
    refused_move = (await gql(MOVE, move, dispatcher.token))["updateAccountRequest"]
    # then
    assert refused_move["userErrors"] == [
        {"code": "HAS_LINKED_ITEMS", "field": ["input", "accountId"]}
    ]
    # and after unlinking everything the move goes through
    for row in rows:
        assert (await unlink(gql, dispatcher.token, request, ref(row)))["userErrors"] == []
    moved = (await gql(MOVE, move, dispatcher.token))["updateAccountRequest"]
    assert moved["userErrors"] == []
    assert moved["accountRequest"]["account"] == {"name": "Target Inc"}


# --- statements -------------------------------------------------------------------------------


async def _requests_with_links(count: int, account: Account) -> None:
    for _ in range(count):
        request = await make_request(account)
        the_task, the_invoice = await task(account), await invoice(account)
        await RequestTask.create(request_id=request.id, task_id=the_task.id)
        await RequestInvoice.create(request_id=request.id, invoice_id=the_invoice.id)
        the_record = await record(account)
        await RequestServiceRecord.create(request_id=request.id, service_record_id=the_record.id)


async def test_linked_items_cost_the_same_for_5_and_50_requests(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    await _requests_with_links(50, account)
    costs = []
    for first in (5, 50):
        # when
        count_statements.statements.clear()
        data = await gql(PAGE, {"first": first}, dispatcher.token)
        costs.append(count_statements.count)
        # then
        nodes = data["accountRequests"]["nodes"]
        assert len(nodes) == first
        assert all(len(node["linkedItems"]["nodes"]) == 3 for node in nodes)
    assert costs[0] == costs[1], costs


async def test_an_inactive_accounts_requests_take_no_links(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account(active=False)
    request = await make_request(account)
    item = await record(account)
    # when
    result = await link(gql, dispatcher.token, request, [ref(item)])
    # then
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("ACCOUNT_INACTIVE", ["input", "accountRequestId"])
    ]


async def test_a_batch_takes_at_most_100_well_formed_ids(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    item = await record(account)
    # when
    too_many = await gql.raw(
        LINK,
        {"input": {"accountRequestId": request_gid(request), "itemIds": [ref(item)] * 101}},
        dispatcher.token,
    )
    malformed = await gql.raw(
        LINK,
        {"input": {"accountRequestId": request_gid(request), "itemIds": [ref(item), "nope"]}},
        dispatcher.token,
    )
    # then
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert error_codes(malformed) == ["BAD_USER_INPUT"]
