"""The main path of an account request, end to end over HTTP."""

from __future__ import annotations

from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.factories import make_account, make_contact, staff
from tests.ids import gid

CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest {
      id number status source note
      account { name } type { name } assignee { name } contact { name } createdBy { name }
      nextStatuses
      timeline { totalCount nodes { kind before after actor { name } } }
    }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { status assignee { name } timeline(first: 1) { nodes { kind before after } } }
    userErrors { code field message }
  }
}
"""
LIST = """
query List($filter: AccountRequestFilter, $orderBy: AccountRequestOrder) {
  accountRequests(first: 10, filter: $filter, orderBy: $orderBy) {
    totalCount nodes { number status account { name } }
  }
  accountRequestCounts(filter: $filter) { total byStatus { status count } }
}
"""


async def test_create_edit_and_list(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER, name="Dan Dispatcher")
    tech = await staff(Role.TECHNICIAN, name="Tia Tech")
    account = await make_account("Northwind")
    contact = await make_contact(account, name="Carol Customer")
    billing = await AccountRequestType.create(name="Billing", default_assignee_id=tech.id)
    # when a dispatcher creates a request
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.id),
                "typeId": gid("AccountRequestType", billing.id),
                "contactId": gid("Contact", contact.id),
                "note": "Invoice 42 looks wrong",
            }
        },
        token=dispatcher.token,
    )
    # then
    payload = created["createAccountRequest"]
    assert payload["userErrors"] == []
    request = payload["accountRequest"]
    assert request["status"] == "OPEN"
    assert request["source"] == "STAFF"
    assert request["assignee"] == {"name": "Tia Tech"}
    assert request["contact"] == {"name": "Carol Customer"}
    assert [e["kind"] for e in request["timeline"]["nodes"]] == ["ASSIGNED", "CREATED"]
    # when the technician moves it on, then completes it, then tries to reopen it
    step = await gql(
        UPDATE, {"input": {"id": request["id"], "status": "IN_PROGRESS"}}, token=tech.token
    )
    assert step["updateAccountRequest"]["userErrors"] == []
    done = await gql(UPDATE, {"input": {"id": request["id"], "status": "COMPLETED"}}, tech.token)
    assert done["updateAccountRequest"]["accountRequest"]["timeline"]["nodes"] == [
        {"kind": "STATUS_CHANGED", "before": "IN_PROGRESS", "after": "COMPLETED"}
    ]
    reopen = await gql(UPDATE, {"input": {"id": request["id"], "status": "OPEN"}}, tech.token)
    assert reopen["updateAccountRequest"]["userErrors"][0]["code"] == "FORBIDDEN"
    bad = await gql(
        UPDATE, {"input": {"id": request["id"], "status": "WAITING_ON_CUSTOMER"}}, dispatcher.token
    )
    assert bad["updateAccountRequest"]["userErrors"][0]["code"] == "TRANSITION_NOT_ALLOWED"
    assert "IN_PROGRESS, OPEN" in bad["updateAccountRequest"]["userErrors"][0]["message"]
    # and the lists agree
    listed = await gql(LIST, {"filter": {"statuses": ["COMPLETED"]}}, token=dispatcher.token)
    assert listed["accountRequests"]["totalCount"] == 1
    assert listed["accountRequestCounts"]["total"] == 1
    by_name = await gql(
        LIST, {"orderBy": {"field": "ACCOUNT_NAME", "direction": "ASC"}}, token=dispatcher.token
    )
    assert by_name["accountRequests"]["nodes"][0]["account"] == {"name": "Northwind"}
