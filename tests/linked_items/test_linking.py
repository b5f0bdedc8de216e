"""Linking items to requests: qualification rules, all or nothing, pickers, who may."""

from __future__ import annotations

from collections.abc import Sequence

from models.base import TimestampedModel
from models.linked_items import (
    AppointmentStatus,
    InvoiceStatus,
    TaskStatus,
)
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid
from tests.linked_items.operations import LINK, LINKED, UNLINK, link, linked, refused, unlink
from tests.linked_items.rows import appointment, invoice, memo, record, ref, task

PICKER = """
query($id: ID!, $kind: ItemKind!) {
  node(id: $id) { ... on AccountRequest { linkableItems(kind: $kind) { totalCount nodes {
    __typename ... on Task { id } ... on Appointment { id } ... on ServiceRecord { id }
    ... on Invoice { id } ... on CreditMemo { id }
  } } } }
}
"""


NODE = "query($id: ID!) { node(id: $id) { id } }"


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
