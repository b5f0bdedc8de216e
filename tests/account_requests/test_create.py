"""createAccountRequest: defaults, checks, and who may create for which account."""

from __future__ import annotations

from typing import Any

import pytest

from models import account_requests, notifications
from models.accounts import Account
from models.permissions import Role
from models.request_types import AccountRequestType
from models.users import User, set_roles
from tests.account_requests.operations import CREATE_REQUEST, UPDATE_SETTINGS, create_request
from tests.account_requests.rows import written_rows
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import make_account, make_contact, make_user, portal_contact, staff
from tests.ids import gid

NOT_ALLOWED_TO_CREATE = [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING]


async def _type(
    name: str = "Billing",
    *,
    portal: bool = False,
    active: bool = True,
    assignee: User | None = None,
) -> AccountRequestType:
    return await AccountRequestType.create(
        name=name,
        portal_available=portal,
        is_active=active,
        default_assignee_id=assignee.id if assignee else None,
    )


def _ids(account: Account, request_type: AccountRequestType) -> dict[str, Any]:
    return {
        "accountId": gid("Account", account.id),
        "typeId": gid("AccountRequestType", request_type.id),
    }


async def _allow_on_behalf(gql: GraphQLClient, allowed: bool) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(
        UPDATE_SETTINGS, {"input": {"managersMayCreateOnBehalf": allowed}}, token=admin.token
    )
    assert data["updateCompanySettings"]["userErrors"] == []
    assert data["updateCompanySettings"]["companySettings"] == {
        "managersMayCreateOnBehalf": allowed
    }


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


# --- account managers ------------------------------------------------------------------------


async def test_manager_creates_on_own_accounts_and_sub_accounts(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mia Manager")
    own = await make_account("Own", manager=manager.row)  # type: ignore[arg-type]
    child = await make_account("Child", parent=own)
    grandchild = await make_account("Grandchild", parent=child)
    great = await make_account("Great-grandchild", parent=grandchild)
    billing = await _type()

    # when
    payloads = [
        await create_request(gql, manager.token, **_ids(account, billing))
        for account in (own, child, grandchild, great)
    ]

    # then
    for payload, name in zip(
        payloads, ["Own", "Child", "Grandchild", "Great-grandchild"], strict=True
    ):
        assert payload["userErrors"] == []
        assert payload["accountRequest"]["source"] == "ACCOUNT_MANAGER"
        assert payload["accountRequest"]["account"] == {"name": name}
        assert payload["accountRequest"]["createdBy"] == {"name": "Mia Manager"}


async def test_manager_cannot_see_other_accounts_to_create_on(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    someone_else = await make_user(Role.ACCOUNT_MANAGER)
    await make_account(manager=manager.row)  # type: ignore[arg-type]
    foreign = await make_account(manager=someone_else)
    unmanaged = await make_account()
    billing = await _type()

    # when
    answers = [
        await create_request(gql, manager.token, **_ids(account, billing))
        for account in (foreign, unmanaged)
    ]
    ghost = await create_request(
        gql,
        manager.token,
        accountId=gid("Account", 999_999),
        typeId=gid("AccountRequestType", billing.id),
    )

    # then
    for payload in answers:
        assert payload["userErrors"] == ghost["userErrors"]
    assert error_pairs(ghost) == [("NOT_FOUND", ["input", "accountId"])]
    assert await written_rows() == (0, 0, 0, 0)


async def test_manager_on_behalf_of_a_contact_follows_company_settings(
    gql: GraphQLClient,
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.row)  # type: ignore[arg-type]
    contact = await make_contact(account, name="Carol Customer")
    billing = await _type(assignee=await make_user(Role.TECHNICIAN))
    on_behalf = _ids(account, billing) | {"contactId": gid("Contact", contact.id)}

    # when settings forbid it (the default)
    refused = await create_request(gql, manager.token, **on_behalf)
    without_contact = await create_request(gql, manager.token, **_ids(account, billing))

    # then
    assert error_pairs(refused) == [("ON_BEHALF_NOT_ALLOWED", ["input", "contactId"])]
    assert without_contact["userErrors"] == []
    assert await account_requests.AccountRequest.all().count() == 1

    # when an admin allows it
    await _allow_on_behalf(gql, True)
    allowed = await create_request(gql, manager.token, **on_behalf)

    # then
    assert allowed["userErrors"] == []
    assert allowed["accountRequest"]["contact"] == {"name": "Carol Customer"}
    assert allowed["accountRequest"]["source"] == "ACCOUNT_MANAGER"

    # when an admin forbids it again
    await _allow_on_behalf(gql, False)
    again = await create_request(gql, manager.token, **on_behalf)

    # then
    assert error_pairs(again) == [("ON_BEHALF_NOT_ALLOWED", ["input", "contactId"])]
    assert await account_requests.AccountRequest.all().count() == 2


async def test_dispatcher_on_behalf_of_a_contact_ignores_the_manager_setting(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await make_contact(account)
    billing = await _type()

    # when
    payload = await create_request(
        gql, dispatcher.token, **_ids(account, billing), contactId=gid("Contact", contact.id)
    )

    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["source"] == "STAFF"


# --- portal contacts ----------------------------------------------------------------------------


async def test_portal_contact_creates_for_its_own_account(gql: GraphQLClient) -> None:
    # given
    tech = await make_user(Role.TECHNICIAN)
    account = await make_account("Northwind")
    contact = await portal_contact(account)
    billing = await _type(portal=True, assignee=tech)

    # when
    omitted = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", billing.id), note="Help"
    )
    explicit = await create_request(
        gql,
        contact.token,
        **_ids(account, billing),
        status="OPEN",
        contactId=gid("Contact", contact.id),
    )

    # then
    for payload in (omitted, explicit):
        assert payload["userErrors"] == []
        request = payload["accountRequest"]
        assert request["status"] == "OPEN"
        assert request["source"] == "PORTAL"
        assert request["account"] == {"name": "Northwind"}
        assert request["contact"] == {"name": contact.row.name}
        assert request["createdBy"] is None
    rows = await account_requests.AccountRequest.all().order_by("id")
    assert [(r.contact_id, r.created_by_contact_id, r.assignee_id) for r in rows] == [
        (contact.id, contact.id, tech.id),
        (contact.id, contact.id, tech.id),
    ]
    events = await account_requests.AccountRequestEvent.filter(kind="CREATED")
    assert {(e.actor_user_id, e.actor_contact_id) for e in events} == {(None, contact.id)}
    assert await notifications.Notification.filter(user_id=tech.id).count() == 2


async def test_portal_contact_cannot_reach_another_account(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    other = await make_account()
    billing = await _type(portal=True, assignee=await make_user(Role.TECHNICIAN))

    # when
    foreign = await create_request(gql, contact.token, **_ids(other, billing))
    ghost = await create_request(
        gql,
        contact.token,
        accountId=gid("Account", 999_999),
        typeId=gid("AccountRequestType", billing.id),
    )

    # then
    assert error_pairs(ghost) == [("NOT_FOUND", ["input", "accountId"])]
    assert foreign["userErrors"] == ghost["userErrors"]
    assert await written_rows() == (0, 0, 0, 0)


async def test_portal_contact_uses_portal_types_only(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    internal = await _type("Internal")
    retired = await _type("Retired", portal=True, active=False)

    # when
    staff_type = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", internal.id)
    )
    unknown = await create_request(gql, contact.token, typeId=gid("AccountRequestType", 999_999))
    inactive = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", retired.id)
    )

    # then
    assert error_pairs(staff_type) == [("NOT_PORTAL_TYPE", ["input", "typeId"])]
    assert unknown["userErrors"] == staff_type["userErrors"]
    assert error_pairs(inactive) == [("TYPE_INACTIVE", ["input", "typeId"])]
    assert await written_rows() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"status": "IN_PROGRESS"}, "status"),
        ({"status": "COMPLETED"}, "status"),
        ({"assigneeId": "user"}, "assigneeId"),
        ({"contactId": "colleague"}, "contactId"),
    ],
)
async def test_portal_contact_cannot_choose_status_assignee_or_contact(
    gql: GraphQLClient, extra: dict[str, str], field: str
) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    colleague = await make_contact(account)
    tech = await make_user(Role.TECHNICIAN)
    billing = await _type(portal=True, assignee=tech)
    ids = {"user": gid("User", tech.id), "colleague": gid("Contact", colleague.id)}
    fields = {key: ids.get(value, value) for key, value in extra.items()}

    # when
    payload = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", billing.id), **fields
    )

    # then
    assert error_pairs(payload) == [("FORBIDDEN", ["input", field])]
    assert payload["accountRequest"] is None
    assert await written_rows() == (0, 0, 0, 0)


async def test_portal_contact_of_an_inactive_account_cannot_create(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await portal_contact(account)
    account.is_active = False
    await account.save()
    billing = await _type(portal=True)

    # when
    body = await gql.raw(
        CREATE_REQUEST,
        {"input": {"typeId": gid("AccountRequestType", billing.id)}},
        token=contact.token,
    )

    # then: portal sessions end with their account
    assert_unauthenticated(body)
    assert await written_rows() == (0, 0, 0, 0)


async def test_portal_note_is_limited_too(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    billing = await _type(portal=True, assignee=await make_user(Role.TECHNICIAN))

    # when
    payload = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", billing.id), note="x" * 10_001
    )

    # then
    assert error_pairs(payload) == [("TOO_LONG", ["input", "note"])]
    assert await written_rows() == (0, 0, 0, 0)


# --- refusals write nothing --------------------------------------------------------------------


async def test_a_refused_create_writes_nothing(gql: GraphQLClient) -> None:
    """Every refusal below comes with a default assignee who would have been notified."""
    # given
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER)
    tech = await make_user(Role.TECHNICIAN)
    account = await make_account(manager=manager.row)  # type: ignore[arg-type]
    closed = await make_account(active=False)
    stranger = await make_contact(await make_account())
    own_contact = await make_contact(account)
    billing = await _type(assignee=tech)
    retired = await _type("Retired", active=False, assignee=tech)

    # when
    refusals = [
        await create_request(gql, dispatcher.token, **_ids(closed, billing)),
        await create_request(gql, dispatcher.token, **_ids(account, retired)),
        await create_request(
            gql, dispatcher.token, **_ids(account, billing), contactId=gid("Contact", stranger.id)
        ),
        await create_request(gql, dispatcher.token, **_ids(account, billing), note="x" * 10_001),
        await create_request(
            gql, manager.token, **_ids(account, billing), contactId=gid("Contact", own_contact.id)
        ),
    ]

    # then
    assert [payload["userErrors"][0]["code"] for payload in refusals] == [
        "ACCOUNT_INACTIVE",
        "TYPE_INACTIVE",
        "CONTACT_NOT_OF_ACCOUNT",
        "TOO_LONG",
        "ON_BEHALF_NOT_ALLOWED",
    ]
    assert all(payload["accountRequest"] is None for payload in refusals)
    assert await written_rows() == (0, 0, 0, 0)

    # and the same create, accepted, writes all of it
    accepted = await create_request(gql, dispatcher.token, **_ids(account, billing))
    assert accepted["userErrors"] == []
    # the assignee's notice, and the account manager's (in the app and by e-mail)
    assert await written_rows() == (1, 2, 2, 1)
