"""Related rows are read column by column where a list shows only columns of them.

The suite's execution check (tests/conftest.py) compares every one of these
answers with standard execution, which reads whole rows through the loaders.
These tests make sure the narrow read is really taken where it is safe, and
not where another load of the operation may want the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import strawberry

from fastpath import CHECKING, STATS, json_lane
from fastpath.batch import BatchLoader
from fastpath.narrow import Mirror, NarrowRows, mirrors_of, narrow_rows
from fastpath.rows import column_reader
from fastpath.statements import by_ids
from models.account_requests import AccountRequest, RequestSource
from models.accounts import Account
from models.ids import global_id
from models.permissions import Role
from models.request_types import AccountRequestType
from schema.account_requests.types import AccountRequest as RequestCard
from schema.relay.ids import encode_id
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, portal_contact, staff
from tests.fastpath.test_projection import REVIEW_QUEUE
from tests.service_requests.operations import submitted

CARDS = """
query Cards {
  accountRequests(first: 10) {
    nodes { id status type { name } account { __typename id name number }
            assignee { name } contact { name email } }
  }
}
"""


async def _requests(count: int, *, manager: Any = None) -> list[AccountRequest]:
    request_type = await AccountRequestType.create(name="Billing")
    assignee = await staff(Role.TECHNICIAN)
    made = []
    for n in range(count):
        account = await make_account(manager=manager)
        contact = await make_contact(account)
        made.append(
            await AccountRequest.create(
                account_id=account.id,
                type_id=request_type.id,
                assignee_id=assignee.id if n % 2 else None,
                contact_id=contact.id,
                source=RequestSource.STAFF,
            )
        )
    return made


def _selects(counter: StatementCounter, table: str) -> list[str]:
    """Statements reading rows of `table` (not those naming it in a subquery only)."""
    return [
        sql
        for sql in counter.statements
        if sql.startswith("SELECT ") and sql.partition(" FROM ")[2].startswith(f'"{table}"')
    ]


def _related(counter: StatementCounter, table: str) -> list[str]:
    """Rows by ID of a table (signing in reads a user by ID too, not with IN)."""
    return [sql for sql in _selects(counter, table) if '"id" IN (' in sql]


@pytest.mark.fast_paths
async def test_a_list_reads_only_the_columns_its_related_objects_show(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given three requests, and a dispatcher, who sees every account
    made = await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    # when the cards are read
    before = STATS.narrowed
    count_statements.statements.clear()
    data = await gql(CARDS, token=dispatcher.token)
    # then the four related fields were read column by column, one statement each
    assert STATS.narrowed - before == 4
    [accounts] = _selects(count_statements, "accounts")
    assert accounts.startswith('SELECT "id","name","number" FROM "accounts" WHERE "id" IN (')
    [contacts] = _selects(count_statements, "contacts")
    assert contacts.startswith('SELECT "id","name","email" FROM "contacts" WHERE "id" IN (')
    [assignees] = _related(count_statements, "users")
    assert assignees.startswith('SELECT "id","name" FROM "users" WHERE "id" IN (')
    # and the objects carry their values and global IDs
    by_id = {node["id"]: node for node in data["accountRequests"]["nodes"]}
    for row in made:
        card = by_id[encode_id("AccountRequest", row.id)]
        await row.fetch_related("account", "contact")
        assert card["account"] == {
            "__typename": "Account",
            "id": encode_id("Account", row.account_id),
            "name": row.account.name,
            "number": row.account.number,
        }
        assert card["contact"] == {"name": row.contact.name, "email": row.contact.email}
        assert card["type"] == {"name": "Billing"}
        assert (card["assignee"] is None) == (row.assignee_id is None)


@pytest.mark.fast_paths
async def test_a_viewer_with_a_narrowed_view_reads_whole_rows_through_the_loader(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given an account manager's requests: the accounts they see are a query of their own
    manager = await staff(Role.ACCOUNT_MANAGER)
    await _requests(2, manager=manager.row)
    # when the manager reads the cards
    before = STATS.narrowed
    count_statements.statements.clear()
    data = await gql(CARDS, token=manager.token)
    # then accounts and contacts come the standard way: whole rows, scoped by the
    # manager's view; only types and assignees (tables they see whole) are narrowed
    assert len(data["accountRequests"]["nodes"]) == 2
    assert STATS.narrowed - before == 2
    for table in ("accounts", "contacts"):
        reads = _selects(count_statements, table)
        assert reads and all("created_at" in sql for sql in reads)


async def _narrowed(gql: GraphQLClient, counter: StatementCounter, nodes: str) -> int:
    """Two requests listed for a dispatcher with `nodes` selected: how many related
    fields were read column by column (`counter` holds only the list's statements)."""
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    before = STATS.narrowed
    counter.statements.clear()
    query = f"query {{ accountRequests(first: 5) {{ nodes {{ {nodes} }} }} }}"
    await gql(query, token=dispatcher.token)
    return STATS.narrowed - before


async def test_a_resolver_below_a_related_field_keeps_its_rows_whole(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # when a list shows each request's assignee, and its account's sites (a resolver a
    # level further down, which runs after the assignees are read and may load users)
    nodes = "id assignee { name } account { name sites(first: 2) { nodes { name } } }"
    narrowed = await _narrowed(gql, count_statements, nodes)
    # then nothing was read column by column
    assert narrowed == 0
    [assignees] = _related(count_statements, "users")
    assert "password_hash" in assignees


async def _review_queue_of_three(gql: GraphQLClient) -> tuple[Any, Any]:
    """Three pending service requests of one account, and a dispatcher."""
    account = await make_account()
    contact = await portal_contact(account)
    for _ in range(3):
        await submitted(gql, contact, await make_site(account))
    return account, await staff(Role.DISPATCHER)


@pytest.mark.fast_paths
async def test_job_drafts_read_only_their_accounts_sla_hours(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given pending service requests
    account, dispatcher = await _review_queue_of_three(gql)
    before = STATS.narrowed
    count_statements.statements.clear()
    # when the review queue is read with accounts, sites and job drafts
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then accounts and sites were read column by column, the drafts' SLA hours in the
    # same statement as the accounts' names: no whole account row, no second statement
    assert STATS.narrowed - before == 2
    [sites] = _related(count_statements, "sites")
    assert sites.startswith('SELECT "id","name","city" FROM "sites"')
    [accounts] = _related(count_statements, "accounts")
    assert accounts.startswith('SELECT "id","default_sla_hours","name" FROM "accounts"')
    nodes = data["serviceRequests"]["nodes"]
    assert [node["account"] for node in nodes] == [{"name": account.name}] * 3
    assert all(node["jobDraft"]["priority"] == "MEDIUM" for node in nodes)


class _ThroughWholeRows:
    """Columns of accounts read from the whole rows of `accounts_by_id`, at once."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    async def by_id(self, keys: list[int], columns: Any) -> dict[int, dict[str, Any]]:
        rows = await self.loader.load_many(keys)
        return {r.id: {"id": r.id, **{c: getattr(r, c) for c in columns}} for r in rows if r}


@pytest.mark.fast_paths
async def test_a_resolver_beside_a_related_field_shares_the_rows_it_loads(
    gql: GraphQLClient, count_statements: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given pending service requests, whose job drafts (a resolver beside the account
    # and site fields) load their accounts' whole rows
    columns = BatchLoader.columns

    def through_whole_rows(self: BatchLoader[Any, Any]) -> Any:
        query = self.rows_of() if self.rows_of else None
        accounts = query is not None and query.model is Account
        return _ThroughWholeRows(self) if accounts else columns.__get__(self)

    monkeypatch.setattr(BatchLoader, "columns", property(through_whole_rows))
    account, dispatcher = await _review_queue_of_three(gql)
    before = STATS.narrowed
    count_statements.statements.clear()
    # when the review queue is read
    data = await gql(REVIEW_QUEUE, token=dispatcher.token)
    # then the sites were read column by column, and the accounts once, whole, for
    # both the account field and the drafts
    assert STATS.narrowed - before == 1
    [sites] = _related(count_statements, "sites")
    assert sites.startswith('SELECT "id","name","city" FROM "sites"')
    [accounts] = _related(count_statements, "accounts")
    assert "credit_limit" in accounts
    nodes = data["serviceRequests"]["nodes"]
    assert [node["account"] for node in nodes] == [{"name": account.name}] * 3
    assert all(node["jobDraft"]["priority"] == "MEDIUM" for node in nodes)


@pytest.mark.fast_paths
async def test_two_fields_on_one_loader_share_its_one_statement(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # when a list shows each request's assignee and creator, both users
    nodes = "id account { name } assignee { name } createdBy { name }"
    narrowed = await _narrowed(gql, count_statements, nodes)
    # then the users were read once, whole, for both fields; only accounts were narrowed
    assert narrowed == 1
    [users] = _related(count_statements, "users")
    assert "password_hash" in users


async def test_a_document_of_two_root_fields_reads_whole_rows(gql: GraphQLClient) -> None:
    await _requests(2)
    dispatcher = await staff(Role.DISPATCHER)
    before = STATS.narrowed
    data = await gql(
        "query { a: accountRequests(first: 5) { nodes { account { name } } }"
        " b: accountRequests(first: 5) { nodes { account { number } } } }",
        token=dispatcher.token,
    )
    assert STATS.narrowed == before
    assert len(data["a"]["nodes"]) == len(data["b"]["nodes"]) == 2


# --- what counts as a copy of a column ----------------------------------------------


def encode_something(type_name: str, key: int) -> str:
    return f"{type_name}-{key}"


@strawberry.type
class _Card:
    id: strawberry.ID
    name: str
    shout: str
    number: int

    @classmethod
    def from_row(cls, row: Any) -> _Card:
        return cls(
            id=strawberry.ID(global_id("Card", row.id)),
            name=row.name,
            shout=row.name.upper(),
            number=len(row.number),
        )


@strawberry.type
class _Other:
    id: strawberry.ID
    name: str

    @classmethod
    def from_row(cls, row: Any) -> _Other:
        return cls(id=strawberry.ID(encode_something("Other", row.id)), name=row.name)


@strawberry.type
class _Busy:
    name: str

    @classmethod
    def from_row(cls, row: Any) -> _Busy:
        name = row.name
        return cls(name=name)


def test_only_plain_copies_and_global_ids_are_mirrors() -> None:
    assert mirrors_of(_Card.from_row) == {
        "id": Mirror("id", id_of="Card"),
        "name": Mirror("name"),
    }
    # another function of the same shape is not the global ID
    assert mirrors_of(_Other.from_row) == {"name": Mirror("name")}
    # a from_row that does more than return its object has no mirrors at all
    assert mirrors_of(_Busy.from_row) == {}


async def test_new_selections_leave_nothing_behind_in_a_process_wide_cache(
    gql: GraphQLClient,
) -> None:
    # given a list already read once (so the loaders' own statements are made)
    await _requests(1)
    dispatcher = await staff(Role.DISPATCHER)
    await gql(CARDS, token=dispatcher.token)
    before = by_ids.cache_info().currsize
    # when clients select new column lists
    for fields in ("name", "number name", "name number id", "id"):
        query = f"query {{ accountRequests(first: 5) {{ nodes {{ account {{ {fields} }} }} }} }}"
        await gql(query, token=dispatcher.token)
    # then their statements live with their plans, not in the shared statements
    assert by_ids.cache_info().currsize == before


async def test_a_utc_time_is_filled_as_the_driver_gives_it_and_any_other_converted() -> None:
    # given the narrow filler of account requests' creation times (the models' zone is UTC)
    narrow = narrow_rows(RequestCard.from_row, ["created_at"])
    assert narrow is not None
    utc = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    elsewhere = utc.astimezone(timezone(timedelta(hours=2)))
    # when records with a UTC time and a time of another offset are filled
    same = narrow.make({"id": 1, "created_at": utc}).created_at
    converted = narrow.make({"id": 2, "created_at": elsewhere}).created_at
    # then the UTC time is taken as it is, the other converted as models convert it
    assert same is utc
    model_time = column_reader(AccountRequest, "created_at")
    assert model_time is not None
    assert converted == model_time[1](elsewhere) and converted.isoformat() == utc.isoformat()
    assert same.isoformat() == model_time[1](utc).isoformat()


@pytest.mark.fast_paths
async def test_related_leaves_are_answered_straight_from_their_records(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The narrow path itself: on PostgreSQL such lists are the JSON lane's.
    monkeypatch.setattr(json_lane, "ENABLED", False)
    # given three requests, and a note of how each narrow read hands its rows over
    made = await _requests(3)
    dispatcher = await staff(Role.DISPATCHER)
    handed: list[str] = []
    original = NarrowRows.load

    async def noted(self: Any, loader: Any, keys: Any, answer: Any = None) -> Any:
        if not CHECKING.get():
            handed.append("answers" if answer is not None else "objects")
        return await original(self, loader, keys, answer)

    monkeypatch.setattr(NarrowRows, "load", noted)
    # when the cards are read
    data = await gql(CARDS, token=dispatcher.token)
    # then each related field's answers were made from its records, no object between
    assert handed == ["answers"] * 4
    assert {node["account"]["id"] for node in data["accountRequests"]["nodes"]} == {
        encode_id("Account", row.account_id) for row in made
    }
