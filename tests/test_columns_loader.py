"""`loaders.columns.ColumnsById`: the columns every caller of a batch asks for, in one
statement, scoped by the loader's query."""

from __future__ import annotations

import asyncio
from typing import Any

from loaders.columns import ColumnsById
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
        columns.load_many([first.id, second.id], ("name",)),
        columns.load_many([second.id, 999_999], ("number",)),
    )
    # then one statement read both columns, and each caller has its rows
    [sql] = count_statements.statements
    assert sql.startswith('SELECT "id","name","number" FROM "accounts"')
    assert [record and record["name"] for record in names] == [first.name, second.name]
    assert numbers[0] is not None and numbers[0]["number"] == second.number
    assert numbers[1] is None


async def test_a_scoped_query_answers_only_its_rows() -> None:
    # given a manager's account and another
    manager = await make_user(Role.ACCOUNT_MANAGER)
    mine, other = await make_account(manager=manager), await make_account()
    columns = ColumnsById(lambda: Account.filter(manager_id=manager.id))
    # when both are asked for, then only the manager's comes back
    found = await columns.load_many([mine.id, other.id], ("name",))
    assert [record and record["name"] for record in found] == [mine.name, None]


async def test_a_failed_batch_fails_every_caller() -> None:
    # given a loader whose query cannot be made
    def broken() -> Any:
        raise RuntimeError("no query")

    columns = ColumnsById(broken)
    # when two callers share its batch, then both get its failure
    outcomes = await asyncio.gather(
        columns.load_many([1], ("name",)),
        columns.load_many([2], ("number",)),
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
    [found] = await columns.load_many([account.id], ("name",), plain=Account)
    assert found is not None and found["name"] == account.name and made == []
    # and when one caller does not say so, it is made once for the batch
    both = await asyncio.gather(
        columns.load_many([account.id], ("name",), plain=Account),
        columns.load_many([account.id], ("number",)),
    )
    assert [record[0] and record[0]["number"] for record in both] == [account.number] * 2
    assert made == [1]
