"""The requests list issues a fixed number of SQL statements; portal contacts see their own."""

from __future__ import annotations

from typing import Any

import pytest

from models import account_requests as requests
from models.accounts import Account, Contact
from models.permissions import Role
from models.request_types import AccountRequestType
from models.users import User
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_user, portal_contact, staff
from tests.ids import gid

REQUESTS_WITH_EVERYTHING = """
query Requests($first: Int!) {
  accountRequests(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id number status source note createdAt updatedAt
      account { name number manager { name } }
      type { name }
      assignee { name }
      contact { name email }
      createdBy { name }
      timeline(first: 5) { totalCount nodes { kind actor { name } } }
      nextStatuses
    }
  }
}
"""

PORTAL_VIEW = """
query Portal($filter: AccountRequestFilter) {
  accountRequests(first: 100, filter: $filter) { totalCount nodes { id account { name } } }
  accountRequestCounts(filter: $filter) { total byStatus { status count } }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id ... on AccountRequest { note } } }
"""

NODES = """
query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }
"""

STATUSES = list(requests.RequestStatus)


async def _request(
    account: Account,
    request_type: AccountRequestType,
    *,
    status: requests.RequestStatus = requests.RequestStatus.OPEN,
    assignee: User | None = None,
    contact: Contact | None = None,
    creator: User | None = None,
    note: str = "",
) -> requests.AccountRequest:
    return await requests.AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=status,
        status_rank=requests.STATUS_RANK[status],
        assignee_id=assignee.id if assignee else None,
        contact_id=contact.id if contact else None,
        note=note,
        source=requests.RequestSource.STAFF,
        created_by_user_id=creator.id if creator else None,
    )


async def _sixty_requests(manager: User) -> None:
    """Six accounts (some sub-accounts), three types, four assignees, two contacts each."""
    workers = [await make_user(Role.TECHNICIAN) for _ in range(3)] + [manager]
    types = [await AccountRequestType.create(name=f"Type {n}") for n in range(3)]
    accounts: list[Account] = []
    for n in range(6):
        parent = accounts[-1] if n % 2 else None
        accounts.append(await make_account(f"Account {n}", manager=manager, parent=parent))
    contacts = {a.id: [await make_contact(a), await make_contact(a)] for a in accounts}
    for n in range(60):
        account = accounts[n % 6]
        worker = workers[n % 4]
        request = await _request(
            account,
            types[n % 3],
            status=STATUSES[n % 5],
            assignee=worker if n % 7 else None,
            contact=contacts[account.id][n % 2] if n % 5 else None,
            creator=workers[(n + 1) % 4],
            note=f"Request {n}",
        )
        for step in range(n % 3 + 1):
            await requests.AccountRequestEvent.create(
                request_id=request.id,
                kind=requests.EventKind.CREATED if step == 0 else requests.EventKind.NOTE_CHANGED,
                actor_user_id=workers[(n + step) % 4].id,
            )


async def _count(
    gql: GraphQLClient, counter: StatementCounter, token: str, first: int
) -> tuple[int, dict[str, Any]]:
    counter.statements.clear()
    data = await gql(REQUESTS_WITH_EVERYTHING, {"first": first}, token=token)
    return counter.count, data


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.ACCOUNT_MANAGER])
async def test_page_size_does_not_change_the_statement_count(
    gql: GraphQLClient, count_statements: StatementCounter, role: Role
) -> None:
    # given
    viewer = await staff(role)
    manager = viewer.row if role is Role.ACCOUNT_MANAGER else await make_user(Role.ACCOUNT_MANAGER)
    assert isinstance(manager, User)
    await _sixty_requests(manager)

    # when
    small, small_data = await _count(gql, count_statements, viewer.token, 5)
    large, large_data = await _count(gql, count_statements, viewer.token, 50)

    # then
    assert len(small_data["accountRequests"]["nodes"]) == 5
    nodes = large_data["accountRequests"]["nodes"]
    assert len(nodes) == 50
    assert large_data["accountRequests"]["totalCount"] == 60
    assert all(node["account"]["manager"] == {"name": manager.name} for node in nodes)
    assert all(node["type"] is not None and node["createdBy"] is not None for node in nodes)
    assert any(node["assignee"] is None for node in nodes)
    assert any(node["assignee"] is not None for node in nodes)
    assert any(node["contact"] is not None for node in nodes)
    assert all(node["timeline"]["nodes"][0]["actor"] is not None for node in nodes)
    assert {node["timeline"]["totalCount"] for node in nodes} == {1, 2, 3}
    assert all(node["nextStatuses"] for node in nodes)
    assert small == large, count_statements.statements
    # sign-in 1 and 7 for the page (one more for an account manager: which accounts of
    # the page they manage, for nextStatuses)
    assert large == (9 if role is Role.ACCOUNT_MANAGER else 8), count_statements.statements


# --- portal contacts see, count and guess only their own account's requests ------------------


async def _two_customers() -> tuple[Account, Account, list[int], list[int]]:
    ours = await make_account("Ours")
    theirs = await make_account("Theirs")
    billing = await AccountRequestType.create(name="Billing", portal_available=True)
    own = [
        (await _request(ours, billing, status=status)).id
        for status in (requests.RequestStatus.OPEN, requests.RequestStatus.COMPLETED)
    ]
    other = [
        (await _request(theirs, billing, status=status)).id
        for status in (
            requests.RequestStatus.OPEN,
            requests.RequestStatus.OPEN,
            requests.RequestStatus.IN_PROGRESS,
        )
    ]
    return ours, theirs, own, other


def _counts(data: dict[str, Any]) -> dict[str, int]:
    return {row["status"]: row["count"] for row in data["accountRequestCounts"]["byStatus"]}


async def test_portal_contact_lists_and_counts_only_its_own_account(gql: GraphQLClient) -> None:
    # given
    ours, theirs, own, _ = await _two_customers()
    contact = await portal_contact(ours)

    # when
    everything = await gql(PORTAL_VIEW, token=contact.token)
    asking_for_theirs = await gql(
        PORTAL_VIEW, {"filter": {"accountIds": [gid("Account", theirs.id)]}}, token=contact.token
    )

    # then
    listed = everything["accountRequests"]
    assert listed["totalCount"] == 2
    assert sorted(node["id"] for node in listed["nodes"]) == sorted(
        gid("AccountRequest", pk) for pk in own
    )
    assert {node["account"]["name"] for node in listed["nodes"]} == {"Ours"}
    assert everything["accountRequestCounts"]["total"] == 2
    assert _counts(everything) == {
        "OPEN": 1,
        "IN_PROGRESS": 0,
        "WAITING_ON_CUSTOMER": 0,
        "COMPLETED": 1,
        "CANCELLED": 0,
    }
    assert asking_for_theirs["accountRequests"] == {"totalCount": 0, "nodes": []}
    assert asking_for_theirs["accountRequestCounts"]["total"] == 0


async def test_portal_contact_cannot_guess_another_accounts_request(gql: GraphQLClient) -> None:
    # given
    ours, _, own, other = await _two_customers()
    contact = await portal_contact(ours)
    ghost = gid("AccountRequest", 999_999)

    # when
    foreign = await gql.raw(NODE, {"id": gid("AccountRequest", other[0])}, token=contact.token)
    missing = await gql.raw(NODE, {"id": ghost}, token=contact.token)
    mine = await gql(NODE, {"id": gid("AccountRequest", own[0])}, token=contact.token)
    many = await gql(
        NODES,
        {"ids": [gid("AccountRequest", own[0]), gid("AccountRequest", other[0]), ghost]},
        token=contact.token,
    )

    # then
    assert foreign == missing
    assert foreign == {"data": {"node": None}}
    assert mine["node"] == {"id": gid("AccountRequest", own[0]), "note": ""}
    assert many["nodes"] == [{"id": gid("AccountRequest", own[0])}, None, None]


async def test_staff_see_and_count_every_account(gql: GraphQLClient) -> None:
    # given
    await _two_customers()
    dispatcher = await staff(Role.DISPATCHER)

    # when
    data = await gql(PORTAL_VIEW, token=dispatcher.token)

    # then
    assert data["accountRequests"]["totalCount"] == 5
    assert data["accountRequestCounts"]["total"] == 5
    assert _counts(data)["OPEN"] == 3
