"""The accounts list issues a fixed number of SQL statements, whatever the page size."""

from __future__ import annotations

from typing import Any

from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_contact, make_site, make_user, staff

ACCOUNTS_WITH_EVERYTHING = """
query Accounts($first: Int!) {
  accounts(first: $first) {
    totalCount
    nodes {
      name
      manager { name }
      parent { name }
      subAccounts { totalCount }
      sites(first: 5) { nodes { name } }
      contacts(first: 5) { nodes { name } }
    }
  }
}
"""


async def _sixty_accounts() -> None:
    """Pairs of parent and sub-account, so every page has parents and children."""
    managers = [await make_user(Role.ACCOUNT_MANAGER) for _ in range(3)]
    parent = None
    for n in range(60):
        account = await make_account(
            f"Account {n:02d}", manager=managers[n % 3], parent=parent if n % 2 else None
        )
        parent = account
        for _ in range(2):
            await make_site(account)
            await make_contact(account)


async def _count(
    gql: GraphQLClient, counter: StatementCounter, token: str, first: int
) -> tuple[int, dict[str, Any]]:
    counter.statements.clear()
    data = await gql(ACCOUNTS_WITH_EVERYTHING, {"first": first}, token=token)
    return counter.count, data


async def test_page_size_does_not_change_the_statement_count(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    await _sixty_accounts()
    admin = await staff(Role.ADMIN)

    # when
    small, small_data = await _count(gql, count_statements, admin.token, 5)
    large, large_data = await _count(gql, count_statements, admin.token, 50)

    # then
    assert len(small_data["accounts"]["nodes"]) == 5
    assert len(large_data["accounts"]["nodes"]) == 50
    assert large_data["accounts"]["totalCount"] == 60
    first = large_data["accounts"]["nodes"][0]
    assert first["manager"] is not None
    assert len(first["sites"]["nodes"]) == 2
    assert len(first["contacts"]["nodes"]) == 2
    for page in (small_data, large_data):
        assert any(node["parent"] for node in page["accounts"]["nodes"])
        assert any(node["subAccounts"]["totalCount"] for node in page["accounts"]["nodes"])
    assert small == large, count_statements.statements
    assert large == 8, count_statements.statements  # sign-in 1, the list's 7
