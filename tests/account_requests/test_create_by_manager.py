"""Account managers creating requests on their accounts, and on behalf of a contact."""

from __future__ import annotations

from models import account_requests
from models.permissions import Role
from tests.account_requests.operations import UPDATE_SETTINGS, _ids, create_request
from tests.account_requests.rows import _type, written_rows
from tests.client import GraphQLClient, error_pairs
from tests.factories import make_account, make_contact, make_user, staff
from tests.ids import gid


async def _allow_on_behalf(gql: GraphQLClient, allowed: bool) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(
        UPDATE_SETTINGS, {"input": {"managersMayCreateOnBehalf": allowed}}, token=admin.token
    )
    assert data["updateCompanySettings"]["userErrors"] == []
    assert data["updateCompanySettings"]["companySettings"] == {
        "managersMayCreateOnBehalf": allowed
    }


# --- account managers ------------------------------------------------------------------------


async def test_manager_creates_on_own_accounts_and_sub_accounts(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER, name="Mia Manager")
    own = await make_account("Own", manager=manager.row)  # type: ignore[arg-type]
    child = await make_account("Child", parent=own)
    grandchild = await make_account("Grandchild", parent=child)
    great = await make_account("Great-grandchild", parent=grandchild)
    billing = await _type()

    # when
    payloads = [
        await create_request(gql, manager.token, **_ids(account, billing))
        for account in (own, child, grandchild, great)
    ]

    # then
    for payload, name in zip(
        payloads, ["Own", "Child", "Grandchild", "Great-grandchild"], strict=True
    ):
        assert payload["userErrors"] == []
        assert payload["accountRequest"]["source"] == "ACCOUNT_MANAGER"
        assert payload["accountRequest"]["account"] == {"name": name}
        assert payload["accountRequest"]["createdBy"] == {"name": "Mia Manager"}


async def test_manager_cannot_see_other_accounts_to_create_on(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    someone_else = await make_user(Role.ACCOUNT_MANAGER)
    await make_account(manager=manager.row)  # type: ignore[arg-type]
    foreign = await make_account(manager=someone_else)
    unmanaged = await make_account()
    billing = await _type()

    # when
    answers = [
        await create_request(gql, manager.token, **_ids(account, billing))
        for account in (foreign, unmanaged)
    ]
    ghost = await create_request(
        gql,
        manager.token,
        accountId=gid("Account", 999_999),
        typeId=gid("AccountRequestType", billing.id),
    )

    # then
    for payload in answers:
        assert payload["userErrors"] == ghost["userErrors"]
    assert error_pairs(ghost) == [("NOT_FOUND", ["input", "accountId"])]
    assert await written_rows() == (0, 0, 0, 0)


async def test_manager_on_behalf_of_a_contact_follows_company_settings(
    gql: GraphQLClient,
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.row)  # type: ignore[arg-type]
    contact = await make_contact(account, name="Carol Customer")
    billing = await _type(assignee=await make_user(Role.TECHNICIAN))
    on_behalf = _ids(account, billing) | {"contactId": gid("Contact", contact.id)}

    # when settings forbid it (the default)
    refused = await create_request(gql, manager.token, **on_behalf)
    without_contact = await create_request(gql, manager.token, **_ids(account, billing))

    # then
    assert error_pairs(refused) == [("ON_BEHALF_NOT_ALLOWED", ["input", "contactId"])]
    assert without_contact["userErrors"] == []
    assert await account_requests.AccountRequest.all().count() == 1

    # when an admin allows it
    await _allow_on_behalf(gql, True)
    allowed = await create_request(gql, manager.token, **on_behalf)

    # then
    assert allowed["userErrors"] == []
    assert allowed["accountRequest"]["contact"] == {"name": "Carol Customer"}
    assert allowed["accountRequest"]["source"] == "ACCOUNT_MANAGER"

    # when an admin forbids it again
    await _allow_on_behalf(gql, False)
    again = await create_request(gql, manager.token, **on_behalf)

    # then
    assert error_pairs(again) == [("ON_BEHALF_NOT_ALLOWED", ["input", "contactId"])]
    assert await account_requests.AccountRequest.all().count() == 2


async def test_dispatcher_on_behalf_of_a_contact_ignores_the_manager_setting(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    contact = await make_contact(account)
    billing = await _type()

    # when
    payload = await create_request(
        gql, dispatcher.token, **_ids(account, billing), contactId=gid("Contact", contact.id)
    )

    # then
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["source"] == "STAFF"
