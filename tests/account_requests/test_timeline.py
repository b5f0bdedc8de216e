"""The account request timeline: every change an event, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.permissions import Role
from tests.account_requests.operations import CREATE
from tests.account_requests.operations import updated as _update
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient
from tests.factories import Person, make_account, make_contact, portal_contact, staff
from tests.ids import gid

TIMELINE = """
query Timeline($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on AccountRequest {
      timeline(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          cursor
          node { id kind before after createdAt actor { name } actorContact { name } }
        }
      }
    }
  }
}
"""


async def _timeline(
    gql: GraphQLClient, person: Person, request_gid: str, **paging: Any
) -> dict[str, Any]:
    data = await gql(TIMELINE, {"id": request_gid, **paging}, token=person.token)
    timeline: dict[str, Any] = data["node"]["timeline"]
    return timeline


# --- timeline -------------------------------------------------------------------------


async def test_every_change_is_an_event_with_actor_time_before_and_after(
    gql: GraphQLClient,
) -> None:
    # given a request created by a dispatcher for Tia
    dana = await staff(Role.DISPATCHER, name="Dana")
    tia = await staff(Role.TECHNICIAN, name="Tia")
    theo = await staff(Role.TECHNICIAN, name="Theo")
    old = await make_account("Old Co")
    new = await make_account("New Co")
    carol = await make_contact(old, name="Carol")
    billing = await make_type("Billing")
    repairs = await make_type("Repairs")
    started = datetime.now(UTC) - timedelta(seconds=1)
    created = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", old.id),
                "typeId": gid("AccountRequestType", billing.id),
                "assigneeId": gid("User", tia.id),
                "note": "first words",
            }
        },
        token=dana.token,
    )
    assert created["createAccountRequest"]["userErrors"] == []
    request = created["createAccountRequest"]["accountRequest"]["id"]
    # when each field changes, by different people
    await _update(gql, tia, request, status="IN_PROGRESS")
    await _update(gql, dana, request, note="second words")
    await _update(gql, dana, request, contactId=gid("Contact", carol.id))
    await _update(gql, dana, request, typeId=gid("AccountRequestType", repairs.id))
    await _update(gql, dana, request, assigneeId=gid("User", theo.id))
    await _update(gql, dana, request, accountId=gid("Account", new.id), contactId=None)
    # then the timeline tells it all, newest first
    timeline = await _timeline(gql, dana, request, first=20)
    events = [edge["node"] for edge in timeline["edges"]]
    assert [(e["kind"], e["actor"], e["before"], e["after"]) for e in events] == [
        ("CONTACT_CHANGED", {"name": "Dana"}, gid("Contact", carol.id), None),
        ("ACCOUNT_CHANGED", {"name": "Dana"}, gid("Account", old.id), gid("Account", new.id)),
        ("ASSIGNED", {"name": "Dana"}, gid("User", tia.id), gid("User", theo.id)),
        (
            "TYPE_CHANGED",
            {"name": "Dana"},
            gid("AccountRequestType", billing.id),
            gid("AccountRequestType", repairs.id),
        ),
        ("CONTACT_CHANGED", {"name": "Dana"}, None, gid("Contact", carol.id)),
        ("NOTE_CHANGED", {"name": "Dana"}, "first words", "second words"),
        ("STATUS_CHANGED", {"name": "Tia"}, "OPEN", "IN_PROGRESS"),
        ("ASSIGNED", {"name": "Dana"}, None, gid("User", tia.id)),
        ("CREATED", {"name": "Dana"}, None, "OPEN"),
    ]
    assert timeline["totalCount"] == 9
    times = [datetime.fromisoformat(e["createdAt"]) for e in events]
    assert all(t.utcoffset() is not None for t in times)
    assert all(started <= t <= datetime.now(UTC) for t in times)
    assert times == sorted(times, reverse=True)
    assert all(e["actorContact"] is None for e in events)
    # and the IDs in before/after are real global IDs
    looked_up = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { name } ... on Account { name } } }",
        {"ids": [events[1]["after"], events[2]["after"]]},
        token=dana.token,
    )
    assert looked_up["nodes"] == [{"name": "New Co"}, {"name": "Theo"}]


async def test_a_portal_request_names_the_contact_as_actor(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    web = await make_type("Web", portal=True)
    # when the contact raises a request in the portal
    created = await gql(
        CREATE,
        {"input": {"typeId": gid("AccountRequestType", web.id), "note": "help"}},
        token=contact.token,
    )
    assert created["createAccountRequest"]["userErrors"] == []
    request = created["createAccountRequest"]["accountRequest"]["id"]
    # then
    [event] = [edge["node"] for edge in (await _timeline(gql, contact, request))["edges"]]
    assert event["kind"] == "CREATED"
    assert event["actor"] is None
    assert event["actorContact"] == {"name": contact.row.name}


async def test_the_timeline_pages_newest_first_both_ways(gql: GraphQLClient) -> None:
    # given seven events
    dana = await staff(Role.DISPATCHER)
    row = await make_request(await make_account())
    request = request_gid(row)
    for number in range(7):
        await _update(gql, dana, request, note=f"note {number}")
    # when paging forward by three
    seen: list[str] = []
    after = None
    while True:
        page = await _timeline(gql, dana, request, first=3, after=after)
        seen += [edge["node"]["after"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert seen == [f"note {n}" for n in reversed(range(7))]
    # when paging backward by three from the end
    back: list[str] = []
    before = None
    while True:
        page = await _timeline(gql, dana, request, last=3, before=before)
        back = [edge["node"]["after"] for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == seen
