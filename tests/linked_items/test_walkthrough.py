"""The seed article end to end: a dispatcher adds, picks, links and sees all five kinds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.linked_items import CreditMemo, Invoice, ServiceRecord
from models.permissions import Role
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.factories import make_account, make_site, staff
from tests.ids import gid

ADD_TASK = """
mutation($input: AddTaskToAccountRequestInput!) {
  addTaskToAccountRequest(input: $input) { task { id title status } userErrors { code field } }
}
"""
ADD_APPOINTMENT = """
mutation($input: AddAppointmentToAccountRequestInput!) {
  addAppointmentToAccountRequest(input: $input) { appointment { id } userErrors { code } }
}
"""
PICKER = """
query($id: ID!, $kind: ItemKind!) {
  node(id: $id) { ... on AccountRequest { linkableItems(kind: $kind) { nodes {
    __typename ... on Invoice { id number } ... on ServiceRecord { id } ... on CreditMemo { id }
  } } } }
}
"""
LINK = """
mutation($input: LinkAccountRequestItemsInput!) {
  linkAccountRequestItems(input: $input) {
    accountRequest { id }
    userErrors { code field message }
  }
}
"""
DETAIL = """
query($id: ID!) {
  node(id: $id) {
    ... on AccountRequest {
      linkedItems {
        totalCount
        nodes { __typename ... on Task { title accountRequests { number } } }
      }
      timeline { nodes { kind after } }
    }
  }
}
"""


async def test_add_pick_link_and_read_all_five(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account("Northwind")
    site = await make_site(account, "Warehouse")
    request = await make_request(account)
    request_id = gid("AccountRequest", request.id)
    today = date.today()
    record = await ServiceRecord.create(
        account_id=account.id, site_id=site.id, service_date=today, description="Fixed door"
    )
    invoice = await Invoice.create(
        account_id=account.id, number="INV-1", issued_on=today, due_on=today, total="120.00"
    )
    void = await Invoice.create(
        account_id=account.id,
        number="INV-2",
        issued_on=today,
        due_on=today,
        total="5.00",
        status="VOID",
    )
    memo = await CreditMemo.create(
        account_id=account.id, number="CM-1", issued_on=today, amount="20.00", reason="Goodwill"
    )
    # when the dispatcher adds a task and an appointment
    task = await gql(
        ADD_TASK,
        {"input": {"accountRequestId": request_id, "title": "Call back"}},
        dispatcher.token,
    )
    assert task["addTaskToAccountRequest"]["userErrors"] == []
    start = datetime.now(UTC) + timedelta(days=1)
    appointment = await gql(
        ADD_APPOINTMENT,
        {
            "input": {
                "accountRequestId": request_id,
                "startsAt": start.isoformat(),
                "endsAt": (start + timedelta(hours=1)).isoformat(),
                "siteId": gid("Site", site.id),
            }
        },
        dispatcher.token,
    )
    assert appointment["addAppointmentToAccountRequest"]["userErrors"] == []
    # and picks the invoice (the void one is not offered), the record and the memo
    picker = await gql(PICKER, {"id": request_id, "kind": "INVOICE"}, dispatcher.token)
    assert picker["node"]["linkableItems"]["nodes"] == [
        {"__typename": "Invoice", "id": gid("Invoice", invoice.id), "number": "INV-1"}
    ]
    ids = [
        gid("Invoice", invoice.id),
        gid("ServiceRecord", record.id),
        gid("CreditMemo", memo.id),
    ]
    linked = await gql(
        LINK, {"input": {"accountRequestId": request_id, "itemIds": ids}}, dispatcher.token
    )
    assert linked["linkAccountRequestItems"]["userErrors"] == []
    # then all five show on the request and in its timeline
    detail = (await gql(DETAIL, {"id": request_id}, dispatcher.token))["node"]
    assert detail["linkedItems"]["totalCount"] == 5
    kinds = sorted(n["__typename"] for n in detail["linkedItems"]["nodes"])
    assert kinds == ["Appointment", "CreditMemo", "Invoice", "ServiceRecord", "Task"]
    [task_node] = [n for n in detail["linkedItems"]["nodes"] if n["__typename"] == "Task"]
    assert task_node["accountRequests"] == [{"number": request.id}]
    linked_events = [e for e in detail["timeline"]["nodes"] if e["kind"] == "ITEM_LINKED"]
    assert len(linked_events) == 5
    # a void invoice is refused with its reason, and nothing of the batch is linked
    refused = await gql(
        LINK,
        {"input": {"accountRequestId": request_id, "itemIds": [gid("Invoice", void.id)]}},
        dispatcher.token,
    )
    assert refused["linkAccountRequestItems"]["userErrors"] == [
        {
            "code": "NOT_LINKABLE",
            "field": ["input", "itemIds", "0"],
            "message": "The invoice is void.",
        }
    ]
