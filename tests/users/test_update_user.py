"""updateUser: who may call it, the userErrors, and what it changes."""

from __future__ import annotations

import pytest

from models import accounts, users
from models.permissions import Role
from tests.auth.operations import login
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, assert_user_error
from tests.factories import PASSWORD, make_account, make_user, staff
from tests.ids import gid
from tests.users.operations import CREATE_USER, UPDATE_USER, new_user


async def test_anonymous_cannot_update_users(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.TECHNICIAN, name="Before")

    # when
    body = await gql.raw(UPDATE_USER, {"input": {"id": gid("User", user.id), "name": "After"}})

    # then
    assert_unauthenticated(body)
    assert (await users.User.get(id=user.id)).name == "Before"


async def test_dispatcher_cannot_update_users(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)

    # when
    body = await gql.raw(
        UPDATE_USER,
        {"input": {"id": gid("User", dispatcher.id), "roles": ["ADMIN", "DISPATCHER"]}},
        token=dispatcher.token,
    )

    # then
    assert_forbidden(body)
    assert await users.role_map([dispatcher.id]) == {dispatcher.id: [Role.DISPATCHER]}


async def test_admin_updates_profile_fields(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    user = await make_user(Role.TECHNICIAN, name="Old Name")
    await users.User.filter(id=user.id).update(phone="555-0001", mobile="555-0002")

    # when
    data = await gql(
        UPDATE_USER,
        {
            "input": {
                "id": gid("User", user.id),
                "name": "New Name",
                "email": "NEW@example.com",
                "login": "NewLogin",
                "phone": "",
            }
        },
        token=admin.token,
    )

    # then
    payload = data["updateUser"]
    assert payload["userErrors"] == []
    changed = payload["user"]
    assert (changed["name"], changed["email"], changed["login"]) == (
        "New Name",
        "new@example.com",
        "newlogin",
    )
    assert changed["phone"] is None
    assert changed["mobile"] == "555-0002"
    assert changed["roles"] == ["TECHNICIAN"]
    assert (await login(gql, "newlogin", PASSWORD))["token"]


async def test_roles_round_trip(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    user = await make_user(Role.TECHNICIAN)
    user_id = gid("User", user.id)

    # when
    many = await gql(
        UPDATE_USER,
        {"input": {"id": user_id, "roles": ["ACCOUNTING", "PROJECT_MANAGER", "DISPATCHER"]}},
        token=admin.token,
    )
    unchanged = await gql(UPDATE_USER, {"input": {"id": user_id}}, token=admin.token)
    none = await gql(UPDATE_USER, {"input": {"id": user_id, "roles": []}}, token=admin.token)

    # then
    assert many["updateUser"]["user"]["roles"] == ["DISPATCHER", "PROJECT_MANAGER", "ACCOUNTING"]
    assert unchanged["updateUser"]["user"]["roles"] == [
        "DISPATCHER",
        "PROJECT_MANAGER",
        "ACCOUNTING",
    ]
    assert none["updateUser"]["user"]["roles"] == []
    assert await users.UserRole.filter(user_id=user.id).count() == 0


async def test_new_roles_apply_to_existing_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.TECHNICIAN)

    # when
    await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", person.id), "roles": ["ADMIN"]}},
        token=admin.token,
    )

    # then
    data = await gql(CREATE_USER, new_user(), token=person.token)
    assert data["createUser"]["userErrors"] == []


async def test_admin_cannot_deactivate_themselves(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", admin.id), "isActive": False, "name": "Gone"}},
        token=admin.token,
    )

    # then
    assert data["updateUser"]["user"] is None
    assert_user_error(data["updateUser"], "FORBIDDEN", ["input", "isActive"])
    row = await users.User.get(id=admin.id)
    assert (row.is_active, row.name) == (True, admin.row.name)


async def test_admin_cannot_drop_their_own_admin_role(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, Role.DISPATCHER)

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", admin.id), "roles": ["DISPATCHER"]}},
        token=admin.token,
    )

    # then
    assert_user_error(data["updateUser"], "FORBIDDEN", ["input", "roles"])
    assert await users.role_map([admin.id]) == {admin.id: [Role.ADMIN, Role.DISPATCHER]}


async def test_admin_may_change_their_own_other_roles(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", admin.id), "roles": ["ADMIN", "ACCOUNTING"]}},
        token=admin.token,
    )
    assert data["updateUser"]["user"]["roles"] == ["ADMIN", "ACCOUNTING"]


async def test_admin_may_deactivate_another_admin(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    other = await make_user(Role.ADMIN)
    data = await gql(
        UPDATE_USER, {"input": {"id": gid("User", other.id), "isActive": False}}, token=admin.token
    )
    assert data["updateUser"]["user"]["isActive"] is False


async def test_losing_account_manager_releases_managed_accounts(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    manager = await make_user(Role.ACCOUNT_MANAGER, Role.TECHNICIAN)
    kept_by_other = await make_user(Role.ACCOUNT_MANAGER)
    for _ in range(2):
        await make_account(manager=manager)
    other_account = await make_account(manager=kept_by_other)

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", manager.id), "roles": ["TECHNICIAN"]}},
        token=admin.token,
    )

    # then
    assert data["updateUser"]["user"]["managedAccounts"] == {"totalCount": 0}
    assert not await accounts.Account.filter(manager_id=manager.id).exists()
    assert (await accounts.Account.get(id=other_account.id)).manager_id == kept_by_other.id


async def test_keeping_account_manager_keeps_accounts(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    manager = await make_user(Role.ACCOUNT_MANAGER)
    await make_account(manager=manager)
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", manager.id), "roles": ["ACCOUNT_MANAGER", "ACCOUNTING"]}},
        token=admin.token,
    )
    assert data["updateUser"]["user"]["managedAccounts"] == {"totalCount": 1}


async def test_deactivation_releases_managed_accounts(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    manager = await make_user(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager)
    await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", manager.id), "isActive": False}},
        token=admin.token,
    )
    assert (await accounts.Account.get(id=account.id)).manager_id is None


async def test_update_refuses_duplicates_and_writes_nothing(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await make_user(Role.TECHNICIAN, email="taken@example.com")
    user = await make_user(Role.TECHNICIAN, name="Unchanged")

    # when
    data = await gql(
        UPDATE_USER,
        {
            "input": {
                "id": gid("User", user.id),
                "name": "Changed",
                "email": "taken@example.com",
                "roles": ["DISPATCHER"],
            }
        },
        token=admin.token,
    )

    # then
    assert_user_error(data["updateUser"], "DUPLICATE", ["input", "email"])
    row = await users.User.get(id=user.id)
    assert (row.name, row.email) == ("Unchanged", user.email)
    assert await users.role_map([user.id]) == {user.id: [Role.TECHNICIAN]}


async def test_update_refuses_a_weak_password_and_keeps_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.TECHNICIAN, name="Unchanged")

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", person.id), "password": "short", "name": "Changed"}},
        token=admin.token,
    )

    # then
    assert_user_error(data["updateUser"], "WEAK_PASSWORD", ["input", "password"])
    assert (await users.User.get(id=person.id)).name == "Unchanged"
    assert (await login(gql, person.row.email, PASSWORD))["token"]  # type: ignore[union-attr]


@pytest.mark.parametrize("user_id", [gid("User", 999_999), gid("Team", 1)])
async def test_update_unknown_user(gql: GraphQLClient, user_id: str) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(UPDATE_USER, {"input": {"id": user_id, "name": "X"}}, token=admin.token)
    assert_user_error(data["updateUser"], "NOT_FOUND", ["input", "id"])
