"""Account changes other domains' tests start from, sent as a client sends them.

Assigning an account manager is the first thing that notifies anyone, so the
notification tests (inbox, mail, live, several processes) all begin with it.
"""

from __future__ import annotations

from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid

SET_MANAGER = """
mutation SetManager($accountId: ID!, $managerId: ID) {
  setAccountManager(input: {accountId: $accountId, managerId: $managerId}) { userErrors { code } }
}
"""


def manager_variables(account_id: int, manager: Person | None) -> dict[str, str | None]:
    """SET_MANAGER's variables: `manager` (or no one) for the account."""
    return {
        "accountId": gid("Account", account_id),
        "managerId": gid("User", manager.id) if manager else None,
    }


async def set_manager(
    gql: GraphQLClient, admin: Person, account_id: int, manager: Person | None
) -> None:
    """`admin` makes `manager` (or no one) the account's manager; no user errors allowed."""
    data = await gql(SET_MANAGER, manager_variables(account_id, manager), token=admin.token)
    assert data["setAccountManager"]["userErrors"] == []
