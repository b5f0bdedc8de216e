"""The "Allow Account Manager to Create Requests" setting (issue 22, item 7).

`managersMayCreateRequests` (on by default) gates every request an account manager
raises; `managersMayCreateOnBehalf` keeps gating those raised for a contact. Roles
that create requests by other rights, and portal contacts, are not concerned.
"""

from __future__ import annotations

import pytest

from models.account_requests import AccountRequest
from models.permissions import Role
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_type
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.factories import make_account, make_contact, portal_contact, staff
from tests.ids import gid

SETTINGS = "query { companySettings { managersMayCreateRequests managersMayCreateOnBehalf } }"
UPDATE = """
mutation Settings($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) {
    companySettings { managersMayCreateRequests managersMayCreateOnBehalf }
    userErrors { code field }
  }
}
"""


async def _set(gql: GraphQLClient, **switches: bool) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(UPDATE, {"input": switches}, token=admin.token)
    assert data["updateCompanySettings"]["userErrors"] == []


# --- the setting ----------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_staff_read_it_on_by_default(gql: GraphQLClient, role: Role) -> None:
    viewer = await staff(role)
    data = await gql(SETTINGS, token=viewer.token)
    assert data["companySettings"] == {
        "managersMayCreateRequests": True,
        "managersMayCreateOnBehalf": False,
    }


async def test_an_admin_turns_it_off_and_on_leaving_the_other_switch_alone(
    gql: GraphQLClient,
) -> None:
    admin = await staff(Role.ADMIN)
    off = await gql(UPDATE, {"input": {"managersMayCreateRequests": False}}, admin.token)
    assert off["updateCompanySettings"] == {
        "companySettings": {"managersMayCreateRequests": False, "managersMayCreateOnBehalf": False},
        "userErrors": [],
    }
    on = await gql(UPDATE, {"input": {"managersMayCreateRequests": True}}, admin.token)
    assert on["updateCompanySettings"]["companySettings"]["managersMayCreateRequests"] is True


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=lambda r: r.value)
async def test_only_admins_change_it(gql: GraphQLClient, role: Role) -> None:
    viewer = await staff(role)
    body = await gql.raw(UPDATE, {"input": {"managersMayCreateRequests": False}}, viewer.token)
    assert_forbidden(body)
    assert_unauthenticated(await gql.raw(UPDATE, {"input": {"managersMayCreateRequests": False}}))
    contact = await portal_contact(await make_account())
    assert_forbidden(
        await gql.raw(UPDATE, {"input": {"managersMayCreateRequests": False}}, contact.token)
    )
    viewer_settings = await gql(SETTINGS, token=viewer.token)
    assert viewer_settings["companySettings"]["managersMayCreateRequests"] is True


# --- what it gates --------------------------------------------------------------------


@pytest.mark.parametrize("for_a_contact", [False, True])
async def test_off_a_manager_raises_no_request_at_all(
    gql: GraphQLClient, for_a_contact: bool
) -> None:
    # given the setting off (and requests on behalf of contacts allowed)
    await _set(gql, managersMayCreateRequests=False, managersMayCreateOnBehalf=True)
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.user)
    request_type = await make_type()
    fields = {
        "accountId": gid("Account", account.id),
        "typeId": gid("AccountRequestType", request_type.id),
    }
    if for_a_contact:
        fields["contactId"] = gid("Contact", (await make_contact(account)).id)
    # when the manager raises a request on their own account
    payload = await create_request(gql, manager.token, **fields)
    # then it is refused with the setting's code, and nothing is written
    assert error_pairs(payload) == [("MANAGER_CREATE_NOT_ALLOWED", None)]
    assert await AccountRequest.all().count() == 0


async def test_on_a_manager_raises_requests_and_on_behalf_keeps_its_meaning(
    gql: GraphQLClient,
) -> None:
    # given the defaults: managers create, not on behalf of contacts
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.user)
    request_type = await make_type()
    fields = {
        "accountId": gid("Account", account.id),
        "typeId": gid("AccountRequestType", request_type.id),
    }
    contact = gid("Contact", (await make_contact(account)).id)
    # when
    own = await create_request(gql, manager.token, **fields)
    on_behalf = await create_request(gql, manager.token, **fields, contactId=contact)
    # then
    assert own["userErrors"] == []
    assert own["accountRequest"]["source"] == "ACCOUNT_MANAGER"
    assert error_pairs(on_behalf) == [("ON_BEHALF_NOT_ALLOWED", ["input", "contactId"])]


@pytest.mark.parametrize(
    "roles",
    [(Role.ADMIN,), (Role.DISPATCHER,), (Role.ACCOUNT_MANAGER, Role.DISPATCHER)],
    ids=["admin", "dispatcher", "manager and dispatcher"],
)
async def test_off_roles_with_other_rights_still_create(
    gql: GraphQLClient, roles: tuple[Role, ...]
) -> None:
    await _set(gql, managersMayCreateRequests=False)
    person = await staff(*roles)
    account = await make_account(manager=person.user if Role.ACCOUNT_MANAGER in roles else None)
    request_type = await make_type()
    payload = await create_request(
        gql,
        person.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", request_type.id),
    )
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["source"] == "STAFF"


async def test_off_portal_contacts_still_submit(gql: GraphQLClient) -> None:
    await _set(gql, managersMayCreateRequests=False)
    account = await make_account()
    contact = await portal_contact(account)
    portal_type = await make_type(portal=True)
    payload = await create_request(
        gql, contact.token, typeId=gid("AccountRequestType", portal_type.id)
    )
    assert payload["userErrors"] == []
    assert payload["accountRequest"]["source"] == "PORTAL"
