"""login: staff by e-mail or login name, portal contacts, one answer for bad credentials,
throttling per e-mail, and tokens stored only as hashes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models import auth
from models.permissions import Role
from tests.auth.operations import ME, login
from tests.client import GraphQLClient, assert_user_error, user_error_codes
from tests.factories import PASSWORD, make_account, make_contact, make_user
from tests.ids import gid

WRONG = "not the right password"


async def test_staff_signs_in_with_email(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.DISPATCHER, Role.ADMIN, name="Dana Dispatch")

    # when
    payload = await login(gql, user.email, PASSWORD)

    # then
    assert payload["userErrors"] == []
    assert payload["viewer"] == {
        "__typename": "User",
        "id": gid("User", user.id),
        "name": "Dana Dispatch",
        "roles": ["ADMIN", "DISPATCHER"],
    }
    expires_at = datetime.fromisoformat(payload["expiresAt"])
    assert expires_at.utcoffset() is not None
    assert timedelta(days=13) < expires_at - datetime.now(UTC) < timedelta(days=15)
    me = await gql(ME, token=payload["token"])
    assert me["me"] == {"__typename": "User", "id": gid("User", user.id), "email": user.email}


async def test_staff_signs_in_with_login_name_in_any_case(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.TECHNICIAN)

    # when
    payload = await login(gql, f"  {user.login.upper()} ", PASSWORD)

    # then
    assert payload["userErrors"] == []
    assert payload["viewer"]["id"] == gid("User", user.id)
    me = await gql(ME, token=payload["token"])
    assert me["me"]["id"] == gid("User", user.id)


async def test_portal_contact_signs_in_and_sees_its_account(gql: GraphQLClient) -> None:
    # given
    account = await make_account("Acme Heating")
    contact = await make_contact(account, portal=True, name="Carla Contact")
    assert contact.portal_email is not None

    # when
    payload = await login(gql, contact.portal_email, PASSWORD)

    # then
    assert payload["userErrors"] == []
    assert payload["viewer"] == {
        "__typename": "PortalContact",
        "id": gid("Contact", contact.id),
        "name": "Carla Contact",
        "email": contact.portal_email,
        "account": {"name": "Acme Heating"},
    }
    me = await gql(ME, token=payload["token"])
    assert me["me"] == {
        "__typename": "PortalContact",
        "id": gid("Contact", contact.id),
        "email": contact.portal_email,
    }


async def test_contact_without_portal_access_cannot_sign_in(gql: GraphQLClient) -> None:
    # given
    account = await make_account()
    contact = await make_contact(account, portal=False)
    assert contact.email is not None

    # when
    payload = await login(gql, contact.email, PASSWORD)

    # then
    assert payload["token"] is None
    assert_user_error(payload, "INVALID_CREDENTIALS", ["input", "password"])


async def test_wrong_password_and_unknown_email_answer_alike(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)

    # when
    wrong_password = await login(gql, user.email, WRONG)
    unknown_email = await login(gql, "nobody@example.com", PASSWORD)

    # then
    for payload in (wrong_password, unknown_email):
        assert payload["token"] is None
        assert payload["expiresAt"] is None
        assert payload["viewer"] is None
        assert_user_error(payload, "INVALID_CREDENTIALS", ["input", "password"])
    assert wrong_password["userErrors"] == unknown_email["userErrors"]


async def test_inactive_user_cannot_sign_in(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN, active=False)

    # when
    payload = await login(gql, user.email, PASSWORD)

    # then
    assert payload["token"] is None
    assert_user_error(payload, "INVALID_CREDENTIALS", ["input", "password"])
    assert await auth.AuthToken.filter(user_id=user.id).count() == 0


async def test_contact_of_inactive_account_cannot_sign_in(gql: GraphQLClient) -> None:
    # given
    account = await make_account(active=False)
    contact = await make_contact(account, portal=True)
    assert contact.portal_email is not None

    # when
    payload = await login(gql, contact.portal_email, PASSWORD)

    # then
    assert payload["token"] is None
    assert_user_error(payload, "ACCOUNT_INACTIVE", ["input", "email"])
    assert await auth.AuthToken.filter(contact_id=contact.id).count() == 0


async def test_sixth_attempt_is_refused_even_with_the_right_password(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)
    for _ in range(auth.MAX_FAILURES):
        failed = await login(gql, user.email, WRONG)
        assert_user_error(failed, "INVALID_CREDENTIALS", ["input", "password"])

    # when
    payload = await login(gql, user.email, PASSWORD)

    # then
    assert payload["token"] is None
    assert_user_error(payload, "TOO_MANY_ATTEMPTS", ["input", "email"])
    assert await auth.AuthToken.filter(user_id=user.id).count() == 0


async def test_a_burst_of_guesses_gets_no_more_checks_than_the_limit(gql: GraphQLClient) -> None:
    # given a user, and forty guesses sent at once with the right password 36th
    user = await make_user(Role.ADMIN)
    guesses = [WRONG] * 40
    guesses[35] = PASSWORD

    # when they race
    payloads = await asyncio.gather(*(login(gql, user.email, guess) for guess in guesses))

    # then only five passwords were checked (the count was read before the check
    # and written after it: 38 of 40 got checked), and the right one came too late
    codes = [tuple(user_error_codes(payload)) for payload in payloads]
    checked = [code for code in codes if code != ("TOO_MANY_ATTEMPTS",)]
    assert len(checked) == auth.MAX_FAILURES, codes
    assert payloads[35]["token"] is None
    assert await auth.AuthToken.filter(user_id=user.id).count() == 0


async def test_throttling_is_per_email_and_ignores_case(gql: GraphQLClient) -> None:
    # given
    throttled = await make_user(Role.ADMIN)
    other = await make_user(Role.ADMIN)
    for _ in range(auth.MAX_FAILURES):
        await login(gql, throttled.email.upper(), WRONG)

    # when
    refused = await login(gql, throttled.email, PASSWORD)
    allowed = await login(gql, other.email, PASSWORD)

    # then
    assert_user_error(refused, "TOO_MANY_ATTEMPTS", ["input", "email"])
    assert allowed["userErrors"] == []
    assert allowed["token"]


async def test_unknown_email_is_throttled_with_the_same_message(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)
    for address in (user.email, "ghost@example.com"):
        for _ in range(auth.MAX_FAILURES):
            await login(gql, address, WRONG)

    # when
    known = await login(gql, user.email, PASSWORD)
    unknown = await login(gql, "ghost@example.com", PASSWORD)

    # then
    assert_user_error(known, "TOO_MANY_ATTEMPTS", ["input", "email"])
    assert known["userErrors"] == unknown["userErrors"]


async def test_throttled_email_stays_refused_during_the_cool_down(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)
    for _ in range(auth.MAX_FAILURES):
        await login(gql, user.email, WRONG)

    # when
    attempts = [await login(gql, user.email, PASSWORD) for _ in range(3)]

    # then
    for payload in attempts:
        assert_user_error(payload, "TOO_MANY_ATTEMPTS", ["input", "email"])
    assert await auth.AuthToken.filter(user_id=user.id).count() == 0


async def test_failures_older_than_the_window_do_not_count(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)
    for _ in range(auth.MAX_FAILURES):
        await login(gql, user.email, WRONG)
    long_ago = datetime.now(UTC) - auth.FAILURE_WINDOW - timedelta(minutes=1)
    await auth.LoginAttempt.filter(email=user.email).update(created_at=long_ago)

    # when
    payload = await login(gql, user.email, PASSWORD)

    # then
    assert payload["userErrors"] == []
    assert payload["token"]


async def test_very_long_email_is_refused_like_any_wrong_credential(gql: GraphQLClient) -> None:
    # given
    address = "x" * 600 + "@example.com"

    # when
    payload = await login(gql, address, WRONG)

    # then
    assert_user_error(payload, "INVALID_CREDENTIALS", ["input", "password"])


async def test_tokens_are_stored_hashed(gql: GraphQLClient) -> None:
    # given
    user = await make_user(Role.ADMIN)

    # when
    token = (await login(gql, user.email, PASSWORD))["token"]

    # then
    rows = await auth.AuthToken.filter(user_id=user.id).values("token_hash")
    assert len(rows) == 1
    stored = rows[0]["token_hash"]
    assert token not in stored
    assert len(stored) == 64
    assert not await auth.AuthToken.filter(token_hash=token).exists()


LOGIN_WITH_TEAMS = """
mutation Login($input: LoginInput!) {
  login(input: $input) { viewer { ... on User { teams { name } } } userErrors { code } }
}
"""


async def test_login_payload_shows_what_the_new_viewer_may_see(gql: GraphQLClient) -> None:
    # given
    from models import users

    user = await make_user(Role.TECHNICIAN)
    team = await users.Team.create(name="Night Shift")
    await users.TeamMember.create(team_id=team.id, user_id=user.id)

    # when
    data = await gql(LOGIN_WITH_TEAMS, {"input": {"email": user.email, "password": PASSWORD}})

    # then
    assert data["login"]["viewer"] == {"teams": [{"name": "Night Shift"}]}


async def test_a_failed_login_shows_nothing(gql: GraphQLClient) -> None:
    user = await make_user(Role.TECHNICIAN)
    data = await gql(LOGIN_WITH_TEAMS, {"input": {"email": user.email, "password": WRONG}})
    assert data["login"] == {"viewer": None, "userErrors": [{"code": "INVALID_CREDENTIALS"}]}
