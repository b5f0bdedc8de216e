"""Sessions end when they should: logout, deactivation, password change, expiry,
portal access withdrawn, account deactivated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import auth
from models.permissions import Role
from tests.auth.operations import ME, login
from tests.client import GraphQLClient, assert_unauthenticated
from tests.factories import PASSWORD, make_account, portal_contact, staff
from tests.ids import gid

LOGOUT = "mutation { logout { ok userErrors { code } } }"

UPDATE_USER = """
mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) {
    user { id isActive }
    userErrors { code field message }
  }
}
"""

UPDATE_CONTACT = """
mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) {
    contact { id portalAccess }
    userErrors { code field message }
  }
}
"""

SET_ACCOUNT_ACTIVE = """
mutation SetAccountActive($input: SetAccountActiveInput!) {
  setAccountActive(input: $input) {
    account { id isActive }
    userErrors { code field message }
  }
}
"""

NEW_PASSWORD = "a brand new secret 42"


async def test_logout_revokes_the_token(gql: GraphQLClient) -> None:
    # given
    person = await staff(Role.TECHNICIAN)
    other_session = await auth.issue_token(
        user=person.row,  # type: ignore[arg-type]
        contact=None,
        secret="test-secret-key-not-for-production",
        lifetime=timedelta(hours=1),
    )

    # when
    data = await gql(LOGOUT, token=person.token)

    # then
    assert data["logout"] == {"ok": True, "userErrors": []}
    assert_unauthenticated(await gql.raw(ME, token=person.token))
    assert_unauthenticated(await gql.raw(LOGOUT, token=person.token))
    # only this session ends: the user's other devices stay signed in
    assert (await gql(ME, token=other_session.token))["me"]["id"] == gid("User", person.id)


async def test_logout_needs_a_session(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(LOGOUT))


async def test_unknown_or_malformed_tokens_are_anonymous(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(ME, token="not-a-token"))
    response = await gql.http.post(
        "/graphql", json={"query": ME}, headers={"authorization": "Basic abc"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_deactivating_a_user_ends_their_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.DISPATCHER)
    assert (await gql(ME, token=person.token))["me"]["id"] == gid("User", person.id)

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", person.id), "isActive": False}},
        token=admin.token,
    )

    # then
    assert data["updateUser"]["userErrors"] == []
    assert data["updateUser"]["user"]["isActive"] is False
    assert_unauthenticated(await gql.raw(ME, token=person.token))
    assert (await login(gql, person.row.email, PASSWORD))["token"] is None  # type: ignore[union-attr]


async def test_reactivating_does_not_revive_old_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.DISPATCHER)
    user_id = gid("User", person.id)
    await gql(UPDATE_USER, {"input": {"id": user_id, "isActive": False}}, token=admin.token)

    # when
    await gql(UPDATE_USER, {"input": {"id": user_id, "isActive": True}}, token=admin.token)

    # then
    assert_unauthenticated(await gql.raw(ME, token=person.token))
    fresh = await login(gql, person.row.email, PASSWORD)  # type: ignore[union-attr]
    assert (await gql(ME, token=fresh["token"]))["me"]["id"] == user_id


async def test_changing_a_password_ends_every_session(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.ACCOUNTING)
    email = person.row.email  # type: ignore[union-attr]

    # when
    data = await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", person.id), "password": NEW_PASSWORD}},
        token=admin.token,
    )

    # then
    assert data["updateUser"]["userErrors"] == []
    assert_unauthenticated(await gql.raw(ME, token=person.token))
    assert (await login(gql, email, PASSWORD))["token"] is None
    assert (await login(gql, email, NEW_PASSWORD))["token"]


async def test_other_changes_keep_sessions(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    person = await staff(Role.ACCOUNTING)

    # when
    await gql(
        UPDATE_USER,
        {"input": {"id": gid("User", person.id), "name": "Renamed", "roles": ["DISPATCHER"]}},
        token=admin.token,
    )

    # then
    assert (await gql(ME, token=person.token))["me"]["id"] == gid("User", person.id)


async def test_expired_token_is_refused(gql: GraphQLClient) -> None:
    # given
    person = await staff(Role.ADMIN)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await auth.AuthToken.filter(user_id=person.id).update(expires_at=past)

    # when
    body = await gql.raw(ME, token=person.token)

    # then
    assert_unauthenticated(body)


async def test_turning_portal_access_off_ends_the_contacts_session(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    contact = await portal_contact(account)
    assert (await gql(ME, token=contact.token))["me"]["id"] == gid("Contact", contact.id)

    # when
    data = await gql(
        UPDATE_CONTACT,
        {"input": {"id": gid("Contact", contact.id), "portalAccess": False}},
        token=admin.token,
    )

    # then
    assert data["updateContact"]["userErrors"] == []
    assert data["updateContact"]["contact"]["portalAccess"] is False
    assert_unauthenticated(await gql.raw(ME, token=contact.token))
    assert (await login(gql, contact.row.email or "", PASSWORD))["token"] is None


async def test_contact_of_a_deactivated_account_loses_its_session(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    account = await make_account()
    contact = await portal_contact(account)

    # when
    data = await gql(
        SET_ACCOUNT_ACTIVE,
        {"input": {"id": gid("Account", account.id), "active": False}},
        token=admin.token,
    )

    # then
    assert data["setAccountActive"]["userErrors"] == []
    assert_unauthenticated(await gql.raw(ME, token=contact.token))


LOGOUT_THEN_ME = "mutation { logout { ok } again: logout { ok } }"


async def test_later_fields_of_the_same_request_do_not_use_the_revoked_token(
    gql: GraphQLClient,
) -> None:
    # given
    person = await staff(Role.ADMIN)

    # when
    body = await gql.raw(LOGOUT_THEN_ME, token=person.token)

    # then
    assert body["data"] is None or body["data"].get("logout") == {"ok": True}
    assert [error["path"] for error in body["errors"]] == [["again"]]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
