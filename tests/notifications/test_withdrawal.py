"""Notices of things their recipient loses sight of are withdrawn (issue 22): after a
change of manager or a reassignment, every notice left opens for its recipient, and a
notice that tells of something taken away carries no link."""

from __future__ import annotations

import itertools
from typing import Any

from models.accounts import Account
from models.notifications import Notification, NotificationKind
from models.permissions import Role
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_request, make_type
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.service_requests.operations import approved_job, submitted

INBOX = """
query {
  notifications(first: 100) {
    totalCount
    nodes { kind title subject { __typename id } }
  }
  unread: notifications(first: 100, unreadOnly: true) { totalCount }
  unreadNotificationCount
}
"""
SET_MANAGER = """
mutation($input: SetAccountManagerInput!) {
  setAccountManager(input: $input) { userErrors { code } }
}
"""
UPDATE_REQUEST = """
mutation($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) { accountRequest { id } userErrors { code } }
}
"""
ASSIGN_JOB = """
mutation($input: AssignJobInput!) { assignJob(input: $input) { userErrors { code } } }
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"

_serial = itertools.count(1)


async def _inbox(gql: GraphQLClient, person: Person) -> list[dict[str, Any]]:
    """The notices of `person`; the counts agree with the list."""
    data = await gql(INBOX, token=person.token)
    nodes: list[dict[str, Any]] = data["notifications"]["nodes"]
    assert data["notifications"]["totalCount"] == len(nodes)
    assert data["unread"]["totalCount"] == data["unreadNotificationCount"] == len(nodes)
    return nodes


async def _raise(gql: GraphQLClient, by: Person, account: Account, **fields: Any) -> str:
    """A request raised by `by` on the account (its managers are told); its global ID."""
    request_type = await make_type(f"Question {next(_serial)}")
    payload = await create_request(
        gql,
        by.token,
        typeId=gid("AccountRequestType", request_type.id),
        accountId=gid("Account", account.id),
        **fields,
    )
    assert payload["userErrors"] == [], payload
    request_id: str = payload["accountRequest"]["id"]
    return request_id


async def _hand_over(gql: GraphQLClient, admin: Person, account: Account, to: Person) -> None:
    values = {"accountId": gid("Account", account.id), "managerId": gid("User", to.user.id)}
    data = await gql(SET_MANAGER, {"input": values}, token=admin.token)
    assert data["setAccountManager"]["userErrors"] == []


async def _all_open(gql: GraphQLClient, person: Person, notes: list[dict[str, Any]]) -> None:
    for note in notes:
        if note["subject"] is not None:
            opened = await gql(NODE, {"id": note["subject"]["id"]}, token=person.token)
            assert opened["node"] == {"id": note["subject"]["id"]}, note


def _titled(notes: list[dict[str, Any]]) -> dict[str, Any]:
    return {note["title"]: note["subject"] for note in notes}


async def test_the_former_manager_loses_the_notices_of_the_account_given_away(
    gql: GraphQLClient,
) -> None:
    # given Mona manages Acme and Beta, and is told of a request raised on each
    admin = await staff(Role.ADMIN, name="Ada Admin")
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona Manager")
    nick = await staff(Role.ACCOUNT_MANAGER, name="Nick Newman")
    acme = await make_account("Acme")
    beta = await make_account("Beta")
    await _hand_over(gql, admin, acme, mona)
    await _hand_over(gql, admin, beta, mona)
    await _raise(gql, admin, acme)
    beta_request = await _raise(gql, admin, beta)
    assert len(await _inbox(gql, mona)) == 4

    # when Acme is given to Nick
    await _hand_over(gql, admin, acme, nick)

    # then what told Mona of Acme is gone; Beta's notices stay and open
    notes = await _inbox(gql, mona)
    assert [note["kind"] for note in notes] == [
        "ACCOUNT_ASSIGNED",
        "ACCOUNT_REQUEST_RAISED",
        "ACCOUNT_UNASSIGNED",
    ]
    titled = _titled(notes)
    assert titled["You now manage Beta"] == {"__typename": "Account", "id": gid("Account", beta.id)}
    assert {"__typename": "AccountRequest", "id": beta_request} in titled.values()
    # the notice of the handover says what happened, and links to nothing
    assert titled["Acme was given to Nick Newman"] is None
    row = await Notification.get(user_id=mona.user.id, kind=NotificationKind.ACCOUNT_UNASSIGNED)
    assert (row.subject_type, row.subject_id) == (None, None)
    assert "You no longer manage it." in row.body
    await _all_open(gql, mona, notes)
    # Nick is told, and opens Acme
    assert _titled(await _inbox(gql, nick))["You now manage Acme"] is not None


async def test_what_stays_assigned_to_the_former_manager_stays_in_her_inbox(
    gql: GraphQLClient,
) -> None:
    # given Mona manages Acme and is given one of its requests; another is raised on it
    admin = await staff(Role.ADMIN)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona Manager")
    nick = await staff(Role.ACCOUNT_MANAGER, name="Nick Newman")
    acme = await make_account("Acme")
    await _hand_over(gql, admin, acme, mona)
    hers = await _raise(gql, admin, acme, assigneeId=gid("User", mona.user.id))
    await _raise(gql, admin, acme)

    # when Acme is given to Nick
    await _hand_over(gql, admin, acme, nick)

    # then the request still hers stays, and opens; so does Acme, which her work is on
    notes = await _inbox(gql, mona)
    kinds = sorted(note["kind"] for note in notes)
    assert kinds == ["ACCOUNT_ASSIGNED", "ACCOUNT_REQUEST_ASSIGNED", "ACCOUNT_UNASSIGNED"]
    assert {"__typename": "AccountRequest", "id": hers} in _titled(notes).values()
    assert all(note["subject"] is not None for note in notes)
    await _all_open(gql, mona, notes)

    # when her request is given to Nick too, she sees nothing of Acme any more
    values = {"id": hers, "assigneeId": gid("User", nick.user.id)}
    data = await gql(UPDATE_REQUEST, {"input": values}, token=admin.token)
    assert data["updateAccountRequest"]["userErrors"] == []

    # then only the notices of what was taken away are left, without their links
    notes = await _inbox(gql, mona)
    assert sorted(note["kind"] for note in notes) == [
        "ACCOUNT_REQUEST_UNASSIGNED",
        "ACCOUNT_UNASSIGNED",
    ]
    assert [note["subject"] for note in notes] == [None, None]


async def test_someone_who_still_sees_everything_keeps_every_notice(gql: GraphQLClient) -> None:
    # given Dora, a dispatcher who also manages Acme, is given a request on it
    admin = await staff(Role.ADMIN)
    dora = await staff(Role.ACCOUNT_MANAGER, Role.DISPATCHER, name="Dora Dispatcher")
    nick = await staff(Role.ACCOUNT_MANAGER, name="Nick Newman")
    acme = await make_account("Acme")
    await _hand_over(gql, admin, acme, dora)
    request_id = await _raise(gql, admin, acme, assigneeId=gid("User", dora.user.id))
    await _raise(gql, admin, acme)
    before = len(await _inbox(gql, dora))

    # when Acme and the request are given to Nick
    await _hand_over(gql, admin, acme, nick)
    values = {"id": request_id, "assigneeId": gid("User", nick.user.id)}
    await gql(UPDATE_REQUEST, {"input": values}, token=admin.token)

    # then she keeps every notice, and the new ones link to what they are about
    notes = await _inbox(gql, dora)
    assert len(notes) == before + 2
    assert all(note["subject"] is not None for note in notes)
    await _all_open(gql, dora, notes)


async def test_a_technician_loses_the_notice_of_a_job_given_to_someone_else(
    gql: GraphQLClient,
) -> None:
    # given Tess, a technician, is given a job (she sees only the jobs assigned to her)
    dispatcher = await staff(Role.DISPATCHER)
    tess = await staff(Role.TECHNICIAN, name="Tess Tech")
    theo = await staff(Role.TECHNICIAN, name="Theo Tech")
    acme = await make_account("Acme")
    request_id = await submitted(gql, await portal_contact(acme), await make_site(acme))
    job = await approved_job(gql, dispatcher, request_id)
    for who in (tess, theo):
        values = {"id": job, "assigneeId": gid("User", who.user.id)}
        data = await gql(ASSIGN_JOB, {"input": values}, token=dispatcher.token)
        assert data["assignJob"]["userErrors"] == []
        if who is tess:
            assert [note["kind"] for note in await _inbox(gql, tess)] == ["JOB_ASSIGNED"]

    # then the job is Theo's: Tess's notice of it is withdrawn, Theo's opens
    assert await _inbox(gql, tess) == []
    notes = await _inbox(gql, theo)
    assert [note["subject"] for note in notes] == [{"__typename": "Job", "id": job}]
    await _all_open(gql, theo, notes)


async def _handover_statements(
    gql: GraphQLClient, counter: StatementCounter, admin: Person, notices: int
) -> int:
    """Statements of handing over an account whose manager holds `notices` notices of it."""
    mona = await staff(Role.ACCOUNT_MANAGER)
    nick = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account(manager=mona.user)
    request_type = await make_type()
    for n in range(notices):  # of a request on Acme, and of Acme itself
        request = await make_request(acme, request_type)
        await Notification.create(
            user_id=mona.user.id,
            kind=NotificationKind.ACCOUNT_REQUEST_RAISED,
            title=f"New request {n}",
            body="",
            subject_type="AccountRequest",
            subject_id=request.id,
        )
        await Notification.create(
            user_id=mona.user.id,
            kind=NotificationKind.ACCOUNT_ASSIGNED,
            title="You now manage it",
            body="",
            subject_type="Account",
            subject_id=acme.id,
        )
    counter.statements.clear()
    await _hand_over(gql, admin, acme, nick)
    assert await Notification.filter(user_id=mona.user.id).count() == 1  # the handover's
    return counter.count


async def test_withdrawing_does_not_grow_with_the_number_of_notices(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    admin = await staff(Role.ADMIN)
    few = await _handover_statements(gql, count_statements, admin, 2)
    many = await _handover_statements(gql, count_statements, admin, 20)
    assert few == many, count_statements.statements
    # sign-in 1, the mutation, a handful to withdraw, and 1 to log its events
    assert many == 24, count_statements.statements
