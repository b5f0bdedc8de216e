"""`Loaders.whole_table`: the JSON lane's question "does this loader read its whole
table for this viewer?", answered without building the loader or its query.

The lane may write related rows inside the page's own statement only where the
loader would have read them from the whole table. The cheap answer must be the one
the loader's own query gives (`json_lane.reads_whole_table`), for every viewer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

import loaders as loaders_module
from fastpath.json_lane import reads_whole_table
from fastpath.rows import is_plain
from loaders import Loaders
from models.accounts import Contact
from models.permissions import Role
from models.users import User
from models.viewer import ANONYMOUS, Viewer
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, portal_contact, staff
from tests.fastpath.lane import lane_statements
from tests.fastpath.test_json_lane import _three_requests


def _viewers() -> Iterator[Viewer]:
    """Nobody, a portal contact, and staff with every combination of roles (none too)."""
    yield ANONYMOUS
    yield Viewer(contact=Contact(id=9, account_id=3, name="Pat"), token_id=1)
    for size in range(len(Role) + 1):
        for roles in itertools.combinations(Role, size):
            yield Viewer(user=User(id=7, name="Sam"), roles=frozenset(roles), token_id=2)


def _real_answer(viewer: Viewer, name: str) -> object:
    """What the loader's own query says: its model if it is every row, else None."""
    loader = getattr(Loaders(viewer), name)
    rows_of = getattr(loader, "rows_of", None)
    if rows_of is None or getattr(loader, "by", None) is not None:
        return None  # rows by another column than the key: never asked of `whole_table`
    rows = rows_of()
    return rows.model if is_plain(rows) else None


async def test_the_cheap_answer_is_the_loaders_own_query_for_every_viewer() -> None:
    # given every loader of an operation and every kind of viewer
    names = sorted(loaders_module._OWNER)
    checked = 0
    for viewer in _viewers():
        for name in names:
            # when the lane asks the loaders, and the loader's own query is looked at
            cheap = Loaders(viewer).whole_table(name)
            real = _real_answer(viewer, name)
            # then both answer the same
            assert cheap is real, (name, sorted(viewer.roles), viewer.is_contact)
            model = real or cheap
            if model is not None:
                assert reads_whole_table(Loaders(viewer), name, model)
            checked += real is not None
    # and the whole tables the dashboard's relations read are among them
    admin = Viewer(user=User(id=1, name="Ada"), roles=frozenset({Role.ADMIN}))
    for name in ("accounts_by_id", "users_by_id", "contacts_by_id", "request_types_by_id"):
        assert Loaders(admin).whole_table(name) is not None
    assert checked > 0


async def test_every_declared_whole_table_is_a_loader_of_that_model() -> None:
    admin = Viewer(user=User(id=1, name="Ada"), roles=frozenset(Role))
    for name, (model, _) in loaders_module._WHOLE.items():
        loader = getattr(Loaders(admin), name)
        assert loader.rows_of is not None and loader.rows_of().model is model, name


async def test_a_narrower_viewer_after_a_broad_one_is_answered_for_itself() -> None:
    # given one operation's loaders per viewer, the admin's asked first
    admin = Viewer(user=User(id=1, name="Ada"), roles=frozenset({Role.ADMIN}))
    manager = Viewer(user=User(id=2, name="Max"), roles=frozenset({Role.ACCOUNT_MANAGER}))
    contact = Viewer(contact=Contact(id=9, account_id=3, name="Pat"))
    assert Loaders(admin).whole_table("accounts_by_id") is not None
    # then the manager's accounts and contacts are not the whole table, nor anything
    # of a contact's but the request types
    assert Loaders(manager).whole_table("accounts_by_id") is None
    assert Loaders(manager).whole_table("contacts_by_id") is None
    assert Loaders(manager).whole_table("users_by_id") is not None
    for name in ("accounts_by_id", "users_by_id", "contacts_by_id", "account_requests_by_id"):
        assert Loaders(contact).whole_table(name) is None
    assert Loaders(contact).whole_table("request_types_by_id") is not None


async def test_a_loader_that_has_loaded_is_not_read_again_inside_the_statement() -> None:
    # given an admin's loaders, one of which has already loaded a row
    account = await make_account()
    admin = Viewer(user=User(id=1, name="Ada"), roles=frozenset({Role.ADMIN}))
    loaders = Loaders(admin)
    assert loaders.whole_table("accounts_by_id") is not None  # built by nothing yet
    assert (await loaders.accounts_by_id.load(account.id)) is not None
    # then its rows are its own (an operation reads them once), not the table's;
    # its untouched siblings still are
    assert loaders.whole_table("accounts_by_id") is None
    assert not reads_whole_table(loaders, "accounts_by_id", type(account))
    assert loaders.whole_table("contacts_by_id") is not None
    # and reset loaders are untouched again
    loaders.reset()
    assert loaders.whole_table("accounts_by_id") is not None


DASHBOARD = """query WholeDashboard {
  accountRequests(first: 10, orderBy: {field: CREATED_AT, direction: ASC}) {
    nodes { id note account { name } assignee { name } contact { name } }
  }
}"""


@pytest.mark.fast_paths
async def test_the_same_document_for_a_narrower_viewer_after_a_broad_one(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given requests with assignees, read by an admin until the lane answers them
    made = await _three_requests()
    admin = await staff(Role.ADMIN)
    for _ in range(3):
        count_statements.statements.clear()
        broad = await gql(DASHBOARD, token=admin.token)
    assert broad["accountRequests"]["nodes"][0]["assignee"] is not None
    assert len(lane_statements(count_statements)) == (1 if backends == "services" else 0)
    # when the account's portal contact reads the same document, again and again
    contact = await portal_contact(await made[0].account)
    for _ in range(3):
        count_statements.statements.clear()
        narrow = await gql(DASHBOARD, token=contact.token)
        # then the contact sees the same requests, but none of the staff behind them
        # (users are not the contact's to see), and never through the lane
        nodes = narrow["accountRequests"]["nodes"]
        assert [node["id"] for node in nodes] == [
            n["id"] for n in broad["accountRequests"]["nodes"]
        ]
        assert all(node["assignee"] is None for node in nodes)
        assert lane_statements(count_statements) == []
    # and the admin, after them, is answered by the lane again, assignees and all
    count_statements.statements.clear()
    assert await gql(DASHBOARD, token=admin.token) == broad
    assert len(lane_statements(count_statements)) == (1 if backends == "services" else 0)
