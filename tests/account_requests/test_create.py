"""Staff creating an account request: defaults, choices, validation, who may."""

from __future__ import annotations

import pytest

from models import account_requests, notifications
from models.permissions import Role
from models.users import set_roles
from tests.account_requests.operations import CREATE_REQUEST, _ids, create_request
from tests.account_requests.rows import _type, written_rows
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import make_account, make_contact, make_user, portal_contact, staff
from tests.ids import gid

NOT_ALLOWED_TO_CREATE = [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING]


# --- staff ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_staff_create_for_any_account_with_defaults(gql: GraphQLClient, role: Role) -> None:
    # given
    creator = await staff(role, name="Sam Staff")
    tech = await make_user(Role.TECHNICIAN, name="Tia Tech")
    manager = await make_user(Role.ACCOUNT_MANAGER)
    account = await make_account("Northwind", manager=manager)
    billing = await _type(assignee=tech)

    # when
    payload = await create_request(gql, creator.token, **_ids(account, billing), note=" Hi ")

    # then
    assert payload["userErrors"] == []
    request = payload["accountRequest"]
    assert request["status"] == "OPEN"
    assert request["source"] == "STAFF"
    assert request["note"] == "Hi"
    assert request["account"] == {"name": "Northwind"}
    assert request["type"] == {"name": "Billing"}
    assert request["assignee"] == {"name": "Tia Tech"}
    assert request["contact"] is None
    assert request["createdBy"] == {"name": "Sam Staff"}
    assert request["timeline"]["nodes"] == [
        {"kind": "ASSIGNED", "before": None, "after": gid("User", tech.id)},
        {"kind": "CREATED", "before": None, "after": "OPEN"},
    ]
    notes = await notifications.Notification.filter(user_id=tech.id)
    assert [n.kind for n in notes] == [notifications.NotificationKind.ACCOUNT_REQUEST_ASSIGNED]


async def test_staff_may_choose_the_status_the_assignee_and_the_contact(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    default = await make_user(Role.TECHNICIAN, name="Default Dee")
    chosen = await make_user(Role.TECHNICIAN, name="Chosen Chris")
    account = await make_account()
    contact = await make_contact(account, name="Carol Customer")
    billing = await _type(assignee=default)

    # when
    payload = await create_request(
        gql,
        dispatcher.token,
        **_ids(account, billing),
        status="IN_PROGRESS",
        assigneeId=gid("User", chosen.id),
        contactId=gid("Contact", contact.id),
    )

    # then
    assert payload["userErrors"] == []
    request = payload["accountRequest"]
    assert request["status"] == "IN_PROGRESS"
    assert request["assignee"] == {"name": "Chosen Chris"}
    assert request["contact"] == {"name": "Carol Customer"}
    assert await notifications.Notification.filter(user_id=default.id).count() == 0
    assert await notifications.Notification.filter(user_id=chosen.id).count() == 1


async def test_without_a_default_assignee_the_request_is_unassigned(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    billing = await _type()

    # when
    payload = await create_request(gql, dispatcher.token, **_ids(account, billing))

    # then
    assert payload["accountRequest"]["assignee"] is None
    assert [e["kind"] for e in payload["accountRequest"]["timeline"]["nodes"]] == ["CREATED"]
    assert await notifications.Notification.all().count() == 0


async def test_assigning_to_oneself_notifies_nobody(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER, name="Dan Dispatcher")
    account = await make_account()
    billing = await _type()

    # when
    payload = await create_request(
        gql, dispatcher.token, **_ids(account, billing), assigneeId=gid("User", dispatcher.id)
    )

    # then
    assert payload["accountRequest"]["assignee"] == {"name": "Dan Dispatcher"}
    assert await notifications.Notification.all().count() == 0


async def test_a_default_assignee_who_left_is_skipped(gql: GraphQLClient) -> None:
    """A type set up for someone since deactivated must not block or misroute new requests."""
    # given
    dispatcher = await staff(Role.DISPATCHER)
    gone = await make_user(Role.TECHNICIAN)
    demoted = await make_user(Role.TECHNICIAN)
    account = await make_account()
    contact = await portal_contact(account)
    left = await _type("Left", portal=True, assignee=gone)
    moved = await _type("Moved", portal=True, assignee=demoted)
    gone.is_active = False
    await gone.save()
    await set_roles(demoted, [])  # no staff role left: works no requests

    # when
    by_staff = [
        await create_request(gql, dispatcher.token, **_ids(account, t)) for t in (left, moved)
    ]
    by_portal = [
        await create_request(gql, contact.token, typeId=gid("AccountRequestType", t.id))
        for t in (left, moved)
    ]

    # then
    for payload in by_staff + by_portal:
        assert payload["userErrors"] == []
    assert await account_requests.AccountRequest.filter(assignee_id__isnull=False).count() == 0
    assert await notifications.Notification.all().count() == 0


async def test_an_explicit_assignee_must_work_requests_and_be_active(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    accountant = await make_user()  # a user holding no staff role
    gone = await make_user(Role.TECHNICIAN, active=False)
    account = await make_account()
    billing = await _type()

    # when
    outsider = await create_request(
        gql, dispatcher.token, **_ids(account, billing), assigneeId=gid("User", accountant.id)
    )
    inactive = await create_request(
        gql, dispatcher.token, **_ids(account, billing), assigneeId=gid("User", gone.id)
    )
    unknown = await create_request(
        gql, dispatcher.token, **_ids(account, billing), assigneeId=gid("User", 999_999)
    )

    # then
    assert error_pairs(outsider) == [("ASSIGNEE_NOT_ELIGIBLE", ["input", "assigneeId"])]
    assert error_pairs(inactive) == [("USER_INACTIVE", ["input", "assigneeId"])]
    assert error_pairs(unknown) == [("NOT_FOUND", ["input", "assigneeId"])]
    assert await written_rows() == (0, 0, 0, 0)


async def test_the_contact_must_belong_to_the_account(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    other = await make_account()
    stranger = await make_contact(other)
    billing = await _type()

    # when
    foreign = await create_request(
        gql, dispatcher.token, **_ids(account, billing), contactId=gid("Contact", stranger.id)
    )
    unknown = await create_request(
        gql, dispatcher.token, **_ids(account, billing), contactId=gid("Contact", 999_999)
    )

    # then
    assert error_pairs(foreign) == [("CONTACT_NOT_OF_ACCOUNT", ["input", "contactId"])]
    assert error_pairs(unknown) == [("CONTACT_NOT_OF_ACCOUNT", ["input", "contactId"])]
    assert foreign["accountRequest"] is None


async def test_the_account_must_exist_and_be_active(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    closed = await make_account(active=False)
    billing = await _type()

    # when
    inactive = await create_request(gql, dispatcher.token, **_ids(closed, billing))
    unknown = await create_request(
        gql,
        dispatcher.token,
        accountId=gid("Account", 999_999),
        typeId=gid("AccountRequestType", billing.id),
    )
    missing = await create_request(
        gql, dispatcher.token, typeId=gid("AccountRequestType", billing.id)
    )

    # then
    assert error_pairs(inactive) == [("ACCOUNT_INACTIVE", ["input", "accountId"])]
    assert error_pairs(unknown) == [("NOT_FOUND", ["input", "accountId"])]
    assert error_pairs(missing) == [("REQUIRED", ["input", "accountId"])]


async def test_the_type_must_exist_and_be_active(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    retired = await _type(active=False)

    # when
    inactive = await create_request(gql, dispatcher.token, **_ids(account, retired))
    unknown = await create_request(
        gql,
        dispatcher.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", 999_999),
    )

    # then
    assert error_pairs(inactive) == [("TYPE_INACTIVE", ["input", "typeId"])]
    assert error_pairs(unknown) == [("NOT_FOUND", ["input", "typeId"])]


async def test_a_note_has_at_most_ten_thousand_characters(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    billing = await _type()

    # when
    longest = await create_request(
        gql, dispatcher.token, **_ids(account, billing), note="x" * 10_000
    )
    too_long = await create_request(
        gql, dispatcher.token, **_ids(account, billing), note="x" * 10_001
    )

    # then
    assert longest["userErrors"] == []
    assert len(longest["accountRequest"]["note"]) == 10_000
    assert error_pairs(too_long) == [("TOO_LONG", ["input", "note"])]
    assert await account_requests.AccountRequest.all().count() == 1


@pytest.mark.parametrize("role", NOT_ALLOWED_TO_CREATE)
async def test_other_roles_may_not_create(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    account = await make_account()
    billing = await _type(assignee=await make_user(Role.TECHNICIAN))

    # when
    body = await gql.raw(CREATE_REQUEST, {"input": _ids(account, billing)}, token=viewer.token)

    # then
    assert_forbidden(body)
    assert await written_rows() == (0, 0, 0, 0)


async def test_anonymous_may_not_create(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    billing = await _type()

    # when
    body = await gql.raw(CREATE_REQUEST, {"input": _ids(account, billing)})

    # then
    assert_unauthenticated(body)
    assert await written_rows() == (0, 0, 0, 0)
