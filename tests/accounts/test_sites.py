"""createSite and updateSite."""

from __future__ import annotations

from typing import Any

import pytest

from models.permissions import Role
from tests.client import (
    GraphQLClient,
    assert_forbidden,
    assert_unauthenticated,
    error_pairs,
    node_names,
)
from tests.factories import make_account, make_site, make_user, portal_contact, staff
from tests.ids import gid

CREATE_SITE = """
mutation CreateSite($input: CreateSiteInput!) {
  createSite(input: $input) {
    site { id name street city region postalCode country isActive account { name } }
    userErrors { code field message }
  }
}
"""

UPDATE_SITE = """
mutation UpdateSite($input: UpdateSiteInput!) {
  updateSite(input: $input) {
    site { id name street city country isActive }
    userErrors { code field message }
  }
}
"""

SITES_OF = """
query SitesOf($id: ID!) {
  node(id: $id) { ... on Account { sites { totalCount nodes { name street country isActive } } } }
}
"""


async def _sites(gql: GraphQLClient, token: str, account_id: int) -> dict[str, Any]:
    data = await gql(SITES_OF, {"id": gid("Account", account_id)}, token=token)
    sites: dict[str, Any] = data["node"]["sites"]
    return sites


def _new_site(account_id: int, **changes: Any) -> dict[str, Any]:
    return {"input": {"accountId": gid("Account", account_id), "name": "Main plant", **changes}}


# --- createSite ----------------------------------------------------------------------


async def test_create_site_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")

    # when
    body = await gql.raw(CREATE_SITE, _new_site(acme.id))

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_create_site_wrong_role_is_forbidden(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    body = await gql.raw(CREATE_SITE, _new_site(acme.id), token=viewer.token)

    # then
    assert_forbidden(body)
    assert (await _sites(gql, admin.token, acme.id))["totalCount"] == 0


async def test_portal_contact_cannot_create_sites(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    contact = await portal_contact(acme)

    # when
    body = await gql.raw(CREATE_SITE, _new_site(acme.id), token=contact.token)

    # then
    assert_forbidden(body)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
async def test_create_site(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme")

    # when
    data = await gql(
        CREATE_SITE,
        _new_site(
            acme.id,
            name=" Main plant ",
            street="1 Main St",
            city="Springfield",
            region="IL",
            postalCode="62701",
            country="us",
        ),
        token=viewer.token,
    )

    # then
    payload = data["createSite"]
    assert payload["userErrors"] == []
    assert {k: v for k, v in payload["site"].items() if k != "id"} == {
        "name": "Main plant",
        "street": "1 Main St",
        "city": "Springfield",
        "region": "IL",
        "postalCode": "62701",
        "country": "US",
        "isActive": True,
        "account": {"name": "Acme"},
    }
    assert node_names(await _sites(gql, viewer.token, acme.id)) == ["Main plant"]


async def test_account_manager_adds_a_site_to_an_own_account(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account("Acme", manager=manager.row)  # type: ignore[arg-type]

    # when
    data = await gql(CREATE_SITE, _new_site(acme.id), token=manager.token)

    # then
    assert data["createSite"]["userErrors"] == []
    assert node_names(await _sites(gql, manager.token, acme.id)) == ["Main plant"]


async def test_account_manager_gets_not_found_for_another_account(gql: GraphQLClient) -> None:
    # given: another manager's account reads exactly like one that does not exist
    manager = await staff(Role.ACCOUNT_MANAGER)
    admin = await staff(Role.ADMIN)
    bolt = await make_account("Bolt", manager=await make_user(Role.ACCOUNT_MANAGER))

    # when
    theirs = await gql(CREATE_SITE, _new_site(bolt.id), token=manager.token)
    missing = await gql(CREATE_SITE, _new_site(999_999), token=manager.token)

    # then
    assert theirs == missing
    assert error_pairs(theirs["createSite"]) == [("NOT_FOUND", ["input", "accountId"])]
    assert (await _sites(gql, admin.token, bolt.id))["totalCount"] == 0


async def test_seeing_an_account_is_not_editing_it(gql: GraphQLClient) -> None:
    # given: a technician who also manages accounts sees every account
    viewer = await staff(Role.TECHNICIAN, Role.ACCOUNT_MANAGER)
    bolt = await make_account("Bolt")

    # when
    data = await gql(CREATE_SITE, _new_site(bolt.id), token=viewer.token)

    # then
    assert error_pairs(data["createSite"]) == [("FORBIDDEN", ["input", "accountId"])]
    assert (await _sites(gql, viewer.token, bolt.id))["totalCount"] == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, [("REQUIRED", ["input", "name"])]),
        ({"country": "USA"}, [("INVALID", ["input", "country"])]),
        ({"country": "1A"}, [("INVALID", ["input", "country"])]),
        ({"postalCode": "9" * 21}, [("TOO_LONG", ["input", "postalCode"])]),
    ],
)
async def test_create_site_refuses_bad_input_and_writes_nothing(
    gql: GraphQLClient, changes: dict[str, Any], expected: list[tuple[str, list[str]]]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")

    # when
    data = await gql(CREATE_SITE, _new_site(acme.id, **changes), token=admin.token)

    # then
    assert data["createSite"]["site"] is None
    assert error_pairs(data["createSite"]) == expected
    assert (await _sites(gql, admin.token, acme.id))["totalCount"] == 0


# --- updateSite ----------------------------------------------------------------------


async def test_update_site_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    site = await make_site(await make_account("Acme"))

    # when
    body = await gql.raw(UPDATE_SITE, {"input": {"id": gid("Site", site.id), "name": "X"}})

    # then
    assert_unauthenticated(body)


async def test_update_site_wrong_role_is_forbidden(gql: GraphQLClient) -> None:
    # given
    tech = await staff(Role.TECHNICIAN)
    acme = await make_account("Acme")
    site = await make_site(acme, "Main plant")

    # when
    body = await gql.raw(
        UPDATE_SITE, {"input": {"id": gid("Site", site.id), "name": "X"}}, token=tech.token
    )

    # then
    assert_forbidden(body)
    assert node_names(await _sites(gql, tech.token, acme.id)) == ["Main plant"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.ACCOUNT_MANAGER])
async def test_update_site(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    acme = await make_account("Acme", manager=viewer.row)  # type: ignore[arg-type]
    site = await make_site(acme, "Main plant")

    # when
    data = await gql(
        UPDATE_SITE,
        {
            "input": {
                "id": gid("Site", site.id),
                "name": "Old plant",
                "country": "de",
                "isActive": False,
            }
        },
        token=viewer.token,
    )

    # then
    assert data["updateSite"]["userErrors"] == []
    assert data["updateSite"]["site"] == {
        "id": gid("Site", site.id),
        "name": "Old plant",
        "street": site.street,
        "city": "Springfield",
        "country": "DE",
        "isActive": False,
    }
    assert (await _sites(gql, viewer.token, acme.id))["nodes"] == [
        {"name": "Old plant", "street": site.street, "country": "DE", "isActive": False}
    ]


async def test_update_site_of_another_account_reads_like_a_missing_site(
    gql: GraphQLClient,
) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    admin = await staff(Role.ADMIN)
    bolt = await make_account("Bolt")
    site = await make_site(bolt, "Depot")

    # when
    theirs = await gql(
        UPDATE_SITE, {"input": {"id": gid("Site", site.id), "name": "X"}}, token=manager.token
    )
    missing = await gql(
        UPDATE_SITE, {"input": {"id": gid("Site", 999_999), "name": "X"}}, token=manager.token
    )

    # then
    assert theirs == missing
    assert error_pairs(theirs["updateSite"]) == [("NOT_FOUND", ["input", "id"])]
    assert node_names(await _sites(gql, admin.token, bolt.id)) == ["Depot"]


async def test_update_site_visible_but_not_editable_is_forbidden(gql: GraphQLClient) -> None:
    # given
    viewer = await staff(Role.TECHNICIAN, Role.ACCOUNT_MANAGER)
    site = await make_site(await make_account("Bolt"), "Depot")

    # when
    data = await gql(
        UPDATE_SITE, {"input": {"id": gid("Site", site.id), "name": "X"}}, token=viewer.token
    )

    # then
    assert error_pairs(data["updateSite"]) == [("FORBIDDEN", ["input", "id"])]


async def test_update_site_refuses_blank_name_and_writes_nothing(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    site = await make_site(acme, "Main plant")

    # when
    data = await gql(
        UPDATE_SITE,
        {"input": {"id": gid("Site", site.id), "name": " ", "city": "Shelbyville"}},
        token=admin.token,
    )

    # then
    assert error_pairs(data["updateSite"]) == [("REQUIRED", ["input", "name"])]
    assert node_names(await _sites(gql, admin.token, acme.id)) == ["Main plant"]
