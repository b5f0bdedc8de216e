"""Reading account request types, and who may create or update them."""

from __future__ import annotations

import pytest

from models.permissions import Role
from models.request_types import AccountRequestType
from tests.account_requests.operations import (
    ACCOUNT_REQUEST_TYPES,
    CREATE_TYPE,
    UPDATE_TYPE,
    create_type,
)
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import make_account, make_user, portal_contact, staff
from tests.ids import gid

TYPE_NODE = """
query TypeNode($id: ID!) { node(id: $id) { ... on AccountRequestType { name } } }
"""

NOT_ADMIN = [role for role in Role if role is not Role.ADMIN]


async def _three_types() -> None:
    await AccountRequestType.create(name="Billing", portal_available=True)
    await AccountRequestType.create(name="Access", portal_available=False)
    await AccountRequestType.create(name="Archived", portal_available=True, is_active=False)


# --- the list ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_staff_see_active_types_and_inactive_ones_on_request(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    await _three_types()
    viewer = await staff(role)

    # when
    active = await gql(ACCOUNT_REQUEST_TYPES, token=viewer.token)
    everything = await gql(ACCOUNT_REQUEST_TYPES, {"includeInactive": True}, token=viewer.token)

    # then
    assert [t["name"] for t in active["accountRequestTypes"]] == ["Access", "Billing"]
    assert [t["name"] for t in everything["accountRequestTypes"]] == [
        "Access",
        "Archived",
        "Billing",
    ]


async def test_portal_contact_sees_only_active_portal_types(gql: GraphQLClient) -> None:
    # given
    await _three_types()
    contact = await portal_contact(await make_account())

    # when
    active = await gql(ACCOUNT_REQUEST_TYPES, token=contact.token)
    everything = await gql(ACCOUNT_REQUEST_TYPES, {"includeInactive": True}, token=contact.token)

    # then
    assert [t["name"] for t in active["accountRequestTypes"]] == ["Billing"]
    assert [t["name"] for t in everything["accountRequestTypes"]] == ["Billing"]


async def test_portal_contact_cannot_fetch_other_types_by_id(gql: GraphQLClient) -> None:
    # given
    await _three_types()
    contact = await portal_contact(await make_account())
    access = await AccountRequestType.get(name="Access")
    archived = await AccountRequestType.get(name="Archived")
    billing = await AccountRequestType.get(name="Billing")

    # when
    answers = [
        (await gql(TYPE_NODE, {"id": gid("AccountRequestType", pk)}, token=contact.token))["node"]
        for pk in (access.id, archived.id, billing.id, 999_999)
    ]

    # then
    assert answers == [None, None, {"name": "Billing"}, None]


async def test_anonymous_cannot_list_types(gql: GraphQLClient) -> None:
    # given
    await _three_types()

    # when
    body = await gql.raw(ACCOUNT_REQUEST_TYPES)

    # then
    assert_unauthenticated(body)


# --- who may set types up --------------------------------------------------------------


async def test_admin_creates_a_type(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    tech = await make_user(Role.TECHNICIAN, name="Tia Tech")

    # when
    payload = await create_type(
        gql,
        admin.token,
        name="  Billing question ",
        description="Invoices and payments",
        portalAvailable=True,
        defaultAssigneeId=gid("User", tech.id),
    )

    # then
    assert payload["userErrors"] == []
    created = payload["accountRequestType"]
    assert created["name"] == "Billing question"
    assert created["description"] == "Invoices and payments"
    assert created["isActive"] is True
    assert created["portalAvailable"] is True
    assert created["defaultAssignee"] == {"name": "Tia Tech"}
    row = await AccountRequestType.get(name="Billing question")
    assert row.default_assignee_id == tech.id


async def test_a_new_type_defaults_to_active_staff_only_and_unassigned(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await create_type(gql, admin.token, name="Access")

    # then
    assert payload["userErrors"] == []
    assert payload["accountRequestType"] | {"id": None} == {
        "id": None,
        "name": "Access",
        "description": "",
        "isActive": True,
        "portalAvailable": False,
        "defaultAssignee": None,
    }


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_other_roles_cannot_create_or_update_types(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    existing = await AccountRequestType.create(name="Billing")

    # when
    created = await gql.raw(CREATE_TYPE, {"input": {"name": "Access"}}, token=viewer.token)
    updated = await gql.raw(
        UPDATE_TYPE,
        {"input": {"id": gid("AccountRequestType", existing.id), "name": "Renamed"}},
        token=viewer.token,
    )

    # then
    assert_forbidden(created)
    assert_forbidden(updated)
    assert [t.name for t in await AccountRequestType.all()] == ["Billing"]


async def test_portal_contact_cannot_create_or_update_types(gql: GraphQLClient) -> None:
    # given
    contact = await portal_contact(await make_account())
    existing = await AccountRequestType.create(name="Billing", portal_available=True)

    # when
    created = await gql.raw(CREATE_TYPE, {"input": {"name": "Access"}}, token=contact.token)
    updated = await gql.raw(
        UPDATE_TYPE,
        {"input": {"id": gid("AccountRequestType", existing.id), "name": "Renamed"}},
        token=contact.token,
    )

    # then
    assert_forbidden(created)
    assert_forbidden(updated)
    assert [t.name for t in await AccountRequestType.all()] == ["Billing"]


async def test_anonymous_cannot_create_or_update_types(gql: GraphQLClient) -> None:
    # given
    existing = await AccountRequestType.create(name="Billing")

    # when
    created = await gql.raw(CREATE_TYPE, {"input": {"name": "Access"}})
    updated = await gql.raw(
        UPDATE_TYPE, {"input": {"id": gid("AccountRequestType", existing.id), "name": "Renamed"}}
    )

    # then
    assert_unauthenticated(created)
    assert_unauthenticated(updated)
    assert [t.name for t in await AccountRequestType.all()] == ["Billing"]
