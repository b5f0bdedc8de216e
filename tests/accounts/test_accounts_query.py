"""The `accounts` list: who sees what, filters, ordering and paging."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_unauthenticated, error_codes, node_names
from tests.factories import make_account, make_user, portal_contact, staff
from tests.ids import gid

ACCOUNTS = """
query Accounts(
  $filter: AccountFilter, $orderBy: AccountOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  accounts(
    filter: $filter, orderBy: $orderBy,
    first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id name number isActive }
  }
}
"""


async def test_anonymous_is_unauthenticated(gql: GraphQLClient) -> None:
    # given
    await make_account("Acme")

    # when
    body = await gql.raw(ACCOUNTS)

    # then
    assert_unauthenticated(body)
    assert body["data"] is None


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.PROJECT_MANAGER, Role.ACCOUNTING]
)
async def test_staff_with_view_all_see_every_account(gql: GraphQLClient, role: Role) -> None:
    # given
    manager = await make_user(Role.ACCOUNT_MANAGER)
    await make_account("Acme", manager=manager)
    await make_account("Bolt")
    viewer = await staff(role)

    # when
    data = await gql(ACCOUNTS, token=viewer.token)

    # then
    assert node_names(data["accounts"]) == ["Acme", "Bolt"]
    assert data["accounts"]["totalCount"] == 2


async def test_account_manager_sees_only_own_accounts(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    other = await make_user(Role.ACCOUNT_MANAGER)
    await make_account("Acme", manager=manager.row)  # type: ignore[arg-type]
    await make_account("Cobalt", manager=manager.row)  # type: ignore[arg-type]
    await make_account("Bolt", manager=other)
    await make_account("Dune")

    # when
    data = await gql(ACCOUNTS, token=manager.token)

    # then
    assert node_names(data["accounts"]) == ["Acme", "Cobalt"]
    assert data["accounts"]["totalCount"] == 2


async def test_account_manager_cannot_widen_the_list_with_filters(gql: GraphQLClient) -> None:
    # given
    manager = await staff(Role.ACCOUNT_MANAGER)
    other = await make_user(Role.ACCOUNT_MANAGER)
    await make_account("Bolt", manager=other)

    # when
    data = await gql(
        ACCOUNTS, {"filter": {"managerIds": [gid("User", other.id)]}}, token=manager.token
    )

    # then
    assert data["accounts"]["nodes"] == []
    assert data["accounts"]["totalCount"] == 0


async def test_staff_without_roles_see_no_accounts(gql: GraphQLClient) -> None:
    # given
    await make_account("Acme")
    nobody = await staff()

    # when
    data = await gql(ACCOUNTS, token=nobody.token)

    # then
    assert data["accounts"]["nodes"] == []
    assert data["accounts"]["totalCount"] == 0


async def test_portal_contact_sees_only_its_own_account(gql: GraphQLClient) -> None:
    # given
    acme = await make_account("Acme")
    await make_account("Bolt")
    await make_account("Acme Child", parent=acme)
    contact = await portal_contact(acme)

    # when
    data = await gql(ACCOUNTS, token=contact.token)

    # then
    assert node_names(data["accounts"]) == ["Acme"]
    assert data["accounts"]["totalCount"] == 1


# --- filters -------------------------------------------------------------------


async def _filtered(gql: GraphQLClient, token: str, spec: dict[str, object]) -> list[str]:
    data = await gql(ACCOUNTS, {"filter": spec}, token=token)
    return node_names(data["accounts"])


async def test_search_matches_name_or_number_in_any_case(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme Tools")
    await make_account("Bolt Works")
    await make_account("Cobalt ACME Ltd")

    # when
    by_name = await _filtered(gql, admin.token, {"search": "  acme "})
    by_number = await _filtered(gql, admin.token, {"search": acme.number.lower()})

    # then
    assert by_name == ["Acme Tools", "Cobalt ACME Ltd"]
    assert by_number == ["Acme Tools"]


async def test_search_treats_wildcards_literally(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await make_account("Fifty_Fifty")
    await make_account("Fifty Fifty")
    await make_account("100% Clean")

    # when
    underscore = await _filtered(gql, admin.token, {"search": "y_F"})
    percent = await _filtered(gql, admin.token, {"search": "%"})

    # then
    assert underscore == ["Fifty_Fifty"]
    assert percent == ["100% Clean"]


async def test_filter_by_active_flag(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await make_account("Acme")
    await make_account("Bolt", active=False)

    # when
    active = await _filtered(gql, admin.token, {"isActive": True})
    inactive = await _filtered(gql, admin.token, {"isActive": False})

    # then
    assert active == ["Acme"]
    assert inactive == ["Bolt"]


async def test_filter_by_manager(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ann = await make_user(Role.ACCOUNT_MANAGER)
    bob = await make_user(Role.ACCOUNT_MANAGER)
    await make_account("Acme", manager=ann)
    await make_account("Bolt", manager=bob)
    await make_account("Cobalt")

    # when
    of_ann = await _filtered(gql, admin.token, {"managerIds": [gid("User", ann.id)]})
    of_both = await _filtered(
        gql, admin.token, {"managerIds": [gid("User", ann.id), gid("User", bob.id)]}
    )
    # an ID of another type matches nobody rather than being ignored
    of_wrong_type = await _filtered(gql, admin.token, {"managerIds": [gid("Account", ann.id)]})
    without = await _filtered(gql, admin.token, {"withoutManager": True})
    with_one = await _filtered(gql, admin.token, {"withoutManager": False})

    # then
    assert of_ann == ["Acme"]
    assert of_both == ["Acme", "Bolt"]
    assert of_wrong_type == []
    assert without == ["Cobalt"]
    assert with_one == ["Acme", "Bolt"]


async def test_filter_by_parent_and_top_level(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    acme = await make_account("Acme")
    bolt = await make_account("Bolt")
    acme_east = await make_account("Acme East", parent=acme)
    await make_account("Acme East Depot", parent=acme_east)
    await make_account("Bolt North", parent=bolt)

    # when
    under_acme = await _filtered(gql, admin.token, {"parentIds": [gid("Account", acme.id)]})
    under_both = await _filtered(
        gql, admin.token, {"parentIds": [gid("Account", acme.id), gid("Account", bolt.id)]}
    )
    top_level = await _filtered(gql, admin.token, {"topLevelOnly": True})
    combined = await _filtered(gql, admin.token, {"topLevelOnly": True, "search": "acme"})

    # then
    assert under_acme == ["Acme East"]
    assert under_both == ["Acme East", "Bolt North"]
    assert top_level == ["Acme", "Bolt"]
    assert combined == ["Acme"]


async def test_malformed_id_in_a_filter_is_a_client_error(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    body = await gql.raw(ACCOUNTS, {"filter": {"managerIds": ["not-an-id"]}}, token=admin.token)

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


# --- ordering --------------------------------------------------------------------


async def test_order_by_name_number_and_created_at(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    first = await make_account("Cobalt")
    second = await make_account("Acme")
    third = await make_account("Bolt")
    await first.filter(id=first.id).update(number="N-3")
    await second.filter(id=second.id).update(number="N-1")
    await third.filter(id=third.id).update(number="N-2")

    # when
    default = node_names((await gql(ACCOUNTS, token=admin.token))["accounts"])
    by_name_desc = node_names(
        (
            await gql(
                ACCOUNTS, {"orderBy": {"field": "NAME", "direction": "DESC"}}, token=admin.token
            )
        )["accounts"]
    )
    by_number = (await gql(ACCOUNTS, {"orderBy": {"field": "NUMBER"}}, token=admin.token))[
        "accounts"
    ]["nodes"]
    newest_first = node_names(
        (
            await gql(
                ACCOUNTS,
                {"orderBy": {"field": "CREATED_AT", "direction": "DESC"}},
                token=admin.token,
            )
        )["accounts"]
    )

    # then
    assert default == ["Acme", "Bolt", "Cobalt"]
    assert by_name_desc == ["Cobalt", "Bolt", "Acme"]
    assert [node["number"] for node in by_number] == ["N-1", "N-2", "N-3"]
    assert newest_first == ["Bolt", "Acme", "Cobalt"]


# --- paging ------------------------------------------------------------------------


async def _five_accounts() -> list[str]:
    wanted = ["Acme", "Bolt", "Cobalt", "Dune", "Ember"]
    for name in reversed(wanted):
        await make_account(name)
    return wanted


async def test_forward_paging_with_first_and_after(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    wanted = await _five_accounts()

    # when
    page1 = (await gql(ACCOUNTS, {"first": 2}, token=admin.token))["accounts"]
    after1 = page1["pageInfo"]["endCursor"]
    page2 = (await gql(ACCOUNTS, {"first": 2, "after": after1}, token=admin.token))["accounts"]
    after2 = page2["pageInfo"]["endCursor"]
    page3 = (await gql(ACCOUNTS, {"first": 2, "after": after2}, token=admin.token))["accounts"]

    # then
    assert node_names(page1) == wanted[0:2]
    assert node_names(page2) == wanted[2:4]
    assert node_names(page3) == wanted[4:5]
    assert [p["pageInfo"]["hasNextPage"] for p in (page1, page2, page3)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (page1, page2, page3)] == [
        False,
        True,
        True,
    ]
    assert {p["totalCount"] for p in (page1, page2, page3)} == {5}
    assert page1["edges"][0]["cursor"] == page1["pageInfo"]["startCursor"]
    assert [edge["node"]["id"] for edge in page1["edges"]] == [n["id"] for n in page1["nodes"]]


async def test_backward_paging_with_last_and_before(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    wanted = await _five_accounts()

    # when
    page1 = (await gql(ACCOUNTS, {"last": 2}, token=admin.token))["accounts"]
    before1 = page1["pageInfo"]["startCursor"]
    page2 = (await gql(ACCOUNTS, {"last": 2, "before": before1}, token=admin.token))["accounts"]
    before2 = page2["pageInfo"]["startCursor"]
    page3 = (await gql(ACCOUNTS, {"last": 2, "before": before2}, token=admin.token))["accounts"]

    # then
    assert node_names(page1) == wanted[3:5]
    assert node_names(page2) == wanted[1:3]
    assert node_names(page3) == wanted[0:1]
    assert page1["pageInfo"]["hasNextPage"] is False
    assert [p["pageInfo"]["hasPreviousPage"] for p in (page1, page2, page3)] == [
        True,
        True,
        False,
    ]
    assert {p["totalCount"] for p in (page1, page2, page3)} == {5}


async def test_default_page_size_is_twenty(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    for n in range(21):
        await make_account(f"Account {n:02d}")

    # when
    page = (await gql(ACCOUNTS, token=admin.token))["accounts"]

    # then
    assert len(page["nodes"]) == 20
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["totalCount"] == 21


@pytest.mark.parametrize(
    "arguments",
    [
        {"first": 101},
        {"last": 101},
        {"first": -1},
        {"first": 2, "last": 2},
        {"after": "not-a-cursor"},
        {"before": "not-a-cursor"},
    ],
)
async def test_bad_paging_arguments_are_refused(
    gql: GraphQLClient, arguments: dict[str, object]
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await make_account("Acme")

    # when
    body = await gql.raw(ACCOUNTS, arguments, token=admin.token)

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


async def test_first_hundred_is_allowed(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await make_account("Acme")

    # when
    data = await gql(ACCOUNTS, {"first": 100}, token=admin.token)

    # then
    assert node_names(data["accounts"]) == ["Acme"]
