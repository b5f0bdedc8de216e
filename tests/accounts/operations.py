"""Account changes other domains' tests start from, sent as a client sends them.

Assigning an account manager is the first thing that notifies anyone, so the
notification tests (inbox, mail, live, several processes) all begin with it. Contacts:
the reading and signing in that the createContact and updateContact tests share.
"""

from __future__ import annotations

from typing import Any

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


CONTACTS_OF = """
query ContactsOf($id: ID!) {
  node(id: $id) {
    ... on Account { contacts { totalCount nodes { name email portalAccess } } }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code } }
}
"""

STRONG = "plum orchard sunrise"


async def contacts_of(gql: GraphQLClient, token: str, account_id: int) -> dict[str, Any]:
    """The account's contacts as `token` sees them."""
    data = await gql(CONTACTS_OF, {"id": gid("Account", account_id)}, token=token)
    contacts: dict[str, Any] = data["node"]["contacts"]
    return contacts


async def can_sign_in(gql: GraphQLClient, email: str, password: str) -> bool:
    """Whether `email` and `password` sign in."""
    data = await gql(LOGIN, {"input": {"email": email, "password": password}})
    return data["login"]["token"] is not None


ACCOUNTS = """
query { accounts(first: 100) { totalCount nodes { name number creditLimit parent { name } } } }
"""

ACCOUNT = """
query Account($id: ID!) {
  node(id: $id) { ... on Account { name number defaultSlaHours creditLimit parent { name } } }
}
"""


async def all_accounts(gql: GraphQLClient, token: str) -> list[dict[str, Any]]:
    """The names of every account `token` sees."""
    data = await gql(ACCOUNTS, token=token)
    nodes: list[dict[str, Any]] = data["accounts"]["nodes"]
    return nodes
