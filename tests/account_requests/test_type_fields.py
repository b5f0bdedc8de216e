"""An account request type's fields: names, default assignee, and being inactive."""

from __future__ import annotations

import pytest

from models.permissions import Role
from models.request_types import AccountRequestType
from tests.account_requests.operations import (
    ACCOUNT_REQUEST_TYPES,
    REQUEST_TYPE_OF,
    create_request,
    create_type,
    update_type,
)
from tests.client import GraphQLClient, error_pairs
from tests.factories import make_account, make_user, staff
from tests.ids import gid

UPDATE_REQUEST = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { status type { name } }
    userErrors { code field }
  }
}
"""


# --- names -------------------------------------------------------------------------------


async def test_type_names_are_unique(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await AccountRequestType.create(name="Billing")
    access = await AccountRequestType.create(name="Access")

    # when
    created = await create_type(gql, admin.token, name="Billing")
    other_case = await create_type(gql, admin.token, name="billing ")
    renamed = await update_type(
        gql, admin.token, id=gid("AccountRequestType", access.id), name="Billing"
    )
    same_name = await update_type(
        gql, admin.token, id=gid("AccountRequestType", access.id), name="Access"
    )

    # then
    assert error_pairs(created) == [("DUPLICATE", ["input", "name"])]
    assert created["accountRequestType"] is None
    assert error_pairs(other_case) == [("DUPLICATE", ["input", "name"])]
    assert error_pairs(renamed) == [("DUPLICATE", ["input", "name"])]
    assert same_name["userErrors"] == []
    assert sorted(t.name for t in await AccountRequestType.all()) == ["Access", "Billing"]


async def test_type_names_must_not_be_blank_or_too_long(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    access = await AccountRequestType.create(name="Access")

    # when
    blank = await create_type(gql, admin.token, name="   ")
    long = await create_type(gql, admin.token, name="x" * 101)
    blanked = await update_type(gql, admin.token, id=gid("AccountRequestType", access.id), name="")

    # then
    assert error_pairs(blank) == [("REQUIRED", ["input", "name"])]
    assert error_pairs(long) == [("TOO_LONG", ["input", "name"])]
    assert error_pairs(blanked) == [("REQUIRED", ["input", "name"])]
    assert [t.name for t in await AccountRequestType.all()] == ["Access"]


async def test_updating_an_unknown_type_is_not_found(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await update_type(
        gql, admin.token, id=gid("AccountRequestType", 999_999), name="Ghost"
    )
    wrong_kind = await update_type(gql, admin.token, id=gid("User", admin.id), name="Ghost")

    # then
    assert error_pairs(payload) == [("NOT_FOUND", ["input", "id"])]
    assert error_pairs(wrong_kind) == [("NOT_FOUND", ["input", "id"])]


async def test_admin_updates_every_field(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    manager = await make_user(Role.ACCOUNT_MANAGER, name="Mia Manager")
    access = await AccountRequestType.create(name="Access")

    # when
    payload = await update_type(
        gql,
        admin.token,
        id=gid("AccountRequestType", access.id),
        name="Portal access",
        description="Sign-in trouble",
        isActive=False,
        portalAvailable=True,
        defaultAssigneeId=gid("User", manager.id),
    )

    # then
    assert payload["userErrors"] == []
    assert payload["accountRequestType"] == {
        "id": gid("AccountRequestType", access.id),
        "name": "Portal access",
        "description": "Sign-in trouble",
        "isActive": False,
        "portalAvailable": True,
        "defaultAssignee": {"name": "Mia Manager"},
    }


# --- the default assignee --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNT_MANAGER]
)
async def test_default_assignee_may_be_anyone_who_works_requests(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    worker = await make_user(role, name="Wes Worker")

    # when
    payload = await create_type(
        gql, admin.token, name="Billing", defaultAssigneeId=gid("User", worker.id)
    )

    # then
    assert payload["userErrors"] == []
    assert payload["accountRequestType"]["defaultAssignee"] == {"name": "Wes Worker"}


@pytest.mark.parametrize("roles", [()])  # every staff role works requests assigned to it
async def test_default_assignee_must_work_requests(
    gql: GraphQLClient, roles: tuple[Role, ...]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    outsider = await make_user(*roles)
    access = await AccountRequestType.create(name="Access")

    # when
    created = await create_type(
        gql, admin.token, name="Billing", defaultAssigneeId=gid("User", outsider.id)
    )
    updated = await update_type(
        gql,
        admin.token,
        id=gid("AccountRequestType", access.id),
        defaultAssigneeId=gid("User", outsider.id),
    )

    # then
    assert error_pairs(created) == [("ASSIGNEE_NOT_ELIGIBLE", ["input", "defaultAssigneeId"])]
    assert error_pairs(updated) == [("ASSIGNEE_NOT_ELIGIBLE", ["input", "defaultAssigneeId"])]
    assert [t.name for t in await AccountRequestType.all()] == ["Access"]
    assert (await AccountRequestType.get(id=access.id)).default_assignee_id is None


async def test_default_assignee_must_be_active(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    gone = await make_user(Role.TECHNICIAN, active=False)
    access = await AccountRequestType.create(name="Access")

    # when
    created = await create_type(
        gql, admin.token, name="Billing", defaultAssigneeId=gid("User", gone.id)
    )
    updated = await update_type(
        gql,
        admin.token,
        id=gid("AccountRequestType", access.id),
        defaultAssigneeId=gid("User", gone.id),
    )

    # then
    assert error_pairs(created) == [("USER_INACTIVE", ["input", "defaultAssigneeId"])]
    assert error_pairs(updated) == [("USER_INACTIVE", ["input", "defaultAssigneeId"])]


async def test_an_unknown_default_assignee_is_not_found(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await create_type(
        gql, admin.token, name="Billing", defaultAssigneeId=gid("User", 999_999)
    )

    # then
    assert error_pairs(payload) == [("NOT_FOUND", ["input", "defaultAssigneeId"])]
    assert await AccountRequestType.all().count() == 0


async def test_null_clears_the_default_assignee_and_leaving_it_out_keeps_it(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tech = await make_user(Role.TECHNICIAN, name="Tia Tech")
    billing = await AccountRequestType.create(name="Billing", default_assignee_id=tech.id)
    type_id = gid("AccountRequestType", billing.id)

    # when
    kept = await update_type(gql, admin.token, id=type_id, description="Money")
    cleared = await update_type(gql, admin.token, id=type_id, defaultAssigneeId=None)

    # then
    assert kept["accountRequestType"]["defaultAssignee"] == {"name": "Tia Tech"}
    assert cleared["userErrors"] == []
    assert cleared["accountRequestType"]["defaultAssignee"] is None
    assert (await AccountRequestType.get(id=billing.id)).default_assignee_id is None


# --- inactive types ---------------------------------------------------------------------------


async def test_an_inactive_type_is_refused_for_new_requests_but_stays_on_old_ones(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    billing = await AccountRequestType.create(name="Billing")
    type_id = gid("AccountRequestType", billing.id)
    old = await create_request(
        gql, admin.token, accountId=gid("Account", account.id), typeId=type_id
    )
    assert old["userErrors"] == []

    # when the admin retires the type
    retired = await update_type(gql, admin.token, id=type_id, isActive=False)
    refused = await create_request(
        gql, admin.token, accountId=gid("Account", account.id), typeId=type_id
    )
    kept = await gql(REQUEST_TYPE_OF, {"id": old["accountRequest"]["id"]}, token=admin.token)
    worked_on = await gql(
        UPDATE_REQUEST,
        {"input": {"id": old["accountRequest"]["id"], "status": "IN_PROGRESS", "typeId": type_id}},
        token=admin.token,
    )
    listed = await gql(ACCOUNT_REQUEST_TYPES, token=admin.token)

    # then
    assert retired["accountRequestType"]["isActive"] is False
    assert error_pairs(refused) == [("TYPE_INACTIVE", ["input", "typeId"])]
    assert refused["accountRequest"] is None
    assert kept["node"] == {"type": {"name": "Billing", "isActive": False}}
    assert worked_on["updateAccountRequest"] == {
        "accountRequest": {"status": "IN_PROGRESS", "type": {"name": "Billing"}},
        "userErrors": [],
    }
    assert listed["accountRequestTypes"] == []
