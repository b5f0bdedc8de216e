"""createUser / updateUser: who may call them, the userErrors, and what they change."""

from __future__ import annotations

from typing import Any

import pytest

from models import accounts, users
from models.permissions import Role
from tests.auth.operations import login
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, assert_user_error
from tests.factories import PASSWORD, make_account, make_contact, make_user, staff
from tests.ids import gid

USER_FIELDS = "id name email login employeeId phone mobile isActive roles"

CREATE_USER = f"""
mutation CreateUser($input: CreateUserInput!) {{
  createUser(input: $input) {{
    user {{ {USER_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE_USER = f"""
mutation UpdateUser($input: UpdateUserInput!) {{
  updateUser(input: $input) {{
    user {{ {USER_FIELDS} managedAccounts {{ totalCount }} }}
    userErrors {{ code field message }}
  }}
}}
"""

USER_NODE = f"query Node($id: ID!) {{ node(id: $id) {{ ... on User {{ {USER_FIELDS} }} }} }}"

STRONG = "tall green ladder 7"


def new_user(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Nina New",
        "email": "nina@example.com",
        "password": STRONG,
        "roles": ["TECHNICIAN"],
    }
    return {"input": fields | changes}


# --- who may call them -----------------------------------------------------------


async def test_anonymous_cannot_create_users(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(CREATE_USER, new_user()))
    assert await users.User.all().count() == 0


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_create_users(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)

    # when
    body = await gql.raw(CREATE_USER, new_user(), token=viewer.token)

    # then
    assert_forbidden(body)
    assert not await users.User.filter(email="nina@example.com").exists()


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


async def test_portal_contact_cannot_create_users(gql: GraphQLClient) -> None:
    from tests.factories import portal_contact

    contact = await portal_contact(await make_account())
    assert_forbidden(await gql.raw(CREATE_USER, new_user(), token=contact.token))


# --- createUser ------------------------------------------------------------------


async def test_admin_creates_a_user_who_can_sign_in(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    data = await gql(
        CREATE_USER,
        new_user(
            email=" Nina@Example.COM ",
            login="Nina",
            employeeId="E-7",
            phone="555-0100",
            roles=["TECHNICIAN", "ADMIN", "TECHNICIAN"],
        ),
        token=admin.token,
    )

    # then
    payload = data["createUser"]
    assert payload["userErrors"] == []
    created = payload["user"]
    assert created["name"] == "Nina New"
    assert created["email"] == "nina@example.com"
    assert created["login"] == "nina"
    assert created["employeeId"] == "E-7"
    assert created["phone"] == "555-0100"
    assert created["mobile"] is None
    assert created["isActive"] is True
    assert created["roles"] == ["ADMIN", "TECHNICIAN"]
    node = await gql(USER_NODE, {"id": created["id"]}, token=admin.token)
    assert node["node"] == created
    signed_in = await login(gql, "nina", STRONG)
    assert signed_in["viewer"]["id"] == created["id"]


async def test_login_defaults_to_the_email(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(CREATE_USER, new_user(), token=admin.token)
    assert data["createUser"]["user"]["login"] == "nina@example.com"


async def test_a_user_may_hold_no_role(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(CREATE_USER, new_user(roles=[]), token=admin.token)
    assert data["createUser"]["userErrors"] == []
    assert data["createUser"]["user"]["roles"] == []


@pytest.mark.parametrize(
    "password",
    ["short", "password123", "aaaaaaaaaaaaaaa", "x" * 201, "my-nina-password"],
)
async def test_weak_passwords_are_refused(gql: GraphQLClient, password: str) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    data = await gql(CREATE_USER, new_user(password=password), token=admin.token)

    # then
    assert data["createUser"]["user"] is None
    assert_user_error(data["createUser"], "WEAK_PASSWORD", ["input", "password"])
    assert not await users.User.filter(email="nina@example.com").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "TAKEN@example.com"}, "email"),
        ({"login": "Taken"}, "login"),
        ({"login": "taken@example.com"}, "login"),
        ({"email": "taken@example.com", "login": "free"}, "email"),
        ({"employeeId": "E-1"}, "employeeId"),
    ],
)
async def test_duplicates_are_refused(
    gql: GraphQLClient, changes: dict[str, str], field: str
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    taken = await make_user(Role.TECHNICIAN, email="taken@example.com")
    await users.User.filter(id=taken.id).update(login="taken", employee_id="E-1")

    # when
    data = await gql(CREATE_USER, new_user(**changes), token=admin.token)

    # then
    assert data["createUser"]["user"] is None
    assert_user_error(data["createUser"], "DUPLICATE", ["input", field])
    assert await users.User.all().count() == 2


async def test_login_may_not_be_another_users_email(gql: GraphQLClient) -> None:
    # given: sign-in accepts e-mail or login name, so they share one name space
    admin = await staff(Role.ADMIN)
    await make_user(Role.TECHNICIAN, email="someone@example.com")

    # when
    data = await gql(CREATE_USER, new_user(login="someone@example.com"), token=admin.token)

    # then
    assert_user_error(data["createUser"], "DUPLICATE", ["input", "login"])


async def test_email_may_not_be_another_users_login(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    other = await make_user(Role.TECHNICIAN)
    await users.User.filter(id=other.id).update(login="boss@example.com")

    # when
    data = await gql(CREATE_USER, new_user(email="boss@example.com"), token=admin.token)

    # then
    assert_user_error(data["createUser"], "DUPLICATE", ["input", "email"])


async def test_email_may_not_be_a_portal_contacts_email(gql: GraphQLClient) -> None:
    # given: the contact would never be able to sign in again
    admin = await staff(Role.ADMIN)
    contact = await make_contact(await make_account(), portal=True)
    assert contact.portal_email is not None

    # when
    data = await gql(CREATE_USER, new_user(email=contact.portal_email), token=admin.token)

    # then
    assert_user_error(data["createUser"], "DUPLICATE", ["input", "email"])
    assert (await login(gql, contact.portal_email, PASSWORD))["token"]


async def test_invalid_email_and_blank_name(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    bad_email = await gql(CREATE_USER, new_user(email="not-an-email"), token=admin.token)
    blank_name = await gql(CREATE_USER, new_user(name="   "), token=admin.token)
    assert_user_error(bad_email["createUser"], "INVALID", ["input", "email"])
    assert_user_error(blank_name["createUser"], "REQUIRED", ["input", "name"])
    assert await users.User.all().count() == 1


# --- updateUser ------------------------------------------------------------------


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


async def test_an_email_too_long_to_be_a_login_needs_a_login(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    address = "n" * 100 + "@example.com"

    # when
    without = await gql(CREATE_USER, new_user(email=address), token=admin.token)
    with_login = await gql(CREATE_USER, new_user(email=address, login="nina"), token=admin.token)

    # then
    assert_user_error(without["createUser"], "REQUIRED", ["input", "login"])
    assert with_login["createUser"]["userErrors"] == []
    assert (await login(gql, address, STRONG))["token"]
