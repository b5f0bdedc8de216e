"""accountRequests, accountRequestCounts and Account.accountRequests: filters, order, paging."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.account_requests import (
    STATUS_RANK,
    AccountRequest,
    RequestSource,
    RequestStatus,
)
from models.accounts import Account
from models.permissions import Role
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient, assert_unauthenticated
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid

LIST = """
query List(
  $filter: AccountRequestFilter, $orderBy: AccountRequestOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  accountRequests(
    filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { number }
  }
}
"""
COUNTS = """
query Counts($filter: AccountRequestFilter) {
  accountRequestCounts(filter: $filter) { total byStatus { status count } }
}
"""
S = RequestStatus
DAY0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


def iso(n: int) -> str:
    return day(n).isoformat()


async def _numbers(
    gql: GraphQLClient, token: str, filter: dict[str, Any] | None = None, **args: Any
) -> list[int]:
    data = await gql(LIST, {"filter": filter, "first": 100, **args}, token=token)
    return [node["number"] for node in data["accountRequests"]["nodes"]]


async def _counts(
    gql: GraphQLClient, token: str, filter: dict[str, Any] | None = None
) -> dict[str, int]:
    data = (await gql(COUNTS, {"filter": filter}, token=token))["accountRequestCounts"]
    counts = {entry["status"]: entry["count"] for entry in data["byStatus"]}
    assert [entry["status"] for entry in data["byStatus"]] == [s.value for s in RequestStatus]
    assert data["total"] == sum(counts.values())
    return counts


# --- filters --------------------------------------------------------------------------


@dataclass
class World:
    dana: Person
    tia: Person
    theo: Person
    accounts: dict[str, Account]
    types: dict[str, int]
    rows: dict[str, AccountRequest]

    def numbers(self, *labels: str) -> list[int]:
        return sorted(self.rows[label].id for label in labels)

    def ids(self, labels: str) -> dict[str, str]:
        return {label: gid("Account", self.accounts[label].id) for label in labels.split()}


async def _world() -> World:
    dana = await staff(Role.DISPATCHER)
    tia = await staff(Role.TECHNICIAN)
    theo = await staff(Role.TECHNICIAN)
    acme = await make_account("Acme")
    east = await make_account("Acme East", parent=acme)
    depot = await make_account("Acme East Depot", parent=east)
    beta = await make_account("Beta")
    gamma = await make_account("Gamma")
    t1, t2 = await make_type("First"), await make_type("Second")
    tia_row, theo_row = tia.user, theo.user
    specs: dict[str, tuple[Any, ...]] = {
        # label: account, type, status, assignee, source, created day, updated day, note
        "r1": (acme, t1, S.OPEN, tia_row, RequestSource.STAFF, 1, 1, "Printer jammed"),
        "r2": (east, t2, S.IN_PROGRESS, theo_row, RequestSource.PORTAL, 2, 5, "Invoice query"),
        "r3": (
            depot,
            t1,
            S.WAITING_ON_CUSTOMER,
            None,
            RequestSource.ACCOUNT_MANAGER,
            3,
            3,
            "Ladder",
        ),
        "r4": (beta, t2, S.COMPLETED, tia_row, RequestSource.STAFF, 4, 9, "PRINTER toner"),
        "r5": (beta, t1, S.CANCELLED, None, RequestSource.PORTAL, 5, 6, "duplicate"),
        "r6": (gamma, t2, S.OPEN, theo_row, RequestSource.STAFF, 6, 7, "100% urgent"),
        "r7": (gamma, t1, S.OPEN, None, RequestSource.STAFF, 6, 7, "call back"),
    }
    rows = {}
    for label, (account, kind, status, assignee, source, made, changed, note) in specs.items():
        rows[label] = await make_request(
            account,
            kind,
            status=status,
            assignee=assignee,
            source=source,
            note=note,
            created_at=day(made),
            updated_at=day(changed),
        )
    names = {"acme": acme, "east": east, "depot": depot, "beta": beta, "gamma": gamma}
    return World(dana, tia, theo, names, {"t1": t1.id, "t2": t2.id}, rows)


FILTERS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("no filter", lambda w: {}, ("r1", "r2", "r3", "r4", "r5", "r6", "r7")),
    ("one status", lambda w: {"statuses": ["OPEN"]}, ("r1", "r6", "r7")),
    ("closed", lambda w: {"statuses": ["COMPLETED", "CANCELLED"]}, ("r4", "r5")),
    ("no status", lambda w: {"statuses": []}, ()),
    ("type", lambda w: {"typeIds": [gid("AccountRequestType", w.types["t2"])]}, ("r2", "r4", "r6")),
    ("assignee", lambda w: {"assigneeIds": [gid("User", w.tia.id)]}, ("r1", "r4")),
    (
        "assignees",
        lambda w: {"assigneeIds": [gid("User", w.tia.id), gid("User", w.theo.id)]},
        ("r1", "r2", "r4", "r6"),
    ),
    ("account", lambda w: {"accountIds": [w.ids("acme")["acme"]]}, ("r1",)),
    (
        "account and subs",
        lambda w: {"accountIds": [w.ids("acme")["acme"]], "includeSubAccounts": True},
        ("r1", "r2", "r3"),
    ),
    (
        "middle account and subs",
        lambda w: {"accountIds": [w.ids("east")["east"]], "includeSubAccounts": True},
        ("r2", "r3"),
    ),
    (
        "accounts with and without subs",
        lambda w: {"accountIds": list(w.ids("east beta").values()), "includeSubAccounts": True},
        ("r2", "r3", "r4", "r5"),
    ),
    ("an ID of another type", lambda w: {"accountIds": [gid("User", w.tia.id)]}, ()),
    ("source", lambda w: {"sources": ["PORTAL"]}, ("r2", "r5")),
    ("manager source", lambda w: {"sources": ["ACCOUNT_MANAGER"]}, ("r3",)),
    ("unassigned", lambda w: {"unassigned": True}, ("r3", "r5", "r7")),
    ("assigned", lambda w: {"unassigned": False}, ("r1", "r2", "r4", "r6")),
    ("created after", lambda w: {"createdAfter": iso(4)}, ("r4", "r5", "r6", "r7")),
    ("created before", lambda w: {"createdBefore": iso(4)}, ("r1", "r2", "r3")),
    (
        "created between",
        lambda w: {"createdAfter": iso(2), "createdBefore": iso(5)},
        ("r2", "r3", "r4"),
    ),
    ("updated after", lambda w: {"updatedAfter": iso(6)}, ("r4", "r5", "r6", "r7")),
    ("updated before", lambda w: {"updatedBefore": iso(5)}, ("r1", "r3")),
    ("updated between", lambda w: {"updatedAfter": iso(5), "updatedBefore": iso(7)}, ("r2", "r5")),
    ("search note, any case", lambda w: {"search": "printer"}, ("r1", "r4")),
    ("search account name", lambda w: {"search": "acme east"}, ("r2", "r3")),
    ("search both", lambda w: {"search": "a"}, ("r1", "r2", "r3", "r4", "r5", "r6", "r7")),
    ("search wildcard is literal", lambda w: {"search": "100%"}, ("r6",)),
    ("search underscore is literal", lambda w: {"search": "_"}, ()),
    ("search trims", lambda w: {"search": "  ladder "}, ("r3",)),
    ("all conditions hold", lambda w: {"statuses": ["OPEN"], "search": "gamma"}, ("r6", "r7")),
    (
        "all conditions hold 2",
        lambda w: {
            "statuses": ["OPEN"],
            "unassigned": False,
            "typeIds": [gid("AccountRequestType", w.types["t1"])],
        },
        ("r1",),
    ),
]


@pytest.mark.parametrize(("name", "build", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
async def test_each_filter_in_list_and_counts(
    gql: GraphQLClient, name: str, build: Any, expected: tuple[str, ...]
) -> None:
    # given
    world = await _world()
    filter = build(world)
    # when
    numbers = await _numbers(gql, world.dana.token, filter)
    counts = await _counts(gql, world.dana.token, filter)
    # then
    assert sorted(numbers) == world.numbers(*expected)
    by_status: dict[str, int] = {s.value: 0 for s in RequestStatus}
    for label in expected:
        by_status[world.rows[label].status.value] += 1
    assert counts == by_status


async def test_assigned_to_me_is_the_home_list(gql: GraphQLClient) -> None:
    world = await _world()
    mine = {"assignedToMe": True}
    assert sorted(await _numbers(gql, world.tia.token, mine)) == world.numbers("r1", "r4")
    assert sum((await _counts(gql, world.tia.token, mine)).values()) == 2
    assert await _numbers(gql, world.dana.token, mine) == []


async def test_a_portal_contact_asking_for_its_home_list_gets_nothing(gql: GraphQLClient) -> None:
    world = await _world()
    contact = await portal_contact(world.accounts["acme"])
    assert await _numbers(gql, contact.token, {"assignedToMe": True}) == []


async def test_an_account_manager_lists_their_accounts_and_sub_accounts(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Acme (with its sub-accounts) and nothing else
    world = await _world()
    maya = await staff(Role.ACCOUNT_MANAGER)
    await Account.filter(id=world.accounts["acme"].id).update(manager_id=maya.id)
    # when / then
    assert sorted(await _numbers(gql, maya.token)) == world.numbers("r1", "r2", "r3")
    assert sum((await _counts(gql, maya.token)).values()) == 3
    beta = {"accountIds": [gid("Account", world.accounts["beta"].id)]}
    assert await _numbers(gql, maya.token, beta) == []
    assert sum((await _counts(gql, maya.token, beta)).values()) == 0


async def test_lists_need_a_sign_in(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(LIST, {"first": 5}))
    assert_unauthenticated(await gql.raw(COUNTS))


# --- order and paging -----------------------------------------------------------------


async def _ordered_world() -> tuple[Person, list[AccountRequest]]:
    """Thirteen requests with many ties in every sort key."""
    dana = await staff(Role.DISPATCHER)
    names = ["Beta", "Acme", "Gamma", "Acme East"]
    accounts = [await make_account(name) for name in names]
    request_type = await make_type()
    rows = []
    for n in range(13):
        rows.append(
            await make_request(
                accounts[n % 4],
                request_type,
                status=list(RequestStatus)[(n * 3) % 5],
                created_at=day(n // 3),
                updated_at=day((13 - n) // 4) + timedelta(microseconds=123_456 * (n % 2)),
            )
        )
    return dana, rows


async def _sort_key(row: AccountRequest, field: str) -> object:
    if field == "CREATED_AT":
        return row.created_at
    if field == "UPDATED_AT":
        return row.updated_at
    if field == "STATUS":
        return STATUS_RANK[row.status]
    return (await Account.get(id=row.account_id)).name


async def _page_all(
    gql: GraphQLClient, token: str, order: dict[str, str], size: int, backward: bool
) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        args = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        data = (await gql(LIST, {"orderBy": order, **args}, token=token))["accountRequests"]
        numbers = [node["number"] for node in data["nodes"]]
        info = data["pageInfo"]
        assert len(numbers) <= size
        if backward:
            seen = numbers + seen
            if not info["hasPreviousPage"]:
                return seen
            cursor = info["startCursor"]
        else:
            seen += numbers
            if not info["hasNextPage"]:
                return seen
            cursor = info["endCursor"]
    raise AssertionError("paging never ended")


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT", "STATUS", "ACCOUNT_NAME"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_every_order_pages_both_ways_with_every_row_once(
    gql: GraphQLClient, field: str, direction: str
) -> None:
    # given
    dana, rows = await _ordered_world()
    keyed = [((await _sort_key(row, field)), row.id) for row in rows]
    expected = [pk for _, pk in sorted(keyed, reverse=direction == "DESC")]
    order = {"field": field, "direction": direction}
    # when / then
    for size in (1, 4, 5, 13, 20):
        assert await _page_all(gql, dana.token, order, size, backward=False) == expected
        assert await _page_all(gql, dana.token, order, size, backward=True) == expected


async def test_the_default_order_is_latest_change_first(gql: GraphQLClient) -> None:
    dana, rows = await _ordered_world()
    expected = [row.id for row in sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)]
    assert await _numbers(gql, dana.token) == expected


async def test_page_info_and_total_count(gql: GraphQLClient) -> None:
    # given
    dana, rows = await _ordered_world()
    order = {"field": "CREATED_AT", "direction": "ASC"}
    # when
    first = (await gql(LIST, {"orderBy": order, "first": 5}, token=dana.token))["accountRequests"]
    last = (await gql(LIST, {"orderBy": order, "last": 5}, token=dana.token))["accountRequests"]
    middle = (
        await gql(
            LIST,
            {
                "orderBy": order,
                "first": 10,
                "after": first["pageInfo"]["endCursor"],
                "before": last["pageInfo"]["startCursor"],
            },
            token=dana.token,
        )
    )["accountRequests"]
    # then
    ids = sorted(row.id for row in rows)
    assert [n["number"] for n in first["nodes"]] == ids[:5]
    assert [n["number"] for n in last["nodes"]] == ids[-5:]
    assert [n["number"] for n in middle["nodes"]] == ids[5:8]
    assert first["totalCount"] == last["totalCount"] == middle["totalCount"] == 13
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert last["pageInfo"]["hasPreviousPage"] and not last["pageInfo"]["hasNextPage"]


def _forged(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "bad",
    [
        "nonsense",
        "Y3Vyc29yOjQ",
        gid("AccountRequest", 1),
        _forged("sort", "updated_at", ["v", "not a date"], 1),
        _forged("sort", "updated_at", ["t", "not a date"], 1),
        _forged("sort", "updated_at", ["v", True], 1),
        _forged("sort", "updated_at", ["t", "2024-03-01T00:00:00+00:00"], -1),
        _forged("sort", "updated_at", ["t", "2024-03-01T00:00:00"], 1),
        _forged("sort", "account__name", ["t", "2024-03-01T00:00:00+00:00"], 1),
    ],
)
async def test_a_foreign_cursor_is_a_client_error(gql: GraphQLClient, bad: str) -> None:
    dana = await staff(Role.DISPATCHER)
    body = await gql.raw(LIST, {"first": 5, "after": bad}, token=dana.token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cursor_of_another_order_is_a_client_error(gql: GraphQLClient) -> None:
    # given a cursor of the list sorted by status
    dana, _ = await _ordered_world()
    by_status = {"field": "STATUS", "direction": "ASC"}
    page = await gql(LIST, {"orderBy": by_status, "first": 3}, token=dana.token)
    cursor = page["accountRequests"]["pageInfo"]["endCursor"]
    # when it is used with another order
    by_date = {"field": "CREATED_AT", "direction": "ASC"}
    body = await gql.raw(LIST, {"orderBy": by_date, "first": 3, "after": cursor}, dana.token)
    # then it is refused, not compared with dates
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


@pytest.mark.parametrize(
    "order",
    [
        {"field": "UPDATED_AT", "direction": "DESC"},
        {"field": "CREATED_AT", "direction": "ASC"},
        {"field": "CREATED_AT", "direction": "DESC"},
        {"field": "STATUS", "direction": "ASC"},
        {"field": "ACCOUNT_NAME", "direction": "ASC"},
    ],
    ids=lambda o: f"{o['field']}-{o['direction']}",
)
async def test_cursors_hold_while_rows_are_inserted(
    gql: GraphQLClient, order: dict[str, str]
) -> None:
    # given page 1 of the list
    dana, rows = await _ordered_world()
    page1 = (await gql(LIST, {"orderBy": order, "first": 5}, token=dana.token))["accountRequests"]
    # when new requests arrive, sorting before, among and after the seen ones
    newcomers = [await make_account(name) for name in ("Aardvark", "Acme Middle", "Zulu")]
    request_type = await make_type()
    for n in range(6):
        await make_request(
            newcomers[n % 3],
            request_type,
            status=list(RequestStatus)[n % 5],
            created_at=day(-1 + 3 * n),
            updated_at=day(-1 + 3 * n),
        )
    # then the next pages continue where page 1 stopped: every old row once, none twice
    seen = [node["number"] for node in page1["nodes"]]
    cursor = page1["pageInfo"]["endCursor"]
    while cursor is not None:
        page = (await gql(LIST, {"orderBy": order, "first": 4, "after": cursor}, dana.token))[
            "accountRequests"
        ]
        seen += [node["number"] for node in page["nodes"]]
        cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert len(seen) == len(set(seen))
    assert {row.id for row in rows} <= set(seen)


# --- Account.accountRequests ----------------------------------------------------------

ACCOUNT_REQUESTS = """
query Of($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Account {
      accountRequests(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { number }
      }
    }
  }
}
"""


async def test_an_account_lists_its_own_requests_newest_first(gql: GraphQLClient) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    acme = await make_account()
    sub = await make_account(parent=acme)
    ours = [await make_request(acme, created_at=day(n)) for n in (3, 1, 2)]
    await make_request(sub)
    await make_request(await make_account())
    # when
    variables = {"id": gid("Account", acme.id), "first": 2}
    page = (await gql(ACCOUNT_REQUESTS, variables, token=dana.token))["node"]["accountRequests"]
    rest = (
        await gql(
            ACCOUNT_REQUESTS, {**variables, "after": page["pageInfo"]["endCursor"]}, dana.token
        )
    )["node"]["accountRequests"]
    # then
    newest_first = [ours[0].id, ours[2].id, ours[1].id]
    assert [n["number"] for n in page["nodes"] + rest["nodes"]] == newest_first
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    assert not rest["pageInfo"]["hasNextPage"]


# --- portal contacts ------------------------------------------------------------------

GUESS = """
query Guess($id: ID!, $ids: [ID!]!) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
}
"""


async def test_a_portal_contact_cannot_see_count_or_guess_other_accounts_requests(
    gql: GraphQLClient,
) -> None:
    # given Carol of Acme, and requests of Acme and of Beta
    acme = await make_account("Acme")
    beta = await make_account("Beta")
    carol = await portal_contact(acme)
    ours = await make_request(acme, note="our printer")
    theirs = await make_request(beta, note="their printer", status=S.IN_PROGRESS)
    # when / then the list and the counts show Acme's only, whatever the filter
    for filter in (
        None,
        {"search": "printer"},
        {"accountIds": [gid("Account", beta.id)]},
        {"accountIds": [gid("Account", acme.id), gid("Account", beta.id)]},
        {"statuses": ["IN_PROGRESS"]},
    ):
        numbers = await _numbers(gql, carol.token, filter)
        assert theirs.id not in numbers
        counts = await _counts(gql, carol.token, filter)
        assert counts["IN_PROGRESS"] == 0
        assert sum(counts.values()) == len(numbers)
    assert await _numbers(gql, carol.token) == [ours.id]
    # and guessing IDs reads exactly like IDs that do not exist
    guessed = await gql(
        GUESS,
        {"id": request_gid(theirs), "ids": [request_gid(theirs), gid("AccountRequest", 99_999)]},
        token=carol.token,
    )
    assert guessed == {"node": None, "nodes": [None, None]}
    own = await gql(GUESS, {"id": request_gid(ours), "ids": [request_gid(ours)]}, carol.token)
    assert own == {"node": {"id": request_gid(ours)}, "nodes": [{"id": request_gid(ours)}]}
    other_account = await gql(ACCOUNT_REQUESTS, {"id": gid("Account", beta.id)}, token=carol.token)
    assert other_account == {"node": None}
    mine = await gql(ACCOUNT_REQUESTS, {"id": gid("Account", acme.id)}, token=carol.token)
    assert [n["number"] for n in mine["node"]["accountRequests"]["nodes"]] == [ours.id]
