"""Signing a bearer token in is one statement, and refuses what it always refused: a
revoked or expired token, an inactive user, a contact without portal access or whose
account is inactive. Rows are changed straight in the database here, so only signing
in stands between the token and the request (the mutations also end the sessions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from models import auth
from models.accounts import Account, Contact
from models.permissions import Role
from models.users import User, role_map
from models.viewer import Viewer
from tests.auth.operations import ME
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.conftest import StatementCounter
from tests.factories import SECRET, Person, make_account, portal_contact, staff
from tests.fastpath.test_rows import model_state
from tests.ids import gid

Refusal = Callable[[Person], Awaitable[None]]

QUEUE = "query { serviceRequestQueue { pendingCount } }"
STAFF = "query { users(first: 1) { totalCount } }"


async def _me_statements(
    gql: GraphQLClient, counter: StatementCounter, person: Person, type_name: str
) -> list[str]:
    counter.statements.clear()
    data = await gql(ME, token=person.token)
    assert data["me"]["__typename"] == type_name
    assert data["me"]["id"] == gid("User" if type_name == "User" else "Contact", person.id)
    return counter.statements


async def test_a_staff_request_signs_in_with_one_statement(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    person = await staff(Role.TECHNICIAN, Role.ACCOUNTING)

    # when
    statements = await _me_statements(gql, count_statements, person, "User")

    # then
    [sign_in] = statements
    assert '"auth_tokens"' in sign_in and '"user_roles"' in sign_in


async def test_a_portal_request_signs_in_with_one_statement(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    contact = await portal_contact(await make_account())

    # when
    statements = await _me_statements(gql, count_statements, contact, "PortalContact")

    # then
    [sign_in] = statements
    assert '"auth_tokens"' in sign_in and '"accounts"' in sign_in


async def test_an_unknown_token_costs_one_statement(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    count_statements.statements.clear()
    assert_unauthenticated(await gql.raw(ME, token="not-a-token"))
    assert count_statements.count == 1, count_statements.statements


async def test_the_viewer_is_the_user_with_exactly_their_roles(gql: GraphQLClient) -> None:
    # given people holding several roles, one role, and none
    every = await staff(*Role)
    reviewer = await staff(Role.TECHNICIAN, Role.DISPATCHER)
    bookkeeper = await staff(Role.TECHNICIAN, Role.ACCOUNTING)
    nobody = await staff()

    # when they ask what their roles allow
    # then each may do exactly what its roles grant
    assert (await gql(QUEUE, token=every.token))["serviceRequestQueue"] == {"pendingCount": 0}
    assert (await gql(QUEUE, token=reviewer.token))["serviceRequestQueue"] is not None
    assert_forbidden(await gql.raw(QUEUE, token=bookkeeper.token))
    assert (await gql(STAFF, token=bookkeeper.token))["users"]["totalCount"] == 4
    assert (await gql(ME, token=nobody.token))["me"]["id"] == gid("User", nobody.id)
    assert_forbidden(await gql.raw(STAFF, token=nobody.token))
    # and the viewer is what reading the token, the user and the roles apart makes
    for person in (every, reviewer, bookkeeper, nobody):
        viewer = await auth.authenticate(person.token, secret=SECRET)
        assert viewer is not None
        user = await User.get(id=person.id)
        token = await auth.AuthToken.get(user_id=person.id)
        roles = frozenset((await role_map([user.id]))[user.id])
        _assert_same(viewer, Viewer(user=user, roles=roles, token_id=token.id))


async def test_the_viewer_is_the_portal_contact(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())

    # when
    viewer = await auth.authenticate(contact.token, secret=SECRET)

    # then
    assert viewer is not None
    token = await auth.AuthToken.get(contact_id=contact.id)
    expected = Viewer(contact=await Contact.get(id=contact.id), token_id=token.id)
    _assert_same(viewer, expected)


def _assert_same(got: Viewer, expected: Viewer) -> None:
    assert (got.roles, got.permissions, got.token_id) == (
        expected.roles,
        expected.permissions,
        expected.token_id,
    )
    for own, theirs in ((got.user, expected.user), (got.contact, expected.contact)):
        assert (own is None) == (theirs is None)
        if own is not None and theirs is not None:
            assert type(own) is type(theirs)
            assert model_state(own) == model_state(theirs)


async def _revoke(person: Person) -> None:
    await auth.AuthToken.filter(user_id=person.id).update(revoked_at=datetime.now(UTC))


async def _expire(person: Person) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    await auth.AuthToken.filter(user_id=person.id).update(expires_at=past)


async def _deactivate(person: Person) -> None:
    await User.filter(id=person.id).update(is_active=False)


@pytest.mark.parametrize("refuse", [_revoke, _expire, _deactivate])
async def test_staff_tokens_are_refused(gql: GraphQLClient, refuse: Refusal) -> None:
    # given
    person = await staff(Role.ADMIN)
    other = await staff(Role.ADMIN)
    assert (await gql(ME, token=person.token))["me"]["id"] == gid("User", person.id)

    # when
    await refuse(person)

    # then
    assert_unauthenticated(await gql.raw(ME, token=person.token))
    assert (await gql(ME, token=other.token))["me"]["id"] == gid("User", other.id)


async def _withdraw_portal_access(contact: Person) -> None:
    await Contact.filter(id=contact.id).update(portal_access=False)


async def _deactivate_account(contact: Person) -> None:
    await Account.filter(id=contact.contact.account_id).update(is_active=False)


async def _revoke_contact(contact: Person) -> None:
    await auth.AuthToken.filter(contact_id=contact.id).update(revoked_at=datetime.now(UTC))


async def _expire_contact(contact: Person) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    await auth.AuthToken.filter(contact_id=contact.id).update(expires_at=past)


@pytest.mark.parametrize(
    "refuse", [_withdraw_portal_access, _deactivate_account, _revoke_contact, _expire_contact]
)
async def test_portal_tokens_are_refused(gql: GraphQLClient, refuse: Refusal) -> None:
    # given two contacts of one account
    account = await make_account()
    contact = await portal_contact(account)
    other = await portal_contact(account)
    assert (await gql(ME, token=contact.token))["me"]["id"] == gid("Contact", contact.id)

    # when
    await refuse(contact)

    # then
    assert_unauthenticated(await gql.raw(ME, token=contact.token))
    if refuse is not _deactivate_account:
        assert (await gql(ME, token=other.token))["me"]["id"] == gid("Contact", other.id)
    else:
        assert_unauthenticated(await gql.raw(ME, token=other.token))
