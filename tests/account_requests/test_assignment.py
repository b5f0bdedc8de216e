"""Who may be assigned a request, and an assignee always sees and works it (issue 22, 1-2).

Any active staff user whose role lets them see the request's account may be assigned
(every role sees every account, an account manager the accounts they manage);
anyone else is refused with a code saying why. Once assigned, the request, its
account and its notification open for the assignee, whoever manages the account.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import users
from models.account_requests import AccountRequest
from models.demo import seed_demo
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient, error_pairs
from tests.factories import Person, make_account, make_contact, make_user, staff, token_for
from tests.ids import gid

UPDATE = """
mutation Update($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { id status note assignee { name } account { name } }
    userErrors { code field message }
  }
}
"""
OPEN = """
query Open($id: ID!) {
  node(id: $id) {
    ... on AccountRequest {
      number note assignee { name }
      account { name contacts { nodes { name } } }
      contact { name }
    }
  }
}
"""
HOME = """
query Home {
  accountRequests(filter: {assignedToMe: true}) { totalCount nodes { number } }
  all: accountRequests { totalCount nodes { number } }
}
"""
INBOX = """
query Inbox {
  notifications(first: 20) {
    nodes { kind title subject { __typename ... on AccountRequest { number } } }
  }
}
"""
ADD_CONTACT = """
mutation AddContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { name } userErrors { code } }
}
"""

EVERY_ACCOUNT_ROLES = [
    Role.ADMIN,
    Role.DISPATCHER,
    Role.TECHNICIAN,
    Role.PROJECT_MANAGER,
    Role.ACCOUNTING,
]


async def _update(
    gql: GraphQLClient, token: str, request: AccountRequest, **changes: Any
) -> dict[str, Any]:
    data = await gql(UPDATE, {"input": {"id": request_gid(request), **changes}}, token=token)
    payload: dict[str, Any] = data["updateAccountRequest"]
    return payload


async def _opened(gql: GraphQLClient, person: Person, request: AccountRequest) -> Any:
    return (await gql(OPEN, {"id": request_gid(request)}, person.token))["node"]


async def _home(gql: GraphQLClient, person: Person) -> list[int]:
    data = await gql(HOME, token=person.token)
    return [node["number"] for node in data["accountRequests"]["nodes"]]


# --- who may be assigned ----------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ACCOUNT_ROLES, ids=lambda r: r.value)
async def test_any_staff_role_seeing_every_account_may_be_assigned_and_works_it(
    gql: GraphQLClient, role: Role
) -> None:
    # given a dispatcher and a colleague of this role
    dispatcher = await staff(Role.DISPATCHER)
    worker = await staff(role, name="Wren")
    request = await make_request(await make_account("Acme"), note="Billing question")

    # when the dispatcher assigns the request to them
    assigned = await _update(gql, dispatcher.token, request, assigneeId=gid("User", worker.id))

    # then it is theirs: in their home list, open, and they may work it
    assert assigned["userErrors"] == []
    assert assigned["accountRequest"]["assignee"] == {"name": "Wren"}
    assert await _home(gql, worker) == [request.id]
    assert (await _opened(gql, worker, request))["account"]["name"] == "Acme"
    worked = await _update(gql, worker.token, request, status="IN_PROGRESS", note="On it")
    assert worked["userErrors"] == []
    assert (worked["accountRequest"]["status"], worked["accountRequest"]["note"]) == (
        "IN_PROGRESS",
        "On it",
    )


@pytest.mark.parametrize("how", ["create", "update"])
async def test_a_manager_of_another_account_is_refused_with_a_reason(
    gql: GraphQLClient, how: str
) -> None:
    # given a manager of another account
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    await make_account(manager=manager.user)
    account = await make_account("Acme")
    billing = await make_type()
    request = await make_request(account, billing)
    target = gid("User", manager.id)

    # when the dispatcher gives them a request of an account they do not manage
    if how == "create":
        payload = await create_request(
            gql,
            dispatcher.token,
            accountId=gid("Account", account.id),
            typeId=gid("AccountRequestType", billing.id),
            assigneeId=target,
        )
    else:
        payload = await _update(gql, dispatcher.token, request, assigneeId=target)

    # then it is refused, saying why, and nothing changes
    assert error_pairs(payload) == [("ASSIGNEE_CANNOT_SEE_ACCOUNT", ["input", "assigneeId"])]
    assert "Mona cannot see Acme" in payload["userErrors"][0]["message"]
    assert await AccountRequest.filter(assignee_id=manager.id).count() == 0
    assert await _home(gql, manager) == []


@pytest.mark.parametrize("whose", ["own account", "sub-account"])
async def test_the_manager_of_the_account_may_be_assigned(gql: GraphQLClient, whose: str) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    account = await make_account(manager=manager.user)
    if whose == "sub-account":
        account = await make_account(parent=account)
    request = await make_request(account)
    # when
    payload = await _update(gql, dispatcher.token, request, assigneeId=gid("User", manager.id))
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["assignee"] == {"name": "Mona"}
    assert await _home(gql, manager) == [request.id]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("inactive", "USER_INACTIVE"),
        ("archived", "USER_ARCHIVED"),
        ("no role", "ASSIGNEE_NOT_ELIGIBLE"),
        ("nobody", "NOT_FOUND"),
    ],
)
async def test_only_active_staff_may_be_assigned(gql: GraphQLClient, who: str, code: str) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    if who == "inactive":
        target = (await make_user(Role.TECHNICIAN, active=False)).id
    elif who == "archived":
        gone = await make_user(Role.TECHNICIAN, active=False)
        await gone.__class__.filter(id=gone.id).update(archived_at=gone.created_at)
        target = gone.id
    elif who == "no role":
        target = (await make_user()).id
    else:
        target = 999_999
    # when
    payload = await _update(gql, dispatcher.token, request, assigneeId=gid("User", target))
    # then
    assert error_pairs(payload) == [(code, ["input", "assigneeId"])]


# --- the request type's default assignee ------------------------------------------------


async def test_the_billing_team_may_be_a_types_default_assignee(gql: GraphQLClient) -> None:
    # given the demo's "Billing question" type, meant for the billing team
    dispatcher = await staff(Role.DISPATCHER)
    accountant = await make_user(Role.ACCOUNTING, name="Abe")
    billing = await make_type("Billing question", default_assignee=accountant)
    account = await make_account()
    # when
    payload = await create_request(
        gql,
        dispatcher.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", billing.id),
    )
    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["assignee"] == {"name": "Abe"}


async def test_a_default_assignee_who_cannot_see_the_account_is_skipped(
    gql: GraphQLClient,
) -> None:
    """A type's default assignee who manages some accounts only gets requests of those;
    on other accounts the request starts unassigned (never refused, never invisible)."""
    # given
    dispatcher = await staff(Role.DISPATCHER)
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    own = await make_account(manager=manager.user)
    other = await make_account()
    access = await make_type("Access", default_assignee=manager.user)
    # when
    payloads = [
        await create_request(
            gql,
            dispatcher.token,
            accountId=gid("Account", account.id),
            typeId=gid("AccountRequestType", access.id),
        )
        for account in (own, other)
    ]
    # then
    assert [p["userErrors"] for p in payloads] == [[], []]
    assert [p["accountRequest"]["assignee"] for p in payloads] == [{"name": "Mona"}, None]


# --- no dead ends when the account changes manager ------------------------------------


async def test_a_manager_keeps_working_what_is_assigned_after_losing_the_account(
    gql: GraphQLClient,
) -> None:
    # given Mona manages Acme, one of its requests is assigned to her, another is not
    admin = await staff(Role.ADMIN)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    nick = await staff(Role.ACCOUNT_MANAGER, name="Nick")
    acme = await make_account("Acme", manager=mona.user)
    await make_contact(acme, name="Carla")
    mine = await make_request(acme, assignee=mona.user, note="Mine")
    theirs = await make_request(acme, note="Not mine")

    # when Acme is given to Nick
    await set_manager(gql, admin, acme.id, nick)

    # then Mona still has her request: listed, open with its account, workable
    assert await _home(gql, mona) == [mine.id]
    all_hers = (await gql(HOME, token=mona.token))["all"]
    assert [node["number"] for node in all_hers["nodes"]] == [mine.id]
    opened = await _opened(gql, mona, mine)
    assert opened["account"] == {"name": "Acme", "contacts": {"nodes": [{"name": "Carla"}]}}
    worked = await _update(gql, mona.token, mine, status="COMPLETED")
    assert worked["userErrors"] == []
    assert worked["accountRequest"]["account"] == {"name": "Acme"}
    # and only that: the other request is Nick's to see, the account no longer hers to change
    assert await _opened(gql, mona, theirs) is None
    assert await _home(gql, nick) == []
    assert (await _opened(gql, nick, theirs))["note"] == "Not mine"
    added = await gql(
        ADD_CONTACT, {"input": {"accountId": gid("Account", acme.id), "name": "Eve"}}, mona.token
    )
    assert added["createContact"]["userErrors"] == [{"code": "FORBIDDEN"}]


async def test_an_assigned_request_moves_out_of_sight_only_when_reassigned(
    gql: GraphQLClient,
) -> None:
    # given Mona was assigned a request of Acme, then lost Acme
    dispatcher = await staff(Role.DISPATCHER)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    tech = await staff(Role.TECHNICIAN, name="Tia")
    acme = await make_account("Acme", manager=mona.user)
    request = await make_request(acme, assignee=mona.user)
    await set_manager(gql, dispatcher, acme.id, None)
    # when the dispatcher reassigns it to a technician
    payload = await _update(gql, dispatcher.token, request, assigneeId=gid("User", tech.id))
    # then it is the technician's, and Mona no longer sees it nor its account
    assert payload["userErrors"] == []
    assert await _opened(gql, mona, request) is None
    assert await _home(gql, mona) == []
    account = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid("Account", acme.id)}, mona.token
    )
    assert account["node"] is None


async def test_the_assignment_notification_opens_for_its_recipient(gql: GraphQLClient) -> None:
    # given Mona manages Acme and is assigned one of its requests
    dispatcher = await staff(Role.DISPATCHER)
    mona = await staff(Role.ACCOUNT_MANAGER, name="Mona")
    acme = await make_account("Acme", manager=mona.user)
    request = await make_request(acme)
    assigned = await _update(gql, dispatcher.token, request, assigneeId=gid("User", mona.id))
    assert assigned["userErrors"] == []
    # when Acme goes to someone else
    await set_manager(gql, dispatcher, acme.id, None)
    # then "Assigned to you" still leads to the request
    inbox = (await gql(INBOX, token=mona.token))["notifications"]["nodes"]
    told = [n for n in inbox if n["kind"] == "ACCOUNT_REQUEST_ASSIGNED"]
    assert [n["subject"] for n in told] == [{"__typename": "AccountRequest", "number": request.id}]


async def test_the_demo_sends_billing_questions_to_accounting_and_assigns_only_the_seeing(
    gql: GraphQLClient,
) -> None:
    # given the demo company
    await seed_demo()
    alex = await users.User.get(email="accounting@demo.docket")
    alex_token = await token_for(alex)
    # when its request types and requests are read
    billing = await AccountRequestType.get(name="Billing question")
    requests = await AccountRequest.filter(assignee_id__isnull=False)
    # then billing questions go to the billing team, and every assignee opens their request
    assert billing.default_assignee_id == alex.id
    assert requests
    for row in requests:
        assignee = await users.User.get(id=row.assignee_id)
        opened = await gql(OPEN, {"id": request_gid(row)}, await token_for(assignee))
        assert opened["node"]["account"] is not None, (assignee.name, row.id)
    home = (await gql(HOME, token=alex_token))["accountRequests"]["nodes"]
    assert sorted(node["number"] for node in home) == sorted(
        row.id for row in requests if row.assignee_id == alex.id
    )
    assert home
