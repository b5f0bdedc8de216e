"""createUser: who may call it, the userErrors, and the users it makes."""

from __future__ import annotations

import pytest

from models import users
from models.permissions import Role
from tests.auth.operations import login
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, assert_user_error
from tests.factories import PASSWORD, make_account, make_contact, make_user, staff
from tests.users.operations import CREATE_USER, STRONG, USER_NODE, new_user


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


async def test_portal_contact_cannot_create_users(gql: GraphQLClient) -> None:
    from tests.factories import portal_contact

    contact = await portal_contact(await make_account())
    assert_forbidden(await gql.raw(CREATE_USER, new_user(), token=contact.token))


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
