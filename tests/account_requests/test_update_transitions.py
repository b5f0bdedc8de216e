"""Status transitions of an account request, and who may reopen one."""

from __future__ import annotations

import pytest

from models.account_requests import TRANSITIONS, AccountRequest, RequestStatus
from models.permissions import Role
from tests.account_requests.operations import TIMELINE, _update
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient
from tests.factories import (
    make_account,
    staff,
)

PAIRS = [(a, b) for a in RequestStatus for b in RequestStatus if a is not b]
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]
REOPENS = [(a, b) for a, b in ALLOWED if a in (RequestStatus.COMPLETED, RequestStatus.CANCELLED)]


async def _timeline_kinds(gql: GraphQLClient, token: str, request: AccountRequest) -> list[str]:
    data = await gql(TIMELINE, {"id": request_gid(request)}, token=token)
    return [node["kind"] for node in data["node"]["timeline"]["nodes"]]


# --- the transition table -------------------------------------------------------------


def test_the_table_covers_every_status_and_reopening_is_limited() -> None:
    assert set(TRANSITIONS) == set(RequestStatus)
    assert all(status not in targets for status, targets in TRANSITIONS.items())
    assert len(ALLOWED) + len(REFUSED) == 20 and REFUSED


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: s.value)
async def test_every_allowed_transition_works(
    gql: GraphQLClient, source: RequestStatus, target: RequestStatus
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER, name="Dana")
    request = await make_request(await make_account(), status=source)
    # when
    payload = await _update(gql, dispatcher.token, request, status=target.value)
    # then
    assert payload["userErrors"] == []
    changed = payload["accountRequest"]
    assert changed["status"] == target.value
    assert changed["timeline"]["nodes"] == [
        {
            "kind": "STATUS_CHANGED",
            "before": source.value,
            "after": target.value,
            "actor": {"name": "Dana"},
        }
    ]
    assert set(changed["nextStatuses"]) == {s.value for s in TRANSITIONS[target]}


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda s: s.value)
async def test_every_refused_transition_names_the_allowed_ones(
    gql: GraphQLClient, source: RequestStatus, target: RequestStatus
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    request = await make_request(await make_account(), status=source, note="keep me")
    # when the refused move comes with another change
    payload = await _update(gql, admin.token, request, status=target.value, note="changed")
    # then nothing is written
    assert payload["accountRequest"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "TRANSITION_NOT_ALLOWED"
    assert error["field"] == ["input", "status"]
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS[source]))
    assert error["message"] == f"A {source.value} request can move to {allowed} only."
    await request.refresh_from_db()
    assert (request.status, request.note) == (source, "keep me")
    assert await _timeline_kinds(gql, admin.token, request) == []


@pytest.mark.parametrize(("source", "target"), REOPENS, ids=lambda s: s.value)
@pytest.mark.parametrize("who", ["admin", "dispatcher", "manager", "parent manager"])
async def test_reopening_is_for_admins_dispatchers_and_the_account_manager(
    gql: GraphQLClient, source: RequestStatus, target: RequestStatus, who: str
) -> None:
    # given
    person = await staff(Role.ACCOUNT_MANAGER if "manager" in who else Role[who.upper()])
    if who == "manager":
        account = await make_account(manager=person.user)
    elif who == "parent manager":
        account = await make_account(parent=await make_account(manager=person.user))
    else:
        account = await make_account()
    request = await make_request(account, status=source)
    # when
    payload = await _update(gql, person.token, request, status=target.value)
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["status"] == target.value


@pytest.mark.parametrize(("source", "target"), REOPENS, ids=lambda s: s.value)
async def test_a_technician_may_close_but_not_reopen_their_request(
    gql: GraphQLClient, source: RequestStatus, target: RequestStatus
) -> None:
    # given a closed request assigned to the technician
    tech = await staff(Role.TECHNICIAN)
    request = await make_request(await make_account(), status=source, assignee=tech.user)
    # when
    payload = await _update(gql, tech.token, request, status=target.value)
    # then
    assert payload["accountRequest"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "FORBIDDEN"
    assert error["field"] == ["input", "status"]
    assert "Reopening" in error["message"]
