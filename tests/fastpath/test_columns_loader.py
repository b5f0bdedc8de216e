"""`loaders.columns.ColumnsById`: the columns every caller of a batch asks for, in one
statement, scoped by the loader's query."""

from __future__ import annotations

import asyncio
from typing import Any

from fastpath.columns import ColumnsById
from models.accounts import Account
from models.permissions import Role
from tests.conftest import StatementCounter
from tests.factories import make_account, make_user


async def test_callers_of_one_batch_share_one_statement_of_all_their_columns(
    count_statements: StatementCounter,
) -> None:
    # given two accounts
    first, second = await make_account(), await make_account()
    columns = ColumnsById(Account.all)
    count_statements.statements.clear()
    # when two callers ask for other columns of them in the same loop pass
    names, numbers = await asyncio.gather(
        columns.by_id([first.id, second.id], ("name",)),
        columns.by_id([second.id, 999_999], ("number",)),
    )
    # then one statement read both columns, and each caller has its rows
    [sql] = count_statements.statements
    assert sql.startswith('SELECT "id","name","number" FROM "accounts"')
    assert [names[key]["name"] for key in (first.id, second.id)] == [first.name, second.name]
    assert numbers[second.id]["number"] == second.number
    assert 999_999 not in numbers


async def test_a_scoped_query_answers_only_its_rows() -> None:
    # given a manager's account and another
    manager = await make_user(Role.ACCOUNT_MANAGER)
    mine, other = await make_account(manager=manager), await make_account()
    columns = ColumnsById(lambda: Account.filter(manager_id=manager.id))
    # when both are asked for, then only the manager's comes back
    found = await columns.by_id([mine.id, other.id], ("name",))
    assert {key: record["name"] for key, record in found.items()} == {mine.id: mine.name}


async def test_a_failed_batch_fails_every_caller() -> None:
    # given a loader whose query cannot be made
    def broken() -> Any:
        raise RuntimeError("no query")

    columns = ColumnsById(broken)
    # when two callers share its batch, then both get its failure
    outcomes = await asyncio.gather(
        columns.by_id([1], ("name",)),
        columns.by_id([2], ("number",)),
        return_exceptions=True,
    )
    assert [str(outcome) for outcome in outcomes] == ["no query", "no query"]


async def test_a_batch_every_caller_saw_is_the_whole_table_makes_no_query_again() -> None:
    # given an account, and a count of the loader's queries made
    account = await make_account()
    made: list[object] = []

    def query() -> Any:
        made.append(1)
        return Account.all()

    # when the callers of a batch say the query is the whole table, none is made
    columns = ColumnsById(query)
    found = await columns.by_id([account.id], ("name",), plain=Account)
    assert found[account.id]["name"] == account.name and made == []
    # and when one caller does not say so, it is made once for the batch
    both = await asyncio.gather(
        columns.by_id([account.id], ("name",), plain=Account),
        columns.by_id([account.id], ("number",)),
    )
    assert [records[account.id]["number"] for records in both] == [account.number] * 2
    assert made == [1]
