"""Issue 22's "Done when": a day of Docket walked through as each role, with no dead end.

The day is built through GraphQL as clients build it (the people on the roster are the
seeds, written through the factories): an account with a sub-account and its manager,
a portal contact who submits a service request and raises an account request, a
dispatcher who gives work to every staff role that may see the account, a change of
manager, a delegated credit request, an archived user and a password reset. Then
every user and the contact read their whole inbox: each notification's subject opens
for its recipient, each assignee finds their work in the list they look at and may
make a move they are offered, and the portal shows nothing of the staff's side.
"""

from __future__ import annotations

import json
from typing import Any

from models.accounts import Contact
from models.notifications import Notification
from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid
from tests.walkthrough.day import build_day, mutate

INBOX = """
query($after: String) {
  notifications(first: 5, after: $after) {
    nodes { id kind title body subject { __typename id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def inbox(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    """Every notification of `person`, page by page."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = (await gql(INBOX, {"after": after}, person.token))["notifications"]
        found.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def stored_subjects(person: Person) -> dict[str, str | None]:
    """What each notification of `person` is about, read from its row: the API answers a
    subject its recipient may not open as null, which a client cannot tell from none."""
    owner = {"contact_id": person.id} if isinstance(person.row, Contact) else {"user_id": person.id}
    rows = await Notification.filter(**owner).values("id", "subject_type", "subject_id")
    return {
        gid("Notification", row["id"]): (
            gid(row["subject_type"], row["subject_id"]) if row["subject_type"] else None
        )
        for row in rows
    }


async def dead_ends(gql: GraphQLClient, who: str, person: Person) -> list[str]:
    """The notifications of `person` about something they cannot open."""
    about = await stored_subjects(person)
    notes = await inbox(gql, person)
    assert sorted(note["id"] for note in notes) == sorted(about), who  # every page read
    missing = []
    for note in notes:
        if about[note["id"]] is None:
            continue
        opened = (await gql(NODE, {"id": about[note["id"]]}, person.token))["node"]
        subject = note["subject"]
        if opened is None or subject is None or subject["id"] != about[note["id"]]:
            missing.append(f"{who}: {note['kind']} {note['title']}")
    return missing


async def test_every_notification_of_the_day_opens_for_its_recipient(gql: GraphQLClient) -> None:
    day = await build_day(gql)
    people = {**day.staff(), "contact": day.contact}
    kinds: dict[str, set[str]] = {}
    missing: list[str] = []
    for who, person in people.items():
        kinds[who] = {note["kind"] for note in await inbox(gql, person)}
        missing += await dead_ends(gql, who, person)
    # the former manager's notices of what Acme's handover took away were withdrawn
    assert missing == []
    # the day reached people: assignees, managers, reviewers, the credit team, the contact
    assert {"ACCOUNT_REQUEST_ASSIGNED"} <= kinds["accounting"] & kinds["technician"], kinds
    assert {"ACCOUNT_REQUEST_ASSIGNED", "ITEM_ASSIGNED"} <= kinds["project_manager"], kinds
    assert "JOB_ASSIGNED" in kinds["field_tech"], kinds
    assert "SERVICE_REQUEST_SUBMITTED" in kinds["dispatcher"], kinds
    assert "ACCOUNT_ASSIGNED" in kinds["new_manager"], kinds
    assert "CREDIT_REQUESTED" in kinds["leader"], kinds
    assert "CREDIT_REQUEST_ASSIGNED" in kinds["member"], kinds
    assert "SERVICE_REQUEST_APPROVED" in kinds["contact"], kinds


async def test_no_dead_end_at_all_while_the_manager_keeps_the_account(
    gql: GraphQLClient,
) -> None:
    # the same day without the handover: every notice of everyone opens, Mona's too
    day = await build_day(gql, handover=False)
    people = {**day.staff(), "contact": day.contact}
    missing = [end for who, person in people.items() for end in await dead_ends(gql, who, person)]
    assert missing == []
    kinds = {note["kind"] for note in await inbox(gql, day.manager)}
    assert {"ACCOUNT_REQUEST_RAISED", "SERVICE_REQUEST_SUBMITTED"} <= kinds, kinds


MINE = """
query {
  accountRequests(filter: {assignedToMe: true}, first: 50) {
    nodes { id status nextStatuses }
  }
}
"""
MOVE = """
mutation($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) { accountRequest { status } userErrors { code } }
}
"""


async def test_every_assignee_finds_and_works_what_is_theirs(gql: GraphQLClient) -> None:
    day = await build_day(gql)
    ids = day.ids
    for person, request in [
        (day.accounting, ids["portal_request"]),
        (day.technician, ids["technician_request"]),
        (day.project_manager, ids["pm_request"]),
        (day.manager, ids["manager_request"]),  # Acme is Nick's now
    ]:
        mine = (await gql(MINE, token=person.token))["accountRequests"]["nodes"]
        [row] = [row for row in mine if row["id"] == request]
        assert row["nextStatuses"], (person.row, row)
        assert "OPEN" not in row["nextStatuses"] or row["status"] != "OPEN"
        move = {"input": {"id": request, "status": row["nextStatuses"][0]}}
        moved = (await gql(MOVE, move, person.token))["updateAccountRequest"]
        assert moved["userErrors"] == [], (person.row, moved)
        assert moved["accountRequest"]["status"] == row["nextStatuses"][0]

    # the task and the appointment, on the account their assignees open
    tasks = """query($id: ID!) { node(id: $id) { ... on Account {
        tasks(first: 20) { nodes { id assignee { id } } }
        appointments(first: 20) { nodes { id assignee { id } } } } } }"""
    for person, kind, item in [
        (day.technician, "tasks", ids["task"]),
        (day.project_manager, "appointments", ids["appointment"]),
    ]:
        account = (await gql(tasks, {"id": ids["account"]}, person.token))["node"]
        assert item in [node["id"] for node in account[kind]["nodes"]], (kind, account)
    await mutate(gql, "updateTask", {"id": ids["task"], "status": "DONE"}, day.technician, "")
    notes = {"id": ids["appointment"], "notes": "Bring the ladder"}
    await mutate(gql, "updateAppointment", notes, day.project_manager, "")

    # the job, in the technician's jobs
    jobs = "{ jobs(first: 20) { nodes { id status assignee { id } } } }"
    [job] = (await gql(jobs, token=day.field_tech.token))["jobs"]["nodes"]
    assert (job["id"], job["status"]) == (ids["job"], "ASSIGNED")

    # the credit request, in Mia's queue, hers to decide
    queue = """{ creditAccountRequests(filter: {assignedToMe: true}, first: 20) {
        nodes { id status } } }"""
    [credit] = (await gql(queue, token=day.member.token))["creditAccountRequests"]["nodes"]
    assert credit == {"id": ids["credit"], "status": "PENDING"}
    accept = {"id": ids["credit"]}
    await mutate(gql, "acceptCreditAccountRequest", accept, day.member, "")

    # who may not see a request's account, or has left, is refused with the reason
    for person, code in [
        (day.manager, "ASSIGNEE_CANNOT_SEE_ACCOUNT"),
        (day.leaver, "USER_ARCHIVED"),
    ]:
        give = {"input": {"id": ids["portal_request"], "assigneeId": gid("User", person.id)}}
        refused = (await gql(MOVE, give, day.dispatcher.token))["updateAccountRequest"]
        assert refused["userErrors"] == [{"code": code}], refused

    # Otto's open request went back to nobody, and the new manager works Acme's requests
    held = "query($id: ID!) { node(id: $id) { ... on AccountRequest { assignee { name } } } }"
    leaver = (await gql(held, {"id": ids["leaver_request"]}, day.dispatcher.token))["node"]
    assert leaver == {"assignee": None}
    nick = "query($id: ID!) { node(id: $id) { ... on AccountRequest { nextStatuses } } }"
    offered = (await gql(nick, {"id": ids["leaver_request"]}, day.new_manager.token))["node"]
    assert "IN_PROGRESS" in offered["nextStatuses"]


PORTAL = """
{
  accountRequests(first: 50) {
    nodes {
      id internal note nextStatuses assignee { id } createdBy { id }
      timeline(first: 50) { nodes { kind before after summary internal actor { id } } }
    }
  }
  notifications(first: 50) { nodes { title body subject { __typename id } } }
}
"""


async def test_the_portal_sees_the_day_in_its_own_words(gql: GraphQLClient) -> None:
    day = await build_day(gql)
    ids = day.ids
    view = await gql(PORTAL, token=day.contact.token)
    requests = view["accountRequests"]["nodes"]
    # its own request and the shared ones on its account; the internal one never
    seen = {request["id"] for request in requests}
    assert ids["portal_request"] in seen
    assert ids["pm_request"] not in seen
    internal = {"accountIds": [ids["account"]], "internal": True}
    count = "query($f: AccountRequestFilter) { accountRequests(filter: $f) { totalCount } }"
    hidden = await gql(count, {"f": internal}, day.contact.token)
    assert hidden["accountRequests"]["totalCount"] == 0
    for request in requests:
        assert request["internal"] is False
        assert request["nextStatuses"] == []  # a contact changes no request
        assert request["assignee"] is None and request["createdBy"] is None
        for entry in request["timeline"]["nodes"]:
            assert entry["internal"] is False and entry["actor"] is None, entry
            assert entry["summary"], entry
    # no staff user's, task's or internal request's ID anywhere in what it reads
    internal_ids = [gid("User", person.id) for person in day.staff().values()]
    internal_ids += [gid("User", day.leaver.id), ids["task"], ids["pm_request"], ids["credit"]]
    text = json.dumps(view)
    assert [value for value in internal_ids if value in text] == []
    names = [person.user.name for person in day.staff().values()]
    assert [name for name in names if name in text] == []
    # what the staff see of the same request does hold them (the check has teeth)
    staff_view = await gql(PORTAL, token=day.dispatcher.token)
    assert gid("User", day.accounting.id) in json.dumps(staff_view)
