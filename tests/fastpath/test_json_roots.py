"""Whole screens written by the database (fastpath/json_roots.py, json_lane.py,
together.py): on PostgreSQL a root object (`companySettings`), a plain root list
(`accountRequestTypes`), pages by position (`users`, `teams`) and the lists declared
in SQL inside them (`Team.members`, `User.roles`), each one row of JSON, and the root
fields of one query run side by side as ONE statement.

The suite's execution check compares every answer with standard execution's; these
tests make sure the lanes are really taken (one statement, no loader's), that the
lists keep Python's order, that cursors by position are the usual ones, that a viewer
who sees less goes the usual way, and that a part the standard way refuses sends the
whole screen the standard way, with no half answer.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from models import company
from models.directory.users import Team, TeamMember
from models.permissions import Role
from models.request_types import AccountRequestType
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import make_account, make_user, portal_contact, staff
from tests.fastpath.lane import lane_statements, read_three_times, reading
from tests.ids import gid

# The settings screen as Apollo Client sends it (the conformance corpus's document).
SCREEN = (
    Path(__file__).parents[1] / "conformance/documents/apollo/CompanySettingsPage.graphql"
).read_text()

PAGE = """query People($after: String) {
  users(first: 2, after: $after) {
    edges { cursor node { id name roles __typename } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}"""

TABLES = ("users", "user_roles", "teams", "team_members", "account_request_types")
COMBINED = "row_to_json(s)"


async def _people() -> dict[str, Any]:
    """Colleagues whose names sort differently by codepoint and by a language's rules,
    a team of them with a leader, the credit team set, a request type assigned."""
    alice = await make_user(Role.TECHNICIAN, Role.ADMIN, name="alice")
    big_alice = await make_user(Role.DISPATCHER, name="Alice")
    emile = await make_user(Role.TECHNICIAN, name="\u00c9mile")
    bob = await make_user(Role.TECHNICIAN, name="bob")
    team = await Team.create(name="Night shift", leader_id=bob.id)
    for member in (emile, bob, alice, big_alice):
        await TeamMember.create(team_id=team.id, user_id=member.id)
    await Team.create(name="Empty")
    settings = await company.get_settings()
    settings.credit_team_id = team.id
    await settings.save()
    await AccountRequestType.create(name="Repair", default_assignee_id=emile.id)
    await AccountRequestType.create(name="Audit", is_active=False)
    return {"alice": alice, "Alice": big_alice, "Emile": emile, "bob": bob, "team": team}


async def _screen_read(
    gql: GraphQLClient, counter: StatementCounter
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """The people, an admin, and the settings screen as the admin read it (fast)."""
    people = await _people()
    admin = await staff(Role.ADMIN, name="Zed")
    return people, admin, await read_three_times(gql, counter, SCREEN, {}, admin.token)


@pytest.mark.fast_paths
async def test_the_settings_screen_is_one_statement(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given colleagues, teams, the credit team and request types, when the settings
    # screen is read as Apollo sends it
    people, _, data = await _screen_read(gql, count_statements)
    # then its four root fields were one statement on PostgreSQL, no loader's beside it
    combined = [sql for sql in count_statements.statements if COMBINED in sql]
    assert len(combined) == (1 if backends == "services" else 0)
    if backends == "services":
        assert reading(count_statements, *TABLES) == []
    # and members are listed by name as Python orders them (codepoints), then by key
    credit = data["companySettings"]["creditTeam"]
    assert [m["name"] for m in credit["members"]] == ["Alice", "alice", "bob", "\u00c9mile"]
    assert credit["leader"]["id"] == gid("User", people["bob"].id)
    assert [t["name"] for t in data["teams"]["nodes"]] == ["Empty", "Night shift"]
    assert data["teams"]["totalCount"] == 2 and data["teams"]["nodes"][0]["members"] == []
    # and roles in the Role enum's order, the users list filtered and counted
    roles = {u["name"]: u["roles"] for u in data["users"]["nodes"]}
    assert roles["alice"] == ["ADMIN", "TECHNICIAN"] and roles["Zed"] == ["ADMIN"]
    assert data["users"]["totalCount"] == 5 == len(roles)
    kinds = {k["name"]: k for k in data["accountRequestTypes"]}
    assert list(kinds) == ["Audit", "Repair"] and kinds["Audit"]["isActive"] is False
    assert kinds["Repair"]["defaultAssignee"]["name"] == "\u00c9mile"


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{position}".encode()).decode().rstrip("=")


@pytest.mark.fast_paths
async def test_a_page_by_position_keeps_its_cursors(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given five staff users
    await _people()
    admin = await staff(Role.ADMIN, name="Zed")
    everyone = await gql("{ users(first: 10) { nodes { name } } }", token=admin.token)
    names = [user["name"] for user in everyone["users"]["nodes"]]
    # when the second page of two is read, edges and all
    page = await read_three_times(gql, count_statements, PAGE, {"after": _cursor(1)}, admin.token)
    # then it was one statement of the lane on PostgreSQL (its own: one root field)
    lane = lane_statements(count_statements)
    assert len(lane) == (1 if backends == "services" else 0)
    # and its cursors are the positions the usual way writes, the page facts right
    users = page["users"]
    assert [edge["cursor"] for edge in users["edges"]] == [_cursor(2), _cursor(3)]
    assert [edge["node"]["name"] for edge in users["edges"]] == names[2:4]
    assert users["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "endCursor": _cursor(3),
    }
    assert users["totalCount"] == 5


@pytest.mark.fast_paths
async def test_a_portal_contact_reads_the_settings_the_usual_way(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given the credit team set, and a portal contact (who sees no colleagues)
    await _people()
    contact = await portal_contact(await make_account("Acme"))
    document = "{ companySettings { currency creditTeam { name members { name } } } }"
    # when the contact reads the settings
    data = await read_three_times(gql, count_statements, document, {}, contact.token)
    # then the teams table is not whole for them: no lane statement, no credit team
    assert lane_statements(count_statements) == []
    assert data["companySettings"] == {"currency": "USD", "creditTeam": None}


@pytest.mark.fast_paths
async def test_a_refused_value_sends_the_whole_screen_the_standard_way(
    gql: GraphQLClient, count_statements: StatementCounter, backends: str
) -> None:
    # given the screen read, then a role the schema does not know stored behind the
    # app's back
    people, admin, _ = await _screen_read(gql, count_statements)
    await connections.get("default").execute_query(
        "UPDATE user_roles SET role = 'WIZARD'"
        f" WHERE user_id = {people['alice'].id} AND role = 'TECHNICIAN'"
    )
    # when the screen is read again
    count_statements.statements.clear()
    answer = await gql.raw(SCREEN, {}, token=admin.token)
    # then the one statement stopped at that value (on PostgreSQL), and the whole screen
    # was answered the standard way, which refuses it: its error where alice's roles
    # are, and, the users list being non-null, no data (no half answer of the lanes)
    combined = [sql for sql in count_statements.statements if COMBINED in sql]
    assert len(combined) == (1 if backends == "services" else 0)
    assert [error["path"][:2] for error in answer["errors"]] == [["users", "nodes"]]
    assert answer["data"] is None
