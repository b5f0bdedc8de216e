"""What the portal sees of a request's life: customer-safe entries in plain words, never
the staff's side (who holds it, tasks, moves); staff keep every detail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from models.account_requests import AccountRequestEvent, EventKind, RequestStatus
from models.ids import global_id
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid

CREATE = """
mutation Create($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) { accountRequest { id } userErrors { code } }
}
"""
UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) { userErrors { code field message } }
}
"""
ADD_TASK = """
mutation AddTask($input: AddTaskToAccountRequestInput!) {
  addTaskToAccountRequest(input: $input) { task { id } userErrors { code } }
}
"""
ADD_APPOINTMENT = """
mutation AddAppointment($input: AddAppointmentToAccountRequestInput!) {
  addAppointmentToAccountRequest(input: $input) { appointment { id } userErrors { code } }
}
"""
TIMELINE = """
query Timeline($id: ID!) {
  node(id: $id) {
    ... on AccountRequest {
      timeline(first: 50) {
        totalCount
        nodes {
          id kind before after summary internal
          actor { id name }
          actorContact { name }
        }
      }
    }
  }
}
"""
EVENT = """
query Event($id: ID!) { node(id: $id) { ... on AccountRequestEvent { kind summary } } }
"""


async def _ok(gql: GraphQLClient, person: Person, query: str, **fields: Any) -> dict[str, Any]:
    data = await gql(query, {"input": fields}, token=person.token)
    [payload] = data.values()
    assert payload["userErrors"] == [], payload
    result: dict[str, Any] = payload
    return result


async def _timeline(gql: GraphQLClient, person: Person, request: str) -> dict[str, Any]:
    data = await gql(TIMELINE, {"id": request}, token=person.token)
    timeline: dict[str, Any] = data["node"]["timeline"]
    return timeline


async def _a_worked_request(gql: GraphQLClient) -> tuple[Person, Person, Person, str]:
    """A portal request that staff then assigned, worked, linked a task and a visit to."""
    dana = await staff(Role.DISPATCHER, name="Dana Dispatch")
    tia = await staff(Role.TECHNICIAN, name="Tia Tech")
    account = await make_account("Acme")
    contact = await portal_contact(account)
    web = await make_type("Web", portal=True)
    created = await _ok(
        gql, contact, CREATE, typeId=gid("AccountRequestType", web.id), note="Bin lid broken"
    )
    request: str = created["accountRequest"]["id"]
    await _ok(gql, dana, UPDATE, id=request, assigneeId=gid("User", tia.id))
    await _ok(gql, tia, UPDATE, id=request, status="IN_PROGRESS")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    await _ok(gql, tia, ADD_TASK, accountRequestId=request, title="Order a lid", assigneeId=None)
    await _ok(
        gql,
        tia,
        ADD_APPOINTMENT,
        accountRequestId=request,
        startsAt=start.isoformat(),
        endsAt=(start + timedelta(hours=1)).isoformat(),
    )
    await _ok(gql, dana, UPDATE, id=request, forDate=(start.date()).isoformat())
    return dana, tia, contact, request


async def test_the_portal_timeline_shows_customer_entries_in_words_without_internal_ids(
    gql: GraphQLClient,
) -> None:
    # given a portal request staff assigned, worked, and linked a task and a visit to
    dana, tia, contact, request = await _a_worked_request(gql)

    # when the contact reads the timeline
    portal = await _timeline(gql, contact, request)

    # then it sees what happened in words, and no staff-only entry
    assert [(e["kind"], e["summary"]) for e in portal["nodes"]] == [
        ("FOR_DATE_CHANGED", portal["nodes"][0]["summary"]),
        ("ITEM_LINKED", "An appointment was linked to this request."),
        ("STATUS_CHANGED", "Status changed from Open to In progress."),
        ("CREATED", "Request raised."),
    ]
    assert portal["nodes"][0]["summary"].startswith("The date changed from ")
    assert portal["totalCount"] == 4
    assert all(e["internal"] is False for e in portal["nodes"])
    # and no name or ID of staff, nor of the task, anywhere in the answer
    text = json.dumps(portal)
    for secret in ("Dana Dispatch", "Tia Tech", gid("User", tia.id), gid("User", dana.id)):
        assert secret not in text
    assert "VGFzaz" not in text  # no global ID of a Task ("Task:...")
    assert all(e["actor"] is None for e in portal["nodes"])
    assert portal["nodes"][-1]["actorContact"] == {"name": contact.row.name}


async def test_staff_keep_every_entry_with_its_detail_and_see_which_are_internal(
    gql: GraphQLClient,
) -> None:
    # given the same life of a request
    dana, tia, _, request = await _a_worked_request(gql)

    # when the dispatcher reads the timeline
    office = await _timeline(gql, dana, request)

    # then every entry is there, staff-only ones marked internal, with their IDs
    entries = [(e["kind"], e["internal"]) for e in office["nodes"]]
    assert entries == [
        ("FOR_DATE_CHANGED", False),
        ("ITEM_LINKED", False),
        ("ITEM_LINKED", True),
        ("STATUS_CHANGED", False),
        ("ASSIGNED", True),
        ("CREATED", False),
    ]
    assigned = office["nodes"][4]
    assert assigned["after"] == gid("User", tia.id)
    assert assigned["summary"] == "Assigned to a team member."
    assert assigned["actor"]["name"] == "Dana Dispatch"
    task_link = office["nodes"][2]
    assert task_link["summary"] == "A task was linked to this request."


async def test_entries_written_before_the_rules_are_still_kept_from_the_portal(
    gql: GraphQLClient,
) -> None:
    # given old rows: an assignment and a task link both flagged for the portal
    tia = await staff(Role.TECHNICIAN)
    account = await make_account()
    contact = await portal_contact(account)
    row = await make_request(account)
    old = [
        await AccountRequestEvent.create(
            request_id=row.id, kind=EventKind.ASSIGNED, after=str(tia.id), visible_in_portal=True
        ),
        await AccountRequestEvent.create(
            request_id=row.id,
            kind=EventKind.ITEM_LINKED,
            after=global_id("Task", 41),
            visible_in_portal=True,
        ),
        await AccountRequestEvent.create(
            request_id=row.id,
            kind=EventKind.ACCOUNT_CHANGED,
            before="77",
            after=str(account.id),
            visible_in_portal=True,
        ),
    ]
    shown = await AccountRequestEvent.create(
        request_id=row.id,
        kind=EventKind.ITEM_LINKED,
        after=global_id("Appointment", 42),
        visible_in_portal=True,
    )

    # when the contact reads the timeline and asks for each entry by ID
    timeline = await _timeline(gql, contact, request_gid(row))
    by_id = [
        (await gql(EVENT, {"id": gid("AccountRequestEvent", e.id)}, token=contact.token))["node"]
        for e in [*old, shown]
    ]

    # then only the appointment's link is there
    assert [e["kind"] for e in timeline["nodes"]] == ["ITEM_LINKED"]
    assert timeline["totalCount"] == 1
    assert by_id == [
        None,
        None,
        None,
        {"kind": "ITEM_LINKED", "summary": "An appointment was linked to this request."},
    ]


# --- nextStatuses: only the moves the viewer may make ---------------------------------------

NEXT = """
query Next($id: ID!) { node(id: $id) { ... on AccountRequest { nextStatuses } } }
"""
LIST_NEXT = """
query { accountRequests(first: 50) { nodes { number nextStatuses } } }
"""

EVERY_OPEN_MOVE = ["IN_PROGRESS", "WAITING_ON_CUSTOMER", "COMPLETED", "CANCELLED"]


async def _next(gql: GraphQLClient, person: Person, request: str) -> Any:
    data = await gql(NEXT, {"id": request}, token=person.token)
    return data["node"]["nextStatuses"] if data["node"] else None


async def test_dispatchers_and_admins_are_offered_every_move_reopening_included(
    gql: GraphQLClient,
) -> None:
    # given
    account = await make_account()
    open_one = request_gid(await make_request(account))
    done = request_gid(await make_request(account, status=RequestStatus.COMPLETED))
    for role in (Role.ADMIN, Role.DISPATCHER):
        person = await staff(role)
        # when / then
        assert await _next(gql, person, open_one) == EVERY_OPEN_MOVE
        assert await _next(gql, person, done) == ["OPEN", "IN_PROGRESS"]


async def test_a_portal_contact_is_offered_no_move_since_it_may_make_none(
    gql: GraphQLClient,
) -> None:
    # given its own open request
    account = await make_account()
    contact = await portal_contact(account)
    request = request_gid(await make_request(account))
    # when
    offered = await _next(gql, contact, request)
    listed = (await gql(LIST_NEXT, token=contact.token))["accountRequests"]["nodes"]
    # then nothing, in both places
    assert offered == []
    assert [node["nextStatuses"] for node in listed] == [[]]
    # and indeed it may not change the status
    refused = await gql.raw(
        UPDATE, {"input": {"id": request, "status": "CANCELLED"}}, token=contact.token
    )
    assert "errors" in refused or refused["data"]["updateAccountRequest"]["userErrors"]


async def test_a_technician_is_offered_moves_only_on_requests_assigned_to_them(
    gql: GraphQLClient,
) -> None:
    # given an open and a completed request assigned to Tia, and one that is not
    tia = await staff(Role.TECHNICIAN)
    account = await make_account()
    mine = request_gid(await make_request(account, assignee=tia.user))
    closed = request_gid(
        await make_request(account, assignee=tia.user, status=RequestStatus.COMPLETED)
    )
    other = request_gid(await make_request(account))
    # when / then: every move of her open request, no reopening, nothing on another's
    assert await _next(gql, tia, mine) == EVERY_OPEN_MOVE
    assert await _next(gql, tia, closed) == []
    assert await _next(gql, tia, other) == []
    # and each move offered is one she may make
    for status in EVERY_OPEN_MOVE[:2]:
        await _ok(gql, tia, UPDATE, id=mine, status=status)
    answer = await gql(UPDATE, {"input": {"id": other, "status": "CANCELLED"}}, token=tia.token)
    assert [e["code"] for e in answer["updateAccountRequest"]["userErrors"]] == ["FORBIDDEN"]


async def test_an_account_manager_is_offered_every_move_on_own_accounts_only(
    gql: GraphQLClient,
) -> None:
    # given Maya manages one account; a dispatcher assigned her a request of another
    maya = await staff(Role.ACCOUNT_MANAGER)
    own = await make_account(manager=maya.user)
    closed = request_gid(await make_request(own, status=RequestStatus.CANCELLED))
    open_one = request_gid(await make_request(own))
    other = await make_account()
    closed_elsewhere = request_gid(
        await make_request(other, status=RequestStatus.COMPLETED, assignee=maya.user)
    )
    open_elsewhere = request_gid(await make_request(other, assignee=maya.user))
    # when / then: reopening on her own account; requests assigned to her elsewhere she
    # works but may not reopen
    assert await _next(gql, maya, open_one) == EVERY_OPEN_MOVE
    assert await _next(gql, maya, closed) == ["OPEN"]
    assert await _next(gql, maya, open_elsewhere) == EVERY_OPEN_MOVE
    assert await _next(gql, maya, closed_elsewhere) == []


async def test_project_managers_and_accounting_are_offered_no_move_on_others_requests(
    gql: GraphQLClient,
) -> None:
    # given
    request = request_gid(await make_request(await make_account()))
    for role in (Role.PROJECT_MANAGER, Role.ACCOUNTING):
        person = await staff(role)
        # when / then
        assert await _next(gql, person, request) == []
