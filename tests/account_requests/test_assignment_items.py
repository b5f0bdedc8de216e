"""Tasks and appointments follow the assignment rule of requests (issue 22, 1-2).

Their assignee must see the item's account; once assigned, the item opens for them
(the ITEM_ASSIGNED notification leads to it) and they may work it, whoever manages
the account.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.linked_items import Appointment, Task
from models.permissions import Role
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient, error_pairs
from tests.factories import make_account, staff
from tests.ids import gid

CREATE_TASK = """
mutation($input: CreateTaskInput!) {
  createTask(input: $input) { task { id assignee { name } } userErrors { code field message } }
}
"""
UPDATE_TASK = """
mutation($input: UpdateTaskInput!) {
  updateTask(input: $input) { task { id status account { name } } userErrors { code field } }
}
"""
CREATE_APPOINTMENT = """
mutation($input: CreateAppointmentInput!) {
  createAppointment(input: $input) {
    appointment { id assignee { name } } userErrors { code field message }
  }
}
"""
UPDATE_APPOINTMENT = """
mutation($input: UpdateAppointmentInput!) {
  updateAppointment(input: $input) { appointment { id status } userErrors { code field } }
}
"""
OPEN = """
query($id: ID!) {
  node(id: $id) {
    ... on Task { title account { name } }
    ... on Appointment { status account { name } }
  }
}
"""
INBOX = """
query {
  notifications(first: 20) {
    nodes { kind subject { __typename ... on Task { title } ... on Appointment { status } } }
  }
}
"""
START = datetime(2031, 5, 6, 9, 0, tzinfo=UTC)


def _slot() -> dict[str, str]:
    return {"startsAt": START.isoformat(), "endsAt": (START + timedelta(hours=1)).isoformat()}


async def _create(
    gql: GraphQLClient, token: str, kind: str, account_id: int, assignee_id: int
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "accountId": gid("Account", account_id),
        "assigneeId": gid("User", assignee_id),
    }
    if kind == "task":
        data = await gql(CREATE_TASK, {"input": {**fields, "title": "Call back"}}, token)
        payload: dict[str, Any] = data["createTask"]
    else:
        data = await gql(CREATE_APPOINTMENT, {"input": {**fields, **_slot()}}, token)
        payload = data["createAppointment"]
    return payload


@pytest.mark.parametrize("kind", ["task", "appointment"])
async def test_an_item_cannot_go_to_a_manager_of_another_account(
    gql: GraphQLClient, kind: str
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    account = await make_account("Acme")
    # when
    payload = await _create(gql, dispatcher.token, kind, account.id, manager.id)
    # then
    assert error_pairs(payload) == [("ASSIGNEE_CANNOT_SEE_ACCOUNT", ["input", "assigneeId"])]
    assert await Task.all().count() + await Appointment.all().count() == 0


@pytest.mark.parametrize("kind", ["task", "appointment"])
async def test_a_manager_keeps_their_items_after_losing_the_account(
    gql: GraphQLClient, kind: str
) -> None:
    # given Mona manages Acme and is given an item of it
    dispatcher = await staff(Role.DISPATCHER)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    acme = await make_account("Acme", manager=mona.user)
    created = await _create(gql, dispatcher.token, kind, acme.id, mona.id)
    assert created["userErrors"] == []
    item_id = created["task" if kind == "task" else "appointment"]["id"]

    # when Acme is taken from her
    await set_manager(gql, dispatcher, acme.id, None)

    # then the item, its account and its notification still open for her, and she works it
    opened = (await gql(OPEN, {"id": item_id}, mona.token))["node"]
    assert opened is not None and opened["account"] == {"name": "Acme"}
    inbox = (await gql(INBOX, token=mona.token))["notifications"]["nodes"]
    assert [n["subject"] is not None for n in inbox if n["kind"] == "ITEM_ASSIGNED"] == [True]
    if kind == "task":
        done = (await gql(UPDATE_TASK, {"input": {"id": item_id, "status": "DONE"}}, mona.token))[
            "updateTask"
        ]
    else:
        done = (
            await gql(
                UPDATE_APPOINTMENT, {"input": {"id": item_id, "status": "COMPLETED"}}, mona.token
            )
        )["updateAppointment"]
    assert done["userErrors"] == []


async def _update(gql: GraphQLClient, token: str, kind: str, item_id: str) -> dict[str, Any]:
    if kind == "task":
        data = await gql(UPDATE_TASK, {"input": {"id": item_id, "status": "DONE"}}, token)
        payload: dict[str, Any] = data["updateTask"]
    else:
        variables = {"input": {"id": item_id, "status": "COMPLETED"}}
        payload = (await gql(UPDATE_APPOINTMENT, variables, token))["updateAppointment"]
    return payload


@pytest.mark.parametrize("kind", ["task", "appointment"])
@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ACCOUNTING], ids=lambda r: r.value)
async def test_an_assignee_works_their_item_and_no_one_elses(
    gql: GraphQLClient, kind: str, role: Role
) -> None:
    # given an item assigned to them and one assigned to a colleague
    dispatcher = await staff(Role.DISPATCHER)
    worker, colleague = await staff(role), await staff(role)
    account = await make_account("Acme")
    mine = await _create(gql, dispatcher.token, kind, account.id, worker.id)
    theirs = await _create(gql, dispatcher.token, kind, account.id, colleague.id)
    key = "task" if kind == "task" else "appointment"
    # when they close each
    done = await _update(gql, worker.token, kind, mine[key]["id"])
    refused = await _update(gql, worker.token, kind, theirs[key]["id"])
    # then their own is done, the other one refused and unchanged
    assert done["userErrors"] == []
    assert done[key]["status"] in ("DONE", "COMPLETED")
    assert error_pairs(refused) == [("FORBIDDEN", ["input", "id"])]
    opened = (await gql(OPEN, {"id": theirs[key]["id"]}, dispatcher.token))["node"]
    assert opened.get("status", "PENDING") == "PENDING"
