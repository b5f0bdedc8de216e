"""The inbox: setAccountManager is the first producer of notifications."""

from __future__ import annotations

from models.notifications import Notification
from models.outbox import OutboxEmail
from models.permissions import Role
from tests.accounts.operations import SET_MANAGER, set_manager
from tests.client import GraphQLClient, assert_unauthenticated
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid

INBOX = """
query Inbox($first: Int, $after: String, $last: Int, $unreadOnly: Boolean = false) {
  unreadNotificationCount
  notifications(first: $first, after: $after, last: $last, unreadOnly: $unreadOnly) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes {
      id kind title body isRead readAt cursor
      subject { __typename ... on Account { name } }
    }
  }
}
"""
MARK = """
mutation Mark($ids: [ID!], $all: Boolean = false) {
  markNotificationsRead(input: {ids: $ids, all: $all}) {
    markedCount unreadCount userErrors { code field }
  }
}
"""


async def test_new_manager_is_notified_in_app_and_by_mail(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada Admin")
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    account = await make_account("Northwind")
    # when
    await set_manager(gql, admin, account.id, maya)
    # then
    inbox = await gql(INBOX, token=maya.token)
    assert inbox["unreadNotificationCount"] == 1
    [note] = inbox["notifications"]["nodes"]
    assert note["kind"] == "ACCOUNT_ASSIGNED"
    assert note["title"] == "You now manage Northwind"
    assert "Ada Admin" in note["body"]
    assert note["isRead"] is False
    assert note["subject"] == {"__typename": "Account", "name": "Northwind"}
    mail = await OutboxEmail.get(to_address=maya.row.email)
    assert mail.subject == "You now manage Northwind"
    assert mail.status.value == "PENDING"


async def test_previous_manager_is_told_the_account_was_taken(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    mo = await staff(Role.ACCOUNT_MANAGER, name="Mo Manager")
    account = await make_account("Contoso")
    await set_manager(gql, admin, account.id, maya)
    # when
    await set_manager(gql, admin, account.id, mo)
    # then
    maya_inbox = await gql(INBOX, {"last": 1}, token=maya.token)
    [latest] = maya_inbox["notifications"]["nodes"]
    assert latest["kind"] == "ACCOUNT_UNASSIGNED"
    assert latest["title"] == "Contoso was given to Mo Manager"
    assert await OutboxEmail.filter(to_address=maya.row.email).count() == 2
    mo_inbox = await gql(INBOX, token=mo.token)
    assert [n["kind"] for n in mo_inbox["notifications"]["nodes"]] == ["ACCOUNT_ASSIGNED"]


async def test_unchanged_manager_and_self_assignment_notify_nobody(gql: GraphQLClient) -> None:
    # given an admin who is also an account manager
    boss = await staff(Role.ADMIN, Role.ACCOUNT_MANAGER)
    account = await make_account()
    # when they take the account themselves, twice
    await set_manager(gql, boss, account.id, boss)
    await set_manager(gql, boss, account.id, boss)
    # then
    assert await Notification.all().count() == 0
    assert await OutboxEmail.all().count() == 0


async def test_refused_assignment_writes_no_notification(gql: GraphQLClient) -> None:
    # given a user without the ACCOUNT_MANAGER role
    admin = await staff(Role.ADMIN)
    tech = await staff(Role.TECHNICIAN)
    account = await make_account()
    # when
    data = await gql(
        SET_MANAGER,
        {"accountId": gid("Account", account.id), "managerId": gid("User", tech.id)},
        token=admin.token,
    )
    # then
    assert data["setAccountManager"]["userErrors"] == [{"code": "NOT_ACCOUNT_MANAGER"}]
    assert await Notification.all().count() == 0
    assert await OutboxEmail.all().count() == 0


async def test_catch_up_after_the_last_cursor_returns_only_newer(gql: GraphQLClient) -> None:
    # given three assignments, the client has seen the first
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    accounts = [await make_account(f"Account {i}") for i in range(3)]
    await set_manager(gql, admin, accounts[0].id, maya)
    seen = (await gql(INBOX, token=maya.token))["notifications"]["pageInfo"]["endCursor"]
    for account in accounts[1:]:
        await set_manager(gql, admin, account.id, maya)
    # when
    data = await gql(INBOX, {"after": seen}, token=maya.token)
    # then
    titles = [n["title"] for n in data["notifications"]["nodes"]]
    assert titles == ["You now manage Account 1", "You now manage Account 2"]
    assert data["notifications"]["pageInfo"]["hasPreviousPage"] is True
    assert data["notifications"]["pageInfo"]["hasNextPage"] is False


async def test_mark_read_by_ids_and_all(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    for i in range(3):
        await set_manager(gql, admin, (await make_account(f"A{i}")).id, maya)
    notes = (await gql(INBOX, token=maya.token))["notifications"]["nodes"]
    # when
    some = await gql(MARK, {"ids": [notes[0]["id"]]}, token=maya.token)
    rest = await gql(MARK, {"all": True}, token=maya.token)
    # then
    assert some["markNotificationsRead"] == {"markedCount": 1, "unreadCount": 2, "userErrors": []}
    assert rest["markNotificationsRead"] == {"markedCount": 2, "unreadCount": 0, "userErrors": []}
    unread = await gql(INBOX, {"unreadOnly": True}, token=maya.token)
    assert unread["notifications"]["totalCount"] == 0


async def test_mark_read_needs_ids_or_all(gql: GraphQLClient) -> None:
    maya = await staff(Role.ACCOUNT_MANAGER)
    data = await gql(MARK, {}, token=maya.token)
    assert data["markNotificationsRead"]["userErrors"] == [
        {"code": "INVALID", "field": ["input", "ids"]}
    ]


async def test_nobody_sees_or_marks_another_persons_notifications(gql: GraphQLClient) -> None:
    # given Maya has a notification
    admin = await staff(Role.ADMIN)
    maya = await staff(Role.ACCOUNT_MANAGER)
    other = await staff(Role.ACCOUNT_MANAGER)
    await set_manager(gql, admin, (await make_account()).id, maya)
    [note] = (await gql(INBOX, token=maya.token))["notifications"]["nodes"]
    # when another user reads and marks it
    theirs = await gql(INBOX, token=other.token)
    node = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": note["id"]}, other.token)
    marked = await gql(MARK, {"ids": [note["id"]]}, token=other.token)
    # then
    assert theirs["notifications"]["totalCount"] == 0
    assert node["node"] is None
    assert marked["markNotificationsRead"]["markedCount"] == 0
    assert (await gql(INBOX, token=maya.token))["unreadNotificationCount"] == 1


async def test_portal_contact_has_an_empty_inbox_of_its_own(gql: GraphQLClient) -> None:
    contact = await portal_contact(await make_account())
    data = await gql(INBOX, token=contact.token)
    assert data["unreadNotificationCount"] == 0
    assert data["notifications"]["nodes"] == []


async def test_inbox_needs_sign_in(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw("{ unreadNotificationCount }"))
    assert_unauthenticated(await gql.raw("{ notifications { totalCount } }"))
    assert_unauthenticated(await gql.raw(MARK, {"all": True}))


async def test_outbox_emails_are_nodes_for_admins_only(gql: GraphQLClient) -> None:
    # given a queued e-mail
    from tortoise.transactions import in_transaction

    from models.outbox import queue_email

    admin = await staff(Role.ADMIN)
    dispatcher = await staff(Role.DISPATCHER)
    async with in_transaction():
        mail = await queue_email(
            to="x@example.com",
            template="account_assigned",
            context={"name": "X", "account_name": "A", "account_number": "1", "assigned_by": "B"},
        )
    query = "query($id: ID!) { node(id: $id) { ... on OutboxEmail { toAddress } } }"
    variables = {"id": gid("OutboxEmail", mail.id)}
    # when / then
    assert (await gql(query, variables, token=admin.token))["node"] == {
        "toAddress": "x@example.com"
    }
    assert (await gql(query, variables, token=dispatcher.token))["node"] is None
