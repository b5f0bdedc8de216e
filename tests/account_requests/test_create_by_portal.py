"""Portal contacts creating account requests, and a refused create writing nothing."""

from __future__ import annotations

import pytest

from models import account_requests, notifications
from models.permissions import Role
from tests.account_requests.operations import CREATE_REQUEST, _ids, create_request
from tests.account_requests.rows import _type, written_rows
from tests.client import GraphQLClient, assert_unauthenticated, error_pairs
from tests.factories import make_account, make_contact, make_user, portal_contact, staff
from tests.ids import gid

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
