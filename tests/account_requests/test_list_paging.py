"""Ordering and paging the account request list, and its cursors."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from models.account_requests import (
    STATUS_RANK,
    AccountRequest,
    RequestStatus,
)
from models.accounts import Account
from models.permissions import Role
from tests.account_requests.operations import LIST, _numbers
from tests.account_requests.rows import day, make_request, make_type
from tests.client import GraphQLClient
from tests.factories import Person, make_account, staff
from tests.ids import gid

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
