"""The account request list and counts: each filter, the home list, who sees which requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from models.account_requests import (
    AccountRequest,
    RequestSource,
    RequestStatus,
)
from models.accounts import Account
from models.permissions import Role
from tests.account_requests.operations import COUNTS, LIST, _counts, _numbers
from tests.account_requests.rows import S, day, make_request, make_type
from tests.client import GraphQLClient, assert_unauthenticated
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid


def iso(n: int) -> str:
    return day(n).isoformat()


# --- filters --------------------------------------------------------------------------


@dataclass
class World:
    dana: Person
    tia: Person
    theo: Person
    accounts: dict[str, Account]
    types: dict[str, int]
    rows: dict[str, AccountRequest]

    def numbers(self, *labels: str) -> list[int]:
        return sorted(self.rows[label].id for label in labels)

    def ids(self, labels: str) -> dict[str, str]:
        return {label: gid("Account", self.accounts[label].id) for label in labels.split()}


async def _world() -> World:
    dana = await staff(Role.DISPATCHER)
    tia = await staff(Role.TECHNICIAN)
    theo = await staff(Role.TECHNICIAN)
    acme = await make_account("Acme")
    east = await make_account("Acme East", parent=acme)
    depot = await make_account("Acme East Depot", parent=east)
    beta = await make_account("Beta")
    gamma = await make_account("Gamma")
    t1, t2 = await make_type("First"), await make_type("Second")
    tia_row, theo_row = tia.user, theo.user
    specs: dict[str, tuple[Any, ...]] = {
        # label: account, type, status, assignee, source, created day, updated day, note
        "r1": (acme, t1, S.OPEN, tia_row, RequestSource.STAFF, 1, 1, "Printer jammed"),
        "r2": (east, t2, S.IN_PROGRESS, theo_row, RequestSource.PORTAL, 2, 5, "Invoice query"),
        "r3": (
            depot,
            t1,
            S.WAITING_ON_CUSTOMER,
            None,
            RequestSource.ACCOUNT_MANAGER,
            3,
            3,
            "Ladder",
        ),
        "r4": (beta, t2, S.COMPLETED, tia_row, RequestSource.STAFF, 4, 9, "PRINTER toner"),
        "r5": (beta, t1, S.CANCELLED, None, RequestSource.PORTAL, 5, 6, "duplicate"),
        "r6": (gamma, t2, S.OPEN, theo_row, RequestSource.STAFF, 6, 7, "100% urgent"),
        "r7": (gamma, t1, S.OPEN, None, RequestSource.STAFF, 6, 7, "call back"),
    }
    rows = {}
    for label, (account, kind, status, assignee, source, made, changed, note) in specs.items():
        rows[label] = await make_request(
            account,
            kind,
            status=status,
            assignee=assignee,
            source=source,
            note=note,
            created_at=day(made),
            updated_at=day(changed),
        )
    names = {"acme": acme, "east": east, "depot": depot, "beta": beta, "gamma": gamma}
    return World(dana, tia, theo, names, {"t1": t1.id, "t2": t2.id}, rows)


FILTERS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("no filter", lambda w: {}, ("r1", "r2", "r3", "r4", "r5", "r6", "r7")),
    ("one status", lambda w: {"statuses": ["OPEN"]}, ("r1", "r6", "r7")),
    ("closed", lambda w: {"statuses": ["COMPLETED", "CANCELLED"]}, ("r4", "r5")),
    ("no status", lambda w: {"statuses": []}, ()),
    ("type", lambda w: {"typeIds": [gid("AccountRequestType", w.types["t2"])]}, ("r2", "r4", "r6")),
    ("assignee", lambda w: {"assigneeIds": [gid("User", w.tia.id)]}, ("r1", "r4")),
    (
        "assignees",
        lambda w: {"assigneeIds": [gid("User", w.tia.id), gid("User", w.theo.id)]},
        ("r1", "r2", "r4", "r6"),
    ),
    ("account", lambda w: {"accountIds": [w.ids("acme")["acme"]]}, ("r1",)),
    (
        "account and subs",
        lambda w: {"accountIds": [w.ids("acme")["acme"]], "includeSubAccounts": True},
        ("r1", "r2", "r3"),
    ),
    (
        "middle account and subs",
        lambda w: {"accountIds": [w.ids("east")["east"]], "includeSubAccounts": True},
        ("r2", "r3"),
    ),
    (
        "accounts with and without subs",
        lambda w: {"accountIds": list(w.ids("east beta").values()), "includeSubAccounts": True},
        ("r2", "r3", "r4", "r5"),
    ),
    ("an ID of another type", lambda w: {"accountIds": [gid("User", w.tia.id)]}, ()),
    ("source", lambda w: {"sources": ["PORTAL"]}, ("r2", "r5")),
    ("manager source", lambda w: {"sources": ["ACCOUNT_MANAGER"]}, ("r3",)),
    ("unassigned", lambda w: {"unassigned": True}, ("r3", "r5", "r7")),
    ("assigned", lambda w: {"unassigned": False}, ("r1", "r2", "r4", "r6")),
    ("created after", lambda w: {"createdAfter": iso(4)}, ("r4", "r5", "r6", "r7")),
    ("created before", lambda w: {"createdBefore": iso(4)}, ("r1", "r2", "r3")),
    (
        "created between",
        lambda w: {"createdAfter": iso(2), "createdBefore": iso(5)},
        ("r2", "r3", "r4"),
    ),
    ("updated after", lambda w: {"updatedAfter": iso(6)}, ("r4", "r5", "r6", "r7")),
    ("updated before", lambda w: {"updatedBefore": iso(5)}, ("r1", "r3")),
    ("updated between", lambda w: {"updatedAfter": iso(5), "updatedBefore": iso(7)}, ("r2", "r5")),
    ("search note, any case", lambda w: {"search": "printer"}, ("r1", "r4")),
    ("search account name", lambda w: {"search": "acme east"}, ("r2", "r3")),
    ("search both", lambda w: {"search": "a"}, ("r1", "r2", "r3", "r4", "r5", "r6", "r7")),
    ("search wildcard is literal", lambda w: {"search": "100%"}, ("r6",)),
    ("search underscore is literal", lambda w: {"search": "_"}, ()),
    ("search trims", lambda w: {"search": "  ladder "}, ("r3",)),
    ("all conditions hold", lambda w: {"statuses": ["OPEN"], "search": "gamma"}, ("r6", "r7")),
    (
        "all conditions hold 2",
        lambda w: {
            "statuses": ["OPEN"],
            "unassigned": False,
            "typeIds": [gid("AccountRequestType", w.types["t1"])],
        },
        ("r1",),
    ),
]


@pytest.mark.parametrize(("name", "build", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
async def test_each_filter_in_list_and_counts(
    gql: GraphQLClient, name: str, build: Any, expected: tuple[str, ...]
) -> None:
    # given
    world = await _world()
    filter = build(world)
    # when
    numbers = await _numbers(gql, world.dana.token, filter)
    counts = await _counts(gql, world.dana.token, filter)
    # then
    assert sorted(numbers) == world.numbers(*expected)
    by_status: dict[str, int] = {s.value: 0 for s in RequestStatus}
    for label in expected:
        by_status[world.rows[label].status.value] += 1
    assert counts == by_status


async def test_assigned_to_me_is_the_home_list(gql: GraphQLClient) -> None:
    world = await _world()
    mine = {"assignedToMe": True}
    assert sorted(await _numbers(gql, world.tia.token, mine)) == world.numbers("r1", "r4")
    assert sum((await _counts(gql, world.tia.token, mine)).values()) == 2
    assert await _numbers(gql, world.dana.token, mine) == []


async def test_a_portal_contact_asking_for_its_home_list_gets_nothing(gql: GraphQLClient) -> None:
    world = await _world()
    contact = await portal_contact(world.accounts["acme"])
    assert await _numbers(gql, contact.token, {"assignedToMe": True}) == []


async def test_an_account_manager_lists_their_accounts_and_sub_accounts(
    gql: GraphQLClient,
) -> None:
    # given Maya manages Acme (with its sub-accounts) and nothing else
    world = await _world()
    maya = await staff(Role.ACCOUNT_MANAGER)
    await Account.filter(id=world.accounts["acme"].id).update(manager_id=maya.id)
    # when / then
    assert sorted(await _numbers(gql, maya.token)) == world.numbers("r1", "r2", "r3")
    assert sum((await _counts(gql, maya.token)).values()) == 3
    beta = {"accountIds": [gid("Account", world.accounts["beta"].id)]}
    assert await _numbers(gql, maya.token, beta) == []
    assert sum((await _counts(gql, maya.token, beta)).values()) == 0


async def test_lists_need_a_sign_in(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(LIST, {"first": 5}))
    assert_unauthenticated(await gql.raw(COUNTS))
