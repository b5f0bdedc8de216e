"""Editing an account request's fields, and moving it to another account."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.account_requests.operations import TIMELINE, _update
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient, user_error_codes
from tests.factories import (
    make_account,
    make_contact,
    make_user,
    staff,
)
from tests.ids import gid

# --- the edited fields ----------------------------------------------------------------


async def test_changing_the_type_refuses_an_inactive_one(gql: GraphQLClient) -> None:
    # given a request whose own type has since been retired
    admin = await staff(Role.ADMIN)
    retired = await make_type("Retired", active=False)
    billing = await make_type("Billing")
    other_retired = await make_type("Old", active=False)
    request = await make_request(await make_account(), retired)
    # when its note changes, it keeps its inactive type
    kept = await _update(gql, admin.token, request, note="still fine")
    assert kept["userErrors"] == []
    assert kept["accountRequest"]["type"] == {"name": "Retired"}
    # when it moves to another inactive type
    refused = await _update(
        gql, admin.token, request, typeId=gid("AccountRequestType", other_retired.id)
    )
    assert refused["userErrors"] == [
        {
            "code": "TYPE_INACTIVE",
            "field": ["input", "typeId"],
            "message": "The type Old is no longer in use.",
        }
    ]
    # when it moves to an active type
    moved = await _update(gql, admin.token, request, typeId=gid("AccountRequestType", billing.id))
    assert moved["userErrors"] == []
    assert moved["accountRequest"]["type"] == {"name": "Billing"}
    assert moved["accountRequest"]["timeline"]["nodes"][0] == {
        "kind": "TYPE_CHANGED",
        "before": gid("AccountRequestType", retired.id),
        "after": gid("AccountRequestType", billing.id),
        "actor": {"name": admin.row.name},
    }


async def test_a_missing_type_is_not_found(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    request = await make_request(await make_account())
    payload = await _update(gql, admin.token, request, typeId=gid("AccountRequestType", 999_999))
    assert user_error_codes(payload) == ["NOT_FOUND"]


async def test_the_contact_must_belong_to_the_account(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    carol = await make_contact(account, name="Carol")
    stranger = await make_contact(await make_account())
    request = await make_request(account)
    # when / then
    refused = await _update(gql, admin.token, request, contactId=gid("Contact", stranger.id))
    assert refused["userErrors"] == [
        {
            "code": "CONTACT_NOT_OF_ACCOUNT",
            "field": ["input", "contactId"],
            "message": "The contact must belong to the account.",
        }
    ]
    chosen = await _update(gql, admin.token, request, contactId=gid("Contact", carol.id))
    assert chosen["userErrors"] == []
    assert chosen["accountRequest"]["contact"] == {"name": "Carol"}
    assert chosen["accountRequest"]["timeline"]["nodes"][0]["kind"] == "CONTACT_CHANGED"
    assert chosen["accountRequest"]["timeline"]["nodes"][0]["before"] is None
    assert chosen["accountRequest"]["timeline"]["nodes"][0]["after"] == gid("Contact", carol.id)


async def test_contact_null_removes_the_contact(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    account = await make_account()
    carol = await make_contact(account)
    request = await make_request(account, contact=carol)
    payload = await _update(gql, admin.token, request, contactId=None)
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["contact"] is None
    event = payload["accountRequest"]["timeline"]["nodes"][0]
    assert (event["kind"], event["before"], event["after"]) == (
        "CONTACT_CHANGED",
        gid("Contact", carol.id),
        None,
    )


async def test_assignee_null_unassigns_and_leaving_it_out_keeps_it(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    tech = await staff(Role.TECHNICIAN, name="Tia")
    request = await make_request(await make_account(), assignee=tech.user)
    # when the note changes, the assignee stays
    kept = await _update(gql, dispatcher.token, request, note="more")
    assert kept["accountRequest"]["assignee"] == {"name": "Tia"}
    # when assigneeId is null
    payload = await _update(gql, dispatcher.token, request, assigneeId=None)
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["assignee"] is None
    event = payload["accountRequest"]["timeline"]["nodes"][0]
    assert (event["kind"], event["before"], event["after"]) == (
        "ASSIGNED",
        gid("User", tech.id),
        None,
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("inactive", "USER_INACTIVE"),
        ("no role", "ASSIGNEE_NOT_ELIGIBLE"),
        ("nobody", "NOT_FOUND"),
    ],
)
async def test_the_assignee_must_be_an_active_user_who_works_requests(
    gql: GraphQLClient, who: str, code: str
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    if who == "inactive":
        target = gid("User", (await make_user(Role.TECHNICIAN, active=False)).id)
    elif who == "no role":
        target = gid("User", (await make_user()).id)
    else:
        target = gid("User", 999_999)
    payload = await _update(gql, dispatcher.token, request, assigneeId=target)
    assert user_error_codes(payload) == [code]
    assert payload["userErrors"][0]["field"] == ["input", "assigneeId"]


async def test_the_note_is_trimmed_and_limited(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    request = await make_request(await make_account(), note="old")
    payload = await _update(gql, admin.token, request, note="  new words  ")
    assert payload["accountRequest"]["note"] == "new words"
    event = payload["accountRequest"]["timeline"]["nodes"][0]
    assert (event["kind"], event["before"], event["after"]) == ("NOTE_CHANGED", "old", "new words")
    too_long = await _update(gql, admin.token, request, note="x" * 10_001)
    assert user_error_codes(too_long) == ["TOO_LONG"]


# --- moving to another account --------------------------------------------------------


async def test_moving_to_another_account(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    old = await make_account("Old Co")
    new = await make_account("New Co")
    request = await make_request(old)
    # when
    payload = await _update(gql, dispatcher.token, request, accountId=gid("Account", new.id))
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["account"] == {"name": "New Co"}
    event = payload["accountRequest"]["timeline"]["nodes"][0]
    assert (event["kind"], event["before"], event["after"]) == (
        "ACCOUNT_CHANGED",
        gid("Account", old.id),
        gid("Account", new.id),
    )


async def test_moving_to_an_inactive_or_unknown_account_is_refused(gql: GraphQLClient) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    closed = await make_account("Closed Co", active=False)
    inactive = await _update(gql, dispatcher.token, request, accountId=gid("Account", closed.id))
    assert inactive["userErrors"] == [
        {
            "code": "ACCOUNT_INACTIVE",
            "field": ["input", "accountId"],
            "message": "The account Closed Co is inactive.",
        }
    ]
    unknown = await _update(gql, dispatcher.token, request, accountId=gid("Account", 999_999))
    assert user_error_codes(unknown) == ["NOT_FOUND"]


async def test_moving_with_the_old_accounts_contact_asks_for_a_decision(
    gql: GraphQLClient,
) -> None:
    # given a request for a contact of the old account
    dispatcher = await staff(Role.DISPATCHER)
    old = await make_account("Old Co")
    new = await make_account("New Co")
    carol = await make_contact(old, name="Carol")
    nina = await make_contact(new, name="Nina")
    request = await make_request(old, contact=carol)
    # when it is moved alone, then the contact is not dropped silently
    refused = await _update(gql, dispatcher.token, request, accountId=gid("Account", new.id))
    assert refused["accountRequest"] is None
    [error] = refused["userErrors"]
    assert error["code"] == "CONTACT_NOT_OF_ACCOUNT"
    assert error["field"] == ["input", "contactId"]
    assert "Carol" in error["message"] and "New Co" in error["message"]
    await request.refresh_from_db()
    assert (request.account_id, request.contact_id) == (old.id, carol.id)
    # when it is moved with a contact of the new account
    moved = await _update(
        gql,
        dispatcher.token,
        request,
        accountId=gid("Account", new.id),
        contactId=gid("Contact", nina.id),
    )
    assert moved["userErrors"] == []
    assert moved["accountRequest"]["contact"] == {"name": "Nina"}
    assert [e["kind"] for e in moved["accountRequest"]["timeline"]["nodes"][:2]] == [
        "CONTACT_CHANGED",
        "ACCOUNT_CHANGED",
    ]


async def test_moving_with_contact_null_drops_the_contact_with_its_own_event(
    gql: GraphQLClient,
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    old = await make_account()
    new = await make_account()
    carol = await make_contact(old)
    request = await make_request(old, contact=carol)
    payload = await _update(
        gql, dispatcher.token, request, accountId=gid("Account", new.id), contactId=None
    )
    assert payload["userErrors"] == []
    events = payload["accountRequest"]["timeline"]["nodes"]
    assert [(e["kind"], e["before"], e["after"]) for e in events[:2]] == [
        ("CONTACT_CHANGED", gid("Contact", carol.id), None),
        ("ACCOUNT_CHANGED", gid("Account", old.id), gid("Account", new.id)),
    ]


async def test_an_account_manager_moves_only_between_their_own_accounts(
    gql: GraphQLClient,
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    mine = await make_account(manager=manager.user)
    also_mine = await make_account("Sub Co", parent=mine)
    foreign = await make_account()
    request = await make_request(mine)
    # when / then
    refused = await _update(gql, manager.token, request, accountId=gid("Account", foreign.id))
    assert user_error_codes(refused) == ["NOT_FOUND"]
    moved = await _update(gql, manager.token, request, accountId=gid("Account", also_mine.id))
    assert moved["userErrors"] == []
    assert moved["accountRequest"]["account"] == {"name": "Sub Co"}


async def test_a_technician_cannot_move_their_request(gql: GraphQLClient) -> None:
    tech = await staff(Role.TECHNICIAN)
    request = await make_request(await make_account(), assignee=tech.user)
    payload = await _update(
        gql, tech.token, request, accountId=gid("Account", (await make_account()).id)
    )
    assert user_error_codes(payload) == ["FORBIDDEN"]
    assert payload["userErrors"][0]["field"] == ["input", "accountId"]


async def test_a_request_of_an_inactive_account_refuses_edits(gql: GraphQLClient) -> None:
    # given a request of an account deactivated since
    dispatcher = await staff(Role.DISPATCHER)
    tech = await staff(Role.TECHNICIAN)
    request = await make_request(await make_account("Gone Co", active=False), assignee=tech.user)
    # when / then staff who may edit it get the account's state, not a change
    for person in (dispatcher, tech):
        payload = await _update(gql, person.token, request, status="CANCELLED")
        assert payload["userErrors"] == [
            {
                "code": "ACCOUNT_INACTIVE",
                "field": ["input", "id"],
                "message": "The account Gone Co is inactive.",
            }
        ]
    # and someone who may not edit it learns nothing more than before
    other = await staff(Role.TECHNICIAN)
    assert user_error_codes(await _update(gql, other.token, request, note="x")) == ["FORBIDDEN"]


# --- nothing changed ------------------------------------------------------------------


async def test_an_update_that_changes_nothing_records_nothing(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tech = await staff(Role.TECHNICIAN)
    account = await make_account()
    carol = await make_contact(account)
    request_type = await make_type()
    request = await make_request(
        account,
        request_type,
        assignee=tech.user,
        contact=carol,
        note="same",
    )
    before = (await gql(TIMELINE, {"id": request_gid(request)}, token=admin.token))["node"]
    # when every field is sent with its current value
    payload = await _update(
        gql,
        admin.token,
        request,
        status="OPEN",
        note="same",
        assigneeId=gid("User", tech.id),
        contactId=gid("Contact", carol.id),
        typeId=gid("AccountRequestType", request_type.id),
        accountId=gid("Account", account.id),
    )
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["timeline"]["totalCount"] == 0
    after = (await gql(TIMELINE, {"id": request_gid(request)}, token=admin.token))["node"]
    assert after == before
