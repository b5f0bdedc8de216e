"""Who may edit which account requests."""

from __future__ import annotations

import pytest

from models.accounts import Account
from models.permissions import Role
from tests.account_requests.operations import UPDATE, _update
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, user_error_codes
from tests.factories import (
    make_account,
    make_user,
    portal_contact,
    staff,
    token_for,
)
from tests.ids import gid

# --- who may edit ---------------------------------------------------------------------


async def test_a_technician_edits_only_requests_assigned_to_them(gql: GraphQLClient) -> None:
    # given
    tech = await staff(Role.TECHNICIAN)
    other = await staff(Role.TECHNICIAN)
    account = await make_account()
    mine = await make_request(account, assignee=tech.user)
    theirs = await make_request(account, assignee=other.user)
    nobodys = await make_request(account)
    # when / then
    ok = await _update(gql, tech.token, mine, status="IN_PROGRESS", note="On my way")
    assert ok["userErrors"] == []
    assert ok["accountRequest"]["note"] == "On my way"
    for request in (theirs, nobodys):
        refused = await _update(gql, tech.token, request, note="mine now")
        assert refused["accountRequest"] is None
        assert refused["userErrors"] == [
            {
                "code": "FORBIDDEN",
                "field": ["input", "id"],
                "message": "You may edit only requests assigned to you.",
            }
        ]


async def test_a_technician_who_hands_a_request_on_can_no_longer_edit_it(
    gql: GraphQLClient,
) -> None:
    # given
    tech = await staff(Role.TECHNICIAN)
    colleague = await staff(Role.TECHNICIAN, name="Colin")
    request = await make_request(await make_account(), assignee=tech.user)
    # when
    handed = await _update(gql, tech.token, request, assigneeId=gid("User", colleague.id))
    again = await _update(gql, tech.token, request, note="one more thing")
    # then
    assert handed["userErrors"] == []
    assert handed["accountRequest"]["assignee"] == {"name": "Colin"}
    assert user_error_codes(again) == ["FORBIDDEN"]


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_roles_working_only_their_assigned_requests_may_not_edit_others(
    gql: GraphQLClient, role: Role
) -> None:
    # given a request assigned to nobody
    person = await staff(role)
    request = await make_request(await make_account(), note="old")
    # when
    payload = await _update(gql, person.token, request, note="x")
    # then
    assert user_error_codes(payload) == ["FORBIDDEN"]
    await request.refresh_from_db()
    assert request.note == "old"


async def test_a_staff_user_without_roles_is_forbidden(gql: GraphQLClient) -> None:
    # given
    user = await make_user()
    person_token = await token_for(user)
    request = await make_request(await make_account())
    # when
    body = await gql.raw(UPDATE, {"input": {"id": request_gid(request), "note": "x"}}, person_token)
    # then
    assert_forbidden(body)
    assert body["data"] is None


async def test_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    request = await make_request(await make_account())
    body = await gql.raw(UPDATE, {"input": {"id": request_gid(request), "note": "x"}})
    assert_unauthenticated(body)


@pytest.mark.parametrize("whose", ["own account", "another account"])
async def test_a_portal_contact_is_forbidden_alike_for_any_request(
    gql: GraphQLClient, whose: str
) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    target = account if whose == "own account" else await make_account()
    request = await make_request(target, contact=contact.contact)
    # when
    body = await gql.raw(
        UPDATE, {"input": {"id": request_gid(request), "note": "x"}}, contact.token
    )
    # then the answer says nothing about the request
    assert_forbidden(body)
    assert body["errors"][0]["message"] == "You are not allowed to do this."


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
async def test_an_account_manager_edits_their_accounts_and_sub_accounts(
    gql: GraphQLClient, depth: int
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.user)
    for _ in range(depth):
        account = await make_account(parent=account)
    request = await make_request(account)
    # when
    payload = await _update(gql, manager.token, request, status="IN_PROGRESS")
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["status"] == "IN_PROGRESS"


async def test_an_account_manager_cannot_find_other_accounts_requests(gql: GraphQLClient) -> None:
    # given another manager's account, and a sub-account below the managed depth
    manager = await staff(Role.ACCOUNT_MANAGER)
    someone = await staff(Role.ACCOUNT_MANAGER)
    account: Account = await make_account(manager=manager.user)
    for _ in range(4):
        account = await make_account(parent=account)
    too_deep = await make_request(account)
    other = await make_request(await make_account(manager=someone.user))
    unmanaged = await make_request(await make_account())
    # when / then they read exactly like a missing request
    missing = await _update(gql, manager.token, unmanaged, note="x")
    assert missing["userErrors"] == [
        {
            "code": "NOT_FOUND",
            "field": ["input", "id"],
            "message": "No account request with this ID.",
        }
    ]
    for request in (too_deep, other):
        assert (await _update(gql, manager.token, request, note="x"))["userErrors"] == missing[
            "userErrors"
        ]


async def test_an_id_of_another_type_or_a_missing_request_is_not_found(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    account = await make_account()
    for wrong in (gid("Account", account.id), gid("AccountRequest", 999_999)):
        data = await gql(UPDATE, {"input": {"id": wrong, "note": "x"}}, token=admin.token)
        assert user_error_codes(data["updateAccountRequest"]) == ["NOT_FOUND"]
