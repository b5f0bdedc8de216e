"""archiveUser and restoreUser: removing a user keeps the history (issue 22, item 8).

An archived user is gone from pickers and the users list, their accounts are
released, their open requests unassigned (on the timeline), their sessions and
subscriptions end, and they can be given nothing; timelines and "created by" keep
their name.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from models import users
from models.account_requests import AccountRequest, RequestStatus
from models.accounts import Account
from models.credit_accounts.tables import CreditAccountRequest
from models.linked_items import Appointment, Task, TaskStatus
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.auth.operations import ME, login
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.conftest import Server
from tests.factories import PASSWORD, Person, make_account, portal_contact, staff
from tests.ids import gid
from tests.ws import ending_codes, socket

ARCHIVE = """
mutation Archive($input: ArchiveUserInput!) {
  archiveUser(input: $input) {
    user { id name isActive archivedAt }
    userErrors { code field message }
  }
}
"""
RESTORE = """
mutation Restore($input: RestoreUserInput!) {
  restoreUser(input: $input) {
    user { id name isActive archivedAt }
    userErrors { code field message }
  }
}
"""
USERS = """
query Users($filter: UserFilter) { users(filter: $filter) { totalCount nodes { name } } }
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    ... on AccountRequest {
      assignee { name }
      createdBy { name }
      timeline { nodes { kind before after actor { name } } }
    }
  }
}
"""
ACCOUNT = """
query Account($id: ID!) { node(id: $id) { ... on Account { name manager { name } } } }
"""
ADDED = "subscription { notificationAdded { kind } }"


async def _archive(gql: GraphQLClient, admin: Person, person: Person | int) -> dict[str, Any]:
    user_id = person if isinstance(person, int) else person.id
    data = await gql(ARCHIVE, {"input": {"userId": gid("User", user_id)}}, admin.token)
    payload: dict[str, Any] = data["archiveUser"]
    return payload


async def test_archiving_a_manager_releases_their_work_and_keeps_their_name(
    gql: GraphQLClient,
) -> None:
    # given Mona manages Acme, raised and works its requests, and leads a team
    admin = await staff(Role.ADMIN, name="Ada")
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    acme = await make_account("Acme", manager=mona.user)
    open_request = await make_request(acme, assignee=mona.user)
    done = await make_request(acme, assignee=mona.user, status=RequestStatus.COMPLETED)
    await AccountRequest.filter(id=done.id).update(created_by_user_id=mona.id)
    team = await users.Team.create(name="Field", leader_id=mona.id)
    await users.TeamMember.create(team_id=team.id, user_id=mona.id)

    # when an admin archives her
    payload = await _archive(gql, admin, mona)

    # then she is archived and inactive
    assert payload["userErrors"] == []
    archived = payload["user"]
    assert (archived["name"], archived["isActive"]) == ("Mona", False)
    assert archived["archivedAt"] is not None
    # her account is released, her open request unassigned on its timeline
    account = await gql(ACCOUNT, {"id": gid("Account", acme.id)}, admin.token)
    assert account["node"] == {"name": "Acme", "manager": None}
    history = (await gql(HISTORY, {"id": request_gid(open_request)}, admin.token))["node"]
    assert history["assignee"] is None
    assert history["timeline"]["nodes"][0] == {
        "kind": "ASSIGNED",
        "before": gid("User", mona.id),
        "after": None,
        "actor": {"name": "Ada"},
    }
    # her closed work keeps her name, as does what she created
    kept = (await gql(HISTORY, {"id": request_gid(done)}, admin.token))["node"]
    assert (kept["assignee"], kept["createdBy"]) == ({"name": "Mona"}, {"name": "Mona"})
    # she holds no team seat
    assert await users.TeamMember.filter(user_id=mona.id).count() == 0
    assert (await users.Team.get(id=team.id)).leader_id is None
    # and her user still opens by ID, for history's sake
    node = await gql(
        "query($id: ID!) { node(id: $id) { ... on User { name } } }",
        {"id": gid("User", mona.id)},
        admin.token,
    )
    assert node["node"] == {"name": "Mona"}


async def test_an_archived_user_is_signed_out_everywhere(
    server: Server, gql: GraphQLClient
) -> None:
    # given Mona is signed in and follows her notifications
    admin = await staff(Role.ADMIN)
    mona = await staff(Role.ACCOUNT_MANAGER)
    async with socket(server.ws_url, mona.token) as ws:
        await ws.subscribe("n", ADDED)
        await asyncio.sleep(0.1)
        # when she is archived
        assert (await _archive(gql, admin, mona))["userErrors"] == []
        ended = await ws.receive()
        # then her subscription ends, her token is dead, she cannot sign in
        assert ending_codes(ended) == ["UNAUTHENTICATED"]
    assert_unauthenticated(await gql.raw(ME, token=mona.token))
    assert (await login(gql, mona.user.email, PASSWORD))["token"] is None


async def test_archived_users_leave_the_users_list_unless_an_admin_asks(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada")
    dispatcher = await staff(Role.DISPATCHER, name="Dan")
    gone = await staff(Role.TECHNICIAN, name="Gus")
    await _archive(gql, admin, gone)
    asked = {"filter": {"includeArchived": True}}
    # when / then
    listed = await gql(USERS, token=admin.token)
    assert [n["name"] for n in listed["users"]["nodes"]] == ["Ada", "Dan"]
    assert [n["name"] for n in (await gql(USERS, asked, admin.token))["users"]["nodes"]] == [
        "Ada",
        "Dan",
        "Gus",
    ]
    inactive = await gql(USERS, {"filter": {"isActive": False}}, admin.token)
    assert inactive["users"]["totalCount"] == 0
    for_dispatcher = await gql(USERS, asked, dispatcher.token)
    assert [n["name"] for n in for_dispatcher["users"]["nodes"]] == ["Ada", "Dan"]


async def test_an_archived_user_can_be_given_nothing(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    gone = await staff(Role.ACCOUNT_MANAGER, Role.TECHNICIAN)
    await _archive(gql, admin, gone)
    target = gid("User", gone.id)
    request = await make_request(await make_account())
    account = await make_account()
    # when
    assigned = await gql(
        """mutation($input: UpdateAccountRequestInput!) {
          updateAccountRequest(input: $input) { userErrors { code field } } }""",
        {"input": {"id": request_gid(request), "assigneeId": target}},
        admin.token,
    )
    managed = await gql(
        """mutation($input: SetAccountManagerInput!) {
          setAccountManager(input: $input) { userErrors { code field } } }""",
        {"input": {"accountId": gid("Account", account.id), "managerId": target}},
        admin.token,
    )
    teamed = await gql(
        """mutation($input: CreateTeamInput!) {
          createTeam(input: $input) { userErrors { code field } } }""",
        {"input": {"name": "Night", "memberIds": [target]}},
        admin.token,
    )
    led = await gql(
        """mutation($input: CreateTeamInput!) {
          createTeam(input: $input) { userErrors { code field } } }""",
        {"input": {"name": "Night", "leaderId": target}},
        admin.token,
    )
    # then
    assert error_pairs(assigned["updateAccountRequest"]) == [
        ("USER_ARCHIVED", ["input", "assigneeId"])
    ]
    assert error_pairs(managed["setAccountManager"]) == [("USER_ARCHIVED", ["input", "managerId"])]
    assert error_pairs(teamed["createTeam"]) == [("USER_ARCHIVED", ["input", "memberIds"])]
    assert error_pairs(led["createTeam"]) == [("USER_ARCHIVED", ["input", "leaderId"])]
    assert (await Account.get(id=account.id)).manager_id is None


async def test_an_admin_cannot_archive_themself_and_unknown_users_are_not_found(
    gql: GraphQLClient,
) -> None:
    admin = await staff(Role.ADMIN)
    itself = await _archive(gql, admin, admin)
    unknown = await _archive(gql, admin, 999_999)
    assert error_pairs(itself) == [("FORBIDDEN", ["input", "userId"])]
    assert error_pairs(unknown) == [("NOT_FOUND", ["input", "userId"])]
    assert (await users.User.get(id=admin.id)).archived_at is None


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=lambda r: r.value)
async def test_only_admins_archive_or_restore(gql: GraphQLClient, role: Role) -> None:
    # given
    person = await staff(role)
    target = await staff(Role.TECHNICIAN)
    variables = {"input": {"userId": gid("User", target.id)}}
    # when / then
    assert_forbidden(await gql.raw(ARCHIVE, variables, person.token))
    assert_forbidden(await gql.raw(RESTORE, variables, person.token))
    assert (await users.User.get(id=target.id)).archived_at is None


async def test_anonymous_and_portal_contacts_are_refused(gql: GraphQLClient) -> None:
    target = await staff(Role.TECHNICIAN)
    contact = await portal_contact(await make_account())
    variables = {"input": {"userId": gid("User", target.id)}}
    assert_unauthenticated(await gql.raw(ARCHIVE, variables))
    assert_forbidden(await gql.raw(ARCHIVE, variables, contact.token))
    assert_forbidden(await gql.raw(RESTORE, variables, contact.token))


async def test_a_restored_user_signs_in_again_with_nothing_given_back(
    gql: GraphQLClient,
) -> None:
    # given Mona was archived with her account
    admin = await staff(Role.ADMIN)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    acme = await make_account("Acme", manager=mona.user)
    await _archive(gql, admin, mona)
    variables = {"input": {"id": gid("User", mona.id), "isActive": True}}
    # when an admin tries to reactivate her instead of restoring
    reactivated = await gql(
        """mutation($input: UpdateUserInput!) {
          updateUser(input: $input) { userErrors { code field } } }""",
        variables,
        admin.token,
    )
    # then that is refused: restoring is explicit
    assert error_pairs(reactivated["updateUser"]) == [("USER_ARCHIVED", ["input", "isActive"])]
    # when she is restored
    restored = await gql(RESTORE, {"input": {"userId": gid("User", mona.id)}}, admin.token)
    # then she is active, listed, signs in again, and her account stays released
    payload = restored["restoreUser"]
    assert payload["userErrors"] == []
    assert (payload["user"]["isActive"], payload["user"]["archivedAt"]) == (True, None)
    names = [n["name"] for n in (await gql(USERS, token=admin.token))["users"]["nodes"]]
    assert "Mona" in names
    assert (await login(gql, mona.user.email, PASSWORD))["token"] is not None
    assert (await Account.get(id=acme.id)).manager_id is None


async def test_archiving_unassigns_open_items_and_pending_credit_requests(
    gql: GraphQLClient,
) -> None:
    # given Tia has an open task, a pending appointment and a pending credit request,
    # and a task she finished
    admin = await staff(Role.ADMIN)
    tia = await staff(Role.TECHNICIAN, Role.ACCOUNTING)
    account = await make_account()
    start = datetime(2031, 1, 6, 9, tzinfo=UTC)
    task = await Task.create(account_id=account.id, title="Call", assignee_id=tia.id)
    finished = await Task.create(
        account_id=account.id, title="Done", assignee_id=tia.id, status=TaskStatus.DONE
    )
    visit = await Appointment.create(
        account_id=account.id,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        assignee_id=tia.id,
    )
    credit = await CreditAccountRequest.create(
        account_id=account.id, requested_limit=Decimal("1000.00"), assignee_id=tia.id
    )
    # when she is archived
    assert (await _archive(gql, admin, tia))["userErrors"] == []
    # then her open work is nobody's, her finished work still hers
    assert (await Task.get(id=task.id)).assignee_id is None
    assert (await Appointment.get(id=visit.id)).assignee_id is None
    assert (await CreditAccountRequest.get(id=credit.id)).assignee_id is None
    assert (await Task.get(id=finished.id)).assignee_id == tia.id
