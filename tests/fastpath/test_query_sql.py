"""`fastpath.query_sql.sql_of` remembers a query's SQL only under a key that decides it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from fastpath import query_sql
from fastpath.rows import fetch, fetch_columns
from models.account_requests import AccountRequest, RequestSource, RequestStatus
from models.accounts import Account
from models.permissions import Role
from models.service_requests import ServiceRequest, ServiceRequestStatus
from tests.client import GraphQLClient
from tests.factories import make_account, staff

WHEN = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def nothing_remembered() -> None:
    query_sql.forget()


def _built(query: QuerySet[Any], columns: tuple[str, ...] | None = None) -> tuple[str, list[Any]]:
    """The SQL Tortoise builds for the query, nothing remembered."""
    query._db = query._choose_db()
    query._make_query()
    if columns is not None:
        query.query._selects = list(query.model._meta.basequery.select(*columns)._selects)
    sql, values = query.query.get_parameterized_sql()
    return sql, list(values)


def _queries() -> list[tuple[QuerySet[Any], tuple[str, ...] | None]]:
    """Each made anew per call: a QuerySet is built once and read once."""
    return [
        (AccountRequest.all(), None),
        (AccountRequest.filter(status__in=[RequestStatus.OPEN]).order_by("-updated_at"), None),
        (AccountRequest.filter(status__in=[RequestStatus.OPEN, RequestStatus.COMPLETED]), None),
        (AccountRequest.filter(status__in=["OPEN"]).limit(51), None),
        (AccountRequest.filter(type_id__in=[1, 2, 3], assignee_id__isnull=True).limit(11), None),
        (
            AccountRequest.filter(Q(updated_at__lt=WHEN) | Q(updated_at=WHEN, id__lt=40))
            .order_by("-updated_at", "-id")
            .limit(21),
            ("id", "note", "updated_at"),
        ),
        (AccountRequest.filter(Q(note__icontains="leak") | Q(source=RequestSource.PORTAL)), None),
        (AccountRequest.exclude(account_id=3).offset(10).limit(5), None),
        (ServiceRequest.filter(status__in=[ServiceRequestStatus.PENDING]).limit(51), ("id",)),
        (Account.filter(id=1), None),
        (Account.filter(id=True), None),
        (Account.filter(name="1"), None),
        (Account.filter(name__in=["a", "b"]), None),
        (Account.filter(name__in=["a", "c"]), None),
        # subqueries of columns (the users list's roles filter), two values, one
        (
            Account.filter(id__in=Subquery(AccountRequest.filter(id__in=[1, 2]).values("id")))
            .filter(is_active=True)
            .limit(51),
            None,
        ),
        (Account.filter(id__in=Subquery(AccountRequest.filter(id=3).values("account_id"))), None),
        (Account.filter(id__in=Subquery(Account.filter(name="a").values("id"))), ("id",)),
    ]


async def test_remembered_sql_is_the_sql_tortoise_builds() -> None:
    # given a set of list queries, each read once so its SQL is remembered
    for query, columns in _queries():
        query_sql.sql_of(query, query._choose_db(), columns)
    assert query_sql.kept_count() == len(_queries())  # every one is keyed
    # when each is asked for again (a fresh QuerySet of the same shape and values)
    for (query, columns), (again, _) in zip(_queries(), _queries(), strict=True):
        remembered = query_sql.sql_of(query, query._choose_db(), columns)
        # then its SQL and parameters are exactly what building it anew gives
        assert remembered == query_sql.build(again, again._choose_db(), columns)


async def test_a_limit_and_a_first_pages_offset_are_written_in_the_text() -> None:
    # given a first page, a deeper page and a list with no limit
    first = AccountRequest.filter(status=RequestStatus.OPEN).order_by("-id").offset(0).limit(51)
    deeper = AccountRequest.filter(status=RequestStatus.OPEN).order_by("-id").offset(50).limit(51)
    every = AccountRequest.filter(status=RequestStatus.OPEN).order_by("-id")
    # when their SQL is built
    (first_sql, first_values), (deeper_sql, deeper_values), (every_sql, _) = (
        query_sql.sql_of(q, q._choose_db()) for q in (first, deeper, every)
    )
    # then the first page's limit and offset are in its text, not among its parameters,
    # and the rest is the SQL Tortoise builds
    tortoise_sql, tortoise_values = _built(first._clone())
    assert (
        re.sub(r"LIMIT (\$2|\?) OFFSET (\$3|\?)$", "LIMIT 51 OFFSET 0", tortoise_sql) == first_sql
    )
    assert tortoise_values == ["OPEN", 51, 0] and first_values == ["OPEN"]
    # and a deeper page's offset stays a parameter (one statement for every page)
    assert re.search(r"LIMIT 51 OFFSET (\$2|\?)$", deeper_sql) and deeper_values == ["OPEN", 50]
    assert "LIMIT" not in every_sql


async def test_a_search_or_a_range_keeps_its_limit_a_parameter() -> None:
    # given pages filtered by a pattern, by a range (a cursor's), and by a subquery that
    # holds a pattern; and one filtered by equality, a list and a null test
    searched = AccountRequest.filter(Q(note__icontains="boiler") | Q(account_id__in=[3]))
    after = AccountRequest.filter(status=RequestStatus.OPEN, id__lt=500)
    inside = AccountRequest.filter(
        account_id__in=Subquery(Account.filter(name__icontains="x").values("id"))
    )
    plain = AccountRequest.filter(
        Q(account_id__in=Subquery(Account.filter(id=1).values("id"))) | Q(assignee_id=4),
        status__in=["OPEN"],
        contact_id__isnull=True,
    )
    for query in (searched, after, inside):
        # when its SQL is built, then its limit stays a parameter: PostgreSQL plans
        # it for its values each time (a default guess for a pattern's share of rows
        # made its kept plan walk a million rows)
        sql, values = query_sql.sql_of(query.limit(51), query._choose_db())
        assert re.search(r"LIMIT (\$\d+|\?)$", sql) and values[-1] == 51
        assert not query_sql.plan_stable(query)
    sql, values = query_sql.sql_of(plain.limit(51), plain._choose_db())
    assert sql.endswith("LIMIT 51") and 51 not in values


async def test_equal_looking_values_of_other_types_are_other_queries() -> None:
    # given queries whose values compare equal in Python (1 == True) but are not the same
    before = query_sql.kept_count()
    queries = [Account.filter(id=1), Account.filter(id=True), Account.filter(name="1")]
    # when their SQL is asked for, then each is remembered on its own
    answers = [query_sql.sql_of(q, q._choose_db()) for q in queries]
    assert query_sql.kept_count() == before + 3
    assert [values for _, values in answers] == [[1], [True], ["1"]]


async def test_queries_with_what_it_does_not_key_are_built_every_time() -> None:
    # given queries with a subquery renaming or distinct, a set, a join and an annotation
    before = query_sql.kept_count()
    queries: list[QuerySet[Any]] = [
        AccountRequest.filter(account_id__in=Subquery(Account.filter(id=1).values(key="id"))),
        AccountRequest.filter(
            account_id__in=Subquery(Account.filter(id=1).distinct().values("id"))
        ),
        Account.filter(id__in={1, 2}),
        AccountRequest.filter(id=1).select_related("account"),
        Account.filter(name="x").distinct(),
    ]
    for query in queries:
        expected = _built(query._clone())
        # then each answers its own SQL and none is remembered
        assert query_sql.sql_of(query, query._choose_db()) == expected
    assert query_sql.kept_count() == before


async def test_rows_read_through_remembered_sql_are_the_rows() -> None:
    # given two accounts
    first, second = await make_account(), await make_account()
    # when the same narrow query is read twice, then the answers are the same rows
    for _ in range(2):
        rows = await fetch(Account.filter(id__in=[first.id, second.id]).order_by("id"))
        assert [row.id for row in rows] == [first.id, second.id]
        records = await fetch_columns(Account.filter(id=second.id), ("id", "name"))
        assert records is not None
        assert [(r["id"], r["name"]) for r in records] == [(second.id, second.name)]


async def test_what_is_remembered_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a small limit, and more distinct queries than it
    monkeypatch.setattr(query_sql, "_MAX_KEPT", 5)
    for key in range(12):
        query = Account.filter(id=key)
        query_sql.sql_of(query, query._choose_db())
        # then never more than the limit are kept
        assert query_sql.kept_count() <= 5


LIST = "query Remembered { accountRequests(first: 5) { nodes { id note } } }"


async def test_a_list_read_again_builds_no_sql(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a dispatcher who has read a list twice (whole rows, then the columns its
    # compiled plan shows), and a count of SQL built after that
    dispatcher = await staff(Role.DISPATCHER)
    await gql(LIST, token=dispatcher.token)
    first = await gql(LIST, token=dispatcher.token)
    built: list[object] = []
    original = QuerySet._make_query

    def counted(self: QuerySet[Any]) -> None:
        built.append(self.model)
        original(self)

    monkeypatch.setattr(QuerySet, "_make_query", counted)
    # when it reads the same list again
    second = await gql(LIST, token=dispatcher.token)
    # then the same answer came without building the page's SQL
    assert second == first
    assert AccountRequest not in built
