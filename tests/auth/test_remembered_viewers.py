"""Remembered viewers (models/remembered.py, fastpath/gate.py): on PostgreSQL an
admitted query starts from the viewer its token had last time, and nothing is read or
answered before the database confirms it still holds. These tests change what the
viewer was built from behind the server's back (as another process would: straight
in the database) and check that the very next answer is the one a fresh sign-in gives.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.account_requests import AccountRequest, RequestSource
from models.auth import AuthToken
from models.clock import now
from models.directory.users import User, UserRole
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, staff

# A list the JSON lane writes (the proof rides in its statement) ...
LIST = """query RememberedList {
  accountRequests(first: 5) { nodes { id note account { name } } }
}"""
# ... and a query that reads nothing (the viewer is confirmed before it answers).
ME = """query RememberedMe { me { ... on User { name } } }"""
ROLES = """query RememberedRoles { me { ... on User { roles } } }"""
# An admin's list (refused to others, by the viewer's roles alone).
ADMINS_ONLY = """query RememberedAdminsOnly { webhookEndpoints(first: 1) { totalCount } }"""

pytestmark = pytest.mark.fast_paths


async def _world() -> Person:
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    account = await make_account(name="Remembered Ltd")
    await AccountRequest.create(
        account_id=account.id, type_id=kind.id, note="n", source=RequestSource.STAFF
    )
    return await staff(Role.ADMIN, name="Ada Admin")


async def _warm(gql: GraphQLClient, person: Person) -> None:
    """Each document read until admitted and compiled, so the viewer is remembered."""
    for _ in range(3):
        for query in (LIST, ME, ROLES, ADMINS_ONLY):
            await gql(query, token=person.token)


def _sign_ins(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if 'FROM "auth_tokens" t LEFT JOIN' in sql]


async def test_a_remembered_list_is_one_statement_with_its_proof(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given an admin whose documents were read before
    admin = await _world()
    await _warm(gql, admin)
    # when the list is read again
    count_statements.statements.clear()
    data = await gql(LIST, token=admin.token)
    # then it is answered, and on PostgreSQL with no sign-in statement of its own: the
    # page's one statement carries the proof
    assert data["accountRequests"]["nodes"][0]["account"] == {"name": "Remembered Ltd"}
    if backends == "services":
        assert _sign_ins(count_statements) == []
        assert len(count_statements.statements) == 1
        assert "proof_" in count_statements.statements[0]
    else:
        assert len(_sign_ins(count_statements)) == 1


@pytest.mark.parametrize("query", [LIST, ME])
async def test_a_revoked_token_is_refused_at_once(gql: GraphQLClient, query: str) -> None:
    # given a remembered admin
    admin = await _world()
    await _warm(gql, admin)
    # when their token is revoked elsewhere
    await AuthToken.filter(user_id=admin.id).update(revoked_at=now())
    # then the next request is answered as for no token at all
    assert await gql.raw(query, token=admin.token) == await gql.raw(query)


@pytest.mark.parametrize("query", [LIST, ME])
async def test_an_expired_token_is_refused_at_once(gql: GraphQLClient, query: str) -> None:
    admin = await _world()
    await _warm(gql, admin)
    await AuthToken.filter(user_id=admin.id).update(expires_at=now() - timedelta(seconds=1))
    assert await gql.raw(query, token=admin.token) == await gql.raw(query)


@pytest.mark.parametrize("query", [LIST, ME])
async def test_a_deactivated_user_is_refused_at_once(gql: GraphQLClient, query: str) -> None:
    admin = await _world()
    await _warm(gql, admin)
    await User.filter(id=admin.id).update(is_active=False)
    assert await gql.raw(query, token=admin.token) == await gql.raw(query)


async def test_changed_roles_take_effect_at_once(gql: GraphQLClient) -> None:
    # given a remembered admin
    admin = await _world()
    await _warm(gql, admin)
    # when they become a technician elsewhere
    await UserRole.filter(user_id=admin.id).delete()
    await UserRole.create(user_id=admin.id, role=Role.TECHNICIAN)
    # then their next answers are a technician's
    me = await gql(ROLES, token=admin.token)
    assert me["me"]["roles"] == ["TECHNICIAN"]
    technician = await staff(Role.TECHNICIAN)
    for query in (LIST, ADMINS_ONLY):
        as_technician = await gql.raw(query, token=technician.token)
        assert await gql.raw(query, token=admin.token) == as_technician


async def test_a_saved_change_to_the_user_shows_at_once(gql: GraphQLClient) -> None:
    # given a remembered admin
    admin = await _world()
    await _warm(gql, admin)
    # when their name is changed and saved elsewhere
    row = await User.get(id=admin.id)
    row.name = "Ada Renamed"
    await row.save()
    # then the next answer shows it
    me = await gql(ME, token=admin.token)
    assert me["me"]["name"] == "Ada Renamed"
