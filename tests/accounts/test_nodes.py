"""`node(id:)` and `nodes(ids:)` for accounts, sites and contacts."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_unauthenticated, error_codes
from tests.factories import make_account, make_contact, make_site, make_user, portal_contact, staff
from tests.ids import gid

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Account { name }
    ... on Site { name account { name } }
    ... on Contact { name account { name } }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on Account { name }
    ... on Site { name }
    ... on Contact { name }
  }
}
"""

ACCOUNT_DETAIL = """
query Node($id: ID!) {
  node(id: $id) {
    ... on Account {
      name
      parent { name }
      subAccounts { totalCount nodes { name } }
      sites { totalCount nodes { name account { name } } }
      contacts { totalCount nodes { name } }
    }
  }
}
"""

MISSING = 999_999


async def test_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")

    # when
    body = await gql.raw(NODE, {"id": gid("Account", acme.id)})

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECHNICIAN, Role.ACCOUNTING])
async def test_staff_who_see_all_fetch_any_account_site_and_contact(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    acme = await make_account("Acme")
    site = await make_site(acme, "Main plant")
    contact = await make_contact(acme, name="Carol")
    viewer = await staff(role)

    # when
    data = await gql(
        NODES,
        {"ids": [gid("Account", acme.id), gid("Site", site.id), gid("Contact", contact.id)]},
        token=viewer.token,
    )

    # then
    assert data["nodes"] == [
        {"__typename": "Account", "id": gid("Account", acme.id), "name": "Acme"},
        {"__typename": "Site", "id": gid("Site", site.id), "name": "Main plant"},
        {"__typename": "Contact", "id": gid("Contact", contact.id), "name": "Carol"},
    ]


async def test_portal_contact_sees_its_own_account_site_and_contact(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    site = await make_site(acme, "Main plant")
    colleague = await make_contact(acme, name="Carol")
    contact = await portal_contact(acme)

    # when
    account = await gql(NODE, {"id": gid("Account", acme.id)}, token=contact.token)
    place = await gql(NODE, {"id": gid("Site", site.id)}, token=contact.token)
    person = await gql(NODE, {"id": gid("Contact", colleague.id)}, token=contact.token)

    # then
    assert account["node"]["name"] == "Acme"
    assert place["node"] == {
        "__typename": "Site",
        "id": gid("Site", site.id),
        "name": "Main plant",
        "account": {"name": "Acme"},
    }
    assert person["node"]["name"] == "Carol"


@pytest.mark.parametrize("type_name", ["Account", "Site", "Contact"])
async def test_portal_contact_gets_null_for_another_account_like_a_missing_id(
    gql: GraphQLClient, type_name: str
) -> None:
    # given
    acme = await make_account("Acme")
    other = await make_account("Bolt")
    rows = {
        "Account": other,
        "Site": await make_site(other),
        "Contact": await make_contact(other),
    }
    contact = await portal_contact(acme)

    # when
    hidden = await gql.raw(NODE, {"id": gid(type_name, rows[type_name].id)}, token=contact.token)
    missing = await gql.raw(NODE, {"id": gid(type_name, MISSING)}, token=contact.token)

    # then
    assert hidden == {"data": {"node": None}}
    assert missing == {"data": {"node": None}}


async def test_account_manager_sees_own_and_nothing_else(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    mine = await make_account("Acme", manager=manager.row)  # type: ignore[arg-type]
    theirs = await make_account("Bolt", manager=await make_user(Role.ACCOUNT_MANAGER))
    my_site, their_site = await make_site(mine), await make_site(theirs)
    my_contact, their_contact = await make_contact(mine), await make_contact(theirs)

    # when
    data = await gql(
        NODES,
        {
            "ids": [
                gid("Account", mine.id),
                gid("Account", theirs.id),
                gid("Site", my_site.id),
                gid("Site", their_site.id),
                gid("Contact", my_contact.id),
                gid("Contact", their_contact.id),
                gid("Account", MISSING),
            ]
        },
        token=manager.token,
    )

    # then
    assert [node and node["id"] for node in data["nodes"]] == [
        gid("Account", mine.id),
        None,
        gid("Site", my_site.id),
        None,
        gid("Contact", my_contact.id),
        None,
        None,
    ]


async def test_nested_lists_keep_to_what_the_viewer_may_see(gql: GraphQLClient) -> None:
    # given: the manager looks after Acme (so its sub-accounts too) and Globex's
    # sub-account, but not Globex itself
    manager = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account("Acme", manager=manager.row)  # type: ignore[arg-type]
    await make_account("Acme East", parent=acme)
    await make_account("Acme West", parent=acme)
    await make_site(acme, "Main plant")
    await make_contact(acme, name="Carol")
    globex = await make_account("Globex")
    globex_sub = await make_account("Globex Sub", parent=globex, manager=manager.row)  # type: ignore[arg-type]
    await make_account("Globex Other", parent=globex)

    # when
    data = await gql(ACCOUNT_DETAIL, {"id": gid("Account", acme.id)}, token=manager.token)
    sub = await gql(ACCOUNT_DETAIL, {"id": gid("Account", globex_sub.id)}, token=manager.token)

    # then
    assert data["node"] == {
        "name": "Acme",
        "parent": None,
        "subAccounts": {"totalCount": 2, "nodes": [{"name": "Acme East"}, {"name": "Acme West"}]},
        "sites": {"totalCount": 1, "nodes": [{"name": "Main plant", "account": {"name": "Acme"}}]},
        "contacts": {"totalCount": 1, "nodes": [{"name": "Carol"}]},
    }
    assert sub["node"]["name"] == "Globex Sub"
    assert sub["node"]["parent"] is None  # Globex is not theirs


async def test_an_id_of_another_type_answers_null(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    data = await gql(
        NODES, {"ids": [gid("Site", acme.id), gid("Nope", acme.id)]}, token=admin.token
    )

    # then
    assert data["nodes"] == [None, None]


@pytest.mark.parametrize("bad_id", ["not-an-id", "QWNjb3VudDp4", ""])
async def test_malformed_id_is_a_client_error(gql: GraphQLClient, bad_id: str) -> None:
    # given: "QWNjb3VudDp4" is "Account:x"
    admin = await staff(Role.ADMIN)

    # when
    single = await gql.raw(NODE, {"id": bad_id}, token=admin.token)
    several = await gql.raw(NODES, {"ids": [bad_id]}, token=admin.token)

    # then
    assert error_codes(single) == ["BAD_USER_INPUT"]
    assert error_codes(several) == ["BAD_USER_INPUT"]


async def test_out_of_range_key_answers_null(gql: GraphQLClient) -> None:
    # given: a well-formed ID whose key no integer column can hold
    admin = await staff(Role.ADMIN)

    # when
    body = await gql.raw(NODE, {"id": gid("Account", 2**63)}, token=admin.token)

    # then
    assert body == {"data": {"node": None}}


PORTAL_VIEW = """
query Node($id: ID!) {
  node(id: $id) {
    ... on Account { name manager { name } subAccounts { totalCount } parent { name } }
  }
}
"""


async def test_portal_contact_learns_nothing_beyond_its_account(gql: GraphQLClient) -> None:
    # given: a managed sub-account under another customer's parent
    parent = await make_account("Holding")
    acme = await make_account(
        "Acme", parent=parent, manager=await make_user(Role.ACCOUNT_MANAGER, name="Ann")
    )
    await make_account("Acme Branch", parent=acme)
    contact = await portal_contact(acme)

    # when
    data = await gql(PORTAL_VIEW, {"id": gid("Account", acme.id)}, token=contact.token)

    # then: no staff, no sibling or parent accounts
    assert data["node"] == {
        "name": "Acme",
        "manager": None,
        "subAccounts": {"totalCount": 0},
        "parent": None,
    }
