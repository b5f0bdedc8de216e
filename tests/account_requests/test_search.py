"""`filter: {search: ...}`: the accounts are looked up first, then the requests, and the
answer is the one the plain join gave, on every term, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import cast

import pytest
from tortoise.expressions import Q

from models.account_requests import AccountRequest, lists
from models.accounts import Account
from models.permissions import Role
from tests.account_requests.operations import _counts, _numbers
from tests.account_requests.rows import make_request, make_type
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, staff

ACCOUNTS = (
    "Acme 100% Parts",
    "Under_score Ltd",
    "Back\\slash & Co",
    'O\'Brien "Quoted"',
    "Café Zürich",
    "ÉCOLE Straße",
    "Plain",
)
NOTES = (
    "50% off",
    "snake_case value",
    "C:\\temp\\file",
    'it\'s "fine"',
    "crème brûlée",
    "ÉCLAIR à la carte",
    "nothing special",
    "percent%underscore_",
    "",
)

# Terms that LIKE would read as wildcards or escapes, quotes, case and non-ASCII letters.
TERMS = (
    "%",
    "%%",
    "_",
    "e_c",
    "e_v",
    "\\",
    "\\t",
    "\\\\",
    "'",
    '"',
    "'s \"f",
    "o'brien",
    "100%",
    "100% p",
    "t%u",
    "acme",
    "ACME 100%",
    "back\\slash",
    "é",
    "É",
    "crème",
    "CRÈME",
    "café",
    "CAFÉ",
    "zürich",
    "ß",
    "strasse",
    "ü",
    "x",
    "plain",
    "nothing at all",
)


async def _world() -> Person:
    """Each note on a request of each account: 63 requests, all a dispatcher sees."""
    dispatcher = await staff(Role.DISPATCHER)
    kind = await make_type("Search")
    for name in ACCOUNTS:
        account = await make_account(name)
        for note in NOTES:
            await make_request(account, kind, note=note)
    return dispatcher


async def _joined(term: str) -> list[int]:
    """What the search answered before: one statement, the account joined."""
    rows = await AccountRequest.filter(
        Q(note__icontains=term) | Q(account__name__icontains=term)
    ).values_list("id", flat=True)
    return sorted(cast("list[int]", rows))


async def test_a_search_finds_what_the_joined_search_found_on_every_term(
    gql: GraphQLClient,
) -> None:
    # given requests whose notes and accounts' names hold wildcards, quotes and accents
    dispatcher = await _world()
    for term in TERMS:
        # when the list and the counts are searched
        found = sorted(await _numbers(gql, dispatcher.token, {"search": term}))
        counts = await _counts(gql, dispatcher.token, {"search": term})
        # then both answer what the joined statement does
        expected = await _joined(term.strip()[:200])
        assert found == expected, term
        assert sum(counts.values()) == len(expected), term


async def test_wildcards_escapes_quotes_and_case_are_literal(gql: GraphQLClient) -> None:
    # given the same requests
    dispatcher = await _world()
    notes = len(NOTES)

    async def found(term: str) -> int:
        return len(await _numbers(gql, dispatcher.token, {"search": term}))

    # then `%` and `_` match themselves only (one account's name, two notes)
    assert await found("%") == notes + 2 * (len(ACCOUNTS) - 1)
    assert await found("_") == notes + 2 * (len(ACCOUNTS) - 1)
    assert await found("e_v") == 0  # "snake case value" would match a wildcard
    assert await found("t%u") == len(ACCOUNTS)
    # a backslash is a character, not an escape
    assert await found("\\") == notes + len(ACCOUNTS) - 1
    assert await found("\\t") == len(ACCOUNTS)
    # quotes are text
    assert await found('o\'brien "quoted"') == notes
    assert await found("'s \"f") == len(ACCOUNTS)
    # ASCII letters in any case
    assert await found("ACME 100% pArTs") == notes
    assert await found("SNAKE_CASE") == len(ACCOUNTS)


async def test_searching_costs_at_most_one_statement_more_whatever_it_matches(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given the same requests
    dispatcher = await _world()

    async def statements(search: str | None) -> int:
        count_statements.statements.clear()
        await _numbers(gql, dispatcher.token, {"search": search} if search else None)
        return count_statements.count

    plain = await statements(None)
    # when searched for words naming no account, one, several, and no request at all
    counted = {term: await statements(term) for term in ("nothing special", "plain", "a", "zzz")}
    # then each costs the plain list's statements and the accounts' look-up (the count
    # is the tally's for the plain list and COUNT(*) for a search, either in the page's
    # own statement on PostgreSQL or beside it)
    assert counted == dict.fromkeys(counted, plain + 1), (plain, counted)


async def test_a_search_naming_very_many_accounts_answers_the_same(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given requests, and a search that names more accounts than are listed as IDs
    dispatcher = await _world()
    monkeypatch.setattr(lists, "SEARCH_ACCOUNTS_LISTED", 1)
    assert await Account.filter(name__icontains="c").count() > 1
    for term in ("c", "é", "%", "plain"):
        # when searched
        found = sorted(await _numbers(gql, dispatcher.token, {"search": term}))
        # then the accounts stay a subquery and the answer is the same
        assert found == await _joined(term), term
