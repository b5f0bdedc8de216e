"""`nodes(ids:)` in one statement (fastpath/json_nodes.py): on PostgreSQL, objects of
many types by global ID, each written by the database from the rows its type's load
reads for the viewer (the whole table, or the load's visibility query).

The suite's execution check compares every answer with standard execution's; these
tests make sure the lane is really taken where it may be (one statement, no loader's),
that the viewer's visibility holds inside it, and that where a type's load does more
than read its rows the request goes the usual way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from models import linked_items as li
from models.auth import AuthToken
from models.clock import now
from models.credit_accounts import CreditAccountRequest
from models.directory.users import Team
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, make_user, portal_contact, staff
from tests.fastpath.lane import read_three_times, reading
from tests.ids import gid

NODES = """query NodesBatch($ids: [ID!]!) {
  nodes(ids: $ids) {
    ...NodeSummary
    __typename
  }
}

fragment NodeSummary on Node {
  __typename
  id
  ... on Account { name number isActive manager { ...UserChip __typename } __typename }
  ... on Site { name city account { id name __typename } __typename }
  ... on Contact { contactName: name portalAccess __typename }
  ... on User { ...UserChip __typename }
  ... on Team { name __typename }
  ... on AccountRequestType { name isActive __typename }
}

fragment UserChip on User { id name email __typename }"""

# For a portal contact: only what the lane may write for them (no colleagues).
OWN = """query OwnNodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Account { name }
    ... on Site { name city }
    ... on Contact { name }
  }
}"""

# Money: columns written as the Decimal scalar writes them, and a derived leaf.
MONEY = """query Money($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Invoice { number issuedOn total amountPaid amountDue invoiceStatus: status }
    ... on CreditAccountRequest { requestedLimit previousLimit creditStatus: status }
  }
}"""

MISSING = 2_000_000_000


def _lane(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if "array_to_json(ARRAY[" in sql]


async def _nodes(
    gql: GraphQLClient, counter: StatementCounter, document: str, ids: list[str], token: str
) -> list[Any]:
    """The nodes asked for, read until the fast path answers (see read_three_times)."""
    nodes: list[Any] = (await read_three_times(gql, counter, document, {"ids": ids}, token))[
        "nodes"
    ]
    return nodes


@pytest.mark.fast_paths
async def test_objects_of_many_types_are_one_statement_in_the_order_asked(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given objects of six types, one account with a manager and one without
    admin = await staff(Role.ADMIN)
    manager = await make_user(Role.ACCOUNT_MANAGER, name="Mia 'Manager'", email="mia@x.example")
    managed = await make_account('Managed "Acme" \u00e9\U0001f600', manager=manager)
    plain = await make_account("Plain", active=False)
    site = await make_site(managed, "Depot")
    contact = await make_contact(plain, portal=True, name="Carl")
    team = await Team.create(name="Night shift", leader_id=manager.id)
    kind = await AccountRequestType.create(name="Repair", is_active=False)
    ids = [
        gid("Site", site.id),
        gid("Account", managed.id),
        gid("Account", MISSING),  # no such row
        gid("Contact", contact.id),
        gid("User", manager.id),
        gid("Team", team.id),
        gid("Nothing", 1),  # no such type
        gid("AccountRequestType", kind.id),
        gid("Account", plain.id),
        gid("Account", managed.id),  # asked twice
    ]

    # when an admin reads them
    nodes = await _nodes(gql, count_statements, NODES, ids, admin.token)

    # then each is in its place, null where there is nothing
    mia = {"id": gid("User", manager.id), "name": "Mia 'Manager'", "email": "mia@x.example"}
    mia_chip = {**mia, "__typename": "User"}
    managed_answer = {
        "__typename": "Account",
        "id": gid("Account", managed.id),
        "name": 'Managed "Acme" \u00e9\U0001f600',
        "number": managed.number,
        "isActive": True,
        "manager": mia_chip,
    }
    assert nodes == [
        {
            "__typename": "Site",
            "id": gid("Site", site.id),
            "name": "Depot",
            "city": "Springfield",
            "account": {
                "id": gid("Account", managed.id),
                "name": managed.name,
                "__typename": "Account",
            },
        },
        managed_answer,
        None,
        {
            "__typename": "Contact",
            "id": gid("Contact", contact.id),
            "contactName": "Carl",
            "portalAccess": True,
        },
        {"__typename": "User", **mia},
        {"__typename": "Team", "id": gid("Team", team.id), "name": "Night shift"},
        None,
        {
            "__typename": "AccountRequestType",
            "id": gid("AccountRequestType", kind.id),
            "name": "Repair",
            "isActive": False,
        },
        {
            "__typename": "Account",
            "id": gid("Account", plain.id),
            "name": "Plain",
            "number": plain.number,
            "isActive": False,
            "manager": None,
        },
        managed_answer,
    ]
    # and on PostgreSQL that is one statement, no loader reading any of those tables
    if backends == "services":
        assert len(_lane(count_statements)) == 1
        tables = ("accounts", "sites", "contacts", "users", "teams", "account_request_types")
        assert reading(count_statements, *tables) == []
    else:
        assert _lane(count_statements) == []


@pytest.mark.fast_paths
async def test_a_portal_contact_sees_inside_the_statement_only_what_is_theirs(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given a customer's contact, their account and site, and another customer's
    own = await make_account("Own")
    other = await make_account("Other")
    own_site = await make_site(own, "Own depot")
    other_site = await make_site(other, "Other depot")
    other_contact = await make_contact(other, name="Stranger")
    person = await portal_contact(own)
    ids = [
        gid("Account", other.id),
        gid("Account", own.id),
        gid("Site", other_site.id),
        gid("Site", own_site.id),
        gid("Contact", other_contact.id),
    ]

    # when the contact asks for all of them
    nodes = await _nodes(gql, count_statements, OWN, ids, person.token)

    # then only their own are answered; the rest read as missing
    assert nodes == [
        None,
        {"__typename": "Account", "id": gid("Account", own.id), "name": "Own"},
        None,
        {
            "__typename": "Site",
            "id": gid("Site", own_site.id),
            "name": "Own depot",
            "city": "Springfield",
        },
        None,
    ]
    # and on PostgreSQL their visibility was applied inside the one statement
    if backends == "services":
        assert len(_lane(count_statements)) == 1
        assert reading(count_statements, "accounts", "sites", "contacts") == []


@pytest.mark.fast_paths
async def test_a_type_whose_load_does_more_than_read_its_rows_goes_the_usual_way(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given an account, and an outbox e-mail ID (its load checks a permission first)
    admin = await staff(Role.ADMIN)
    account = await make_account("Acme")
    ids = [gid("Account", account.id), gid("OutboxEmail", MISSING)]

    # when an admin reads both
    nodes = await _nodes(gql, count_statements, OWN, ids, admin.token)

    # then both are answered as always, and no statement of the lane was made
    assert nodes == [
        {"__typename": "Account", "id": gid("Account", account.id), "name": "Acme"},
        None,
    ]
    assert _lane(count_statements) == []


@pytest.mark.fast_paths
async def test_money_and_what_is_still_owed_are_written_as_the_decimal_scalar_writes_them(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given invoices open, partly paid, paid and void, and a credit request
    admin = await staff(Role.ADMIN)
    account = await make_account("Billed")

    async def invoice(number: str, total: str, paid: str, status: li.InvoiceStatus) -> Any:
        return await li.Invoice.create(
            account_id=account.id,
            number=number,
            issued_on=date(2026, 1, 31),
            due_on=date(2026, 2, 28),
            total=Decimal(total),
            amount_paid=Decimal(paid),
            status=status,
        )

    open_ = await invoice("INV-1", "1500", "0", li.InvoiceStatus.OPEN)
    partly = await invoice("INV-2", "99999999999.99", "0.01", li.InvoiceStatus.OPEN)
    paid = await invoice("INV-3", "0.10", "0.10", li.InvoiceStatus.PAID)
    void = await invoice("INV-4", "250.50", "100", li.InvoiceStatus.VOID)
    credit = await CreditAccountRequest.create(
        account_id=account.id, requested_limit=Decimal("12000.5")
    )
    ids = [gid("Invoice", row.id) for row in (open_, partly, paid, void)]
    ids.append(gid("CreditAccountRequest", credit.id))

    # when an admin reads them
    nodes = await _nodes(gql, count_statements, MONEY, ids, admin.token)

    # then amounts keep their two places, and what is owed is total minus paid (none if void)
    assert [(n["total"], n["amountPaid"], n["amountDue"]) for n in nodes[:4]] == [
        ("1500.00", "0.00", "1500.00"),
        ("99999999999.99", "0.01", "99999999999.98"),
        ("0.10", "0.10", "0.00"),
        ("250.50", "100.00", "0.00"),
    ]
    assert nodes[0]["issuedOn"] == "2026-01-31" and nodes[3]["invoiceStatus"] == "VOID"
    assert nodes[4] == {
        "__typename": "CreditAccountRequest",
        "id": ids[4],
        "requestedLimit": "12000.50",
        "previousLimit": None,
        "creditStatus": "PENDING",
    }
    # and on PostgreSQL that is one statement
    if backends == "services":
        assert len(_lane(count_statements)) == 1
        assert reading(count_statements, "invoices", "credit_account_requests") == []


@pytest.mark.fast_paths
async def test_a_token_revoked_elsewhere_is_refused_by_the_statement_that_carries_its_proof(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given an admin whose batch was read before (their viewer is remembered)
    admin = await staff(Role.ADMIN)
    account = await make_account("Proven")
    ids = [gid("Account", account.id)]
    await _nodes(gql, count_statements, OWN, ids, admin.token)
    # and on PostgreSQL the lane's one statement proves the token itself
    if backends == "services":
        assert len(count_statements.statements) == 1
        assert "proof_" in _lane(count_statements)[0]
    # when the token is revoked elsewhere
    await AuthToken.filter(user_id=admin.id).update(revoked_at=now())
    # then the next read is answered as for no token at all
    anonymous = await gql.raw(OWN, {"ids": ids})
    assert await gql.raw(OWN, {"ids": ids}, token=admin.token) == anonymous
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
