"""The GraphQL documents linked item tests send, and the calls sending them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts import Account
from tests.account_requests.rows import request_gid
from tests.client import (
    GraphQLClient,
)
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


START = datetime(2024, 6, 1, 9, tzinfo=UTC)


def task_input(account: Account, **extra: Any) -> dict[str, Any]:
    """Variables creating a task on `account`; `extra` adds or replaces input fields."""
    return {"input": {"accountId": gid("Account", account.id), "title": "Call back", **extra}}


def appointment_input(account: Account, **extra: Any) -> dict[str, Any]:
    """Variables creating a one-hour appointment at START on `account`; `extra` adds fields."""
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "startsAt": START.isoformat(),
            "endsAt": (START + timedelta(hours=1)).isoformat(),
            **extra,
        }
    }


def record_input(account: Account) -> dict[str, Any]:
    """Variables creating a service record on `account`."""
    return {
        "input": {
            "accountId": gid("Account", account.id),
            "serviceDate": "2024-05-01",
            "description": "Fixed the door",
        }
    }


def invoice_input(account: Account, number: str = "INV-1", **extra: Any) -> dict[str, Any]:
    """Variables creating invoice `number` on `account`; `extra` adds or replaces fields."""
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
    """Variables creating credit memo `number` on `account`; `extra` adds or replaces fields."""
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


async def link(gql: GraphQLClient, token: str, request: Any, ids: list[str]) -> dict[str, Any]:
    """`token` links these item IDs to `request`; the payload, userErrors included."""
    data = await gql(
        LINK, {"input": {"accountRequestId": request_gid(request), "itemIds": ids}}, token
    )
    result: dict[str, Any] = data["linkAccountRequestItems"]
    return result


async def unlink(gql: GraphQLClient, token: str, request: Any, item: str) -> dict[str, Any]:
    """`token` unlinks one item from `request`; the payload, userErrors included."""
    data = await gql(
        UNLINK, {"input": {"accountRequestId": request_gid(request), "itemId": item}}, token
    )
    result: dict[str, Any] = data["unlinkAccountRequestItem"]
    return result


async def linked(gql: GraphQLClient, token: str, request: Any) -> dict[str, Any]:
    """`request` as `token` sees it: its linked items and its timeline."""
    node: dict[str, Any] = (await gql(LINKED, {"id": request_gid(request)}, token))["node"]
    return node


def refused(index: int, code: str, message: str) -> dict[str, Any]:
    """The userError refusing the item at `index` of the input with `code` and `message`."""
    return {"code": code, "field": ["input", "itemIds", str(index)], "message": message}
