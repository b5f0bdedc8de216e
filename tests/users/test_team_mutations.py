"""createTeam / updateTeam: admins only; the leader is always a member; names are unique."""

from __future__ import annotations

from typing import Any

import pytest

from models import users
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, assert_user_error
from tests.factories import make_user, staff
from tests.ids import gid

TEAM_FIELDS = "id name leader { id } members { id name }"

CREATE_TEAM = f"""
mutation CreateTeam($input: CreateTeamInput!) {{
  createTeam(input: $input) {{
    team {{ {TEAM_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE_TEAM = f"""
mutation UpdateTeam($input: UpdateTeamInput!) {{
  updateTeam(input: $input) {{
    team {{ {TEAM_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

USER_TEAMS = "query Node($id: ID!) { node(id: $id) { ... on User { teams { name } } } }"


def member_ids(team: dict[str, Any]) -> set[str]:
    return {member["id"] for member in team["members"]}


async def team_with(name: str, leader: users.User | None, *members: users.User) -> users.Team:
    team = await users.Team.create(name=name, leader_id=leader.id if leader else None)
    for user in {*members, *([leader] if leader else [])}:
        await users.TeamMember.create(team_id=team.id, user_id=user.id)
    return team


# --- who may call them -----------------------------------------------------------


async def test_anonymous_cannot_create_or_update_teams(gql: GraphQLClient) -> None:
    # given
    team = await team_with("Crew", None)

    # when
    created = await gql.raw(CREATE_TEAM, {"input": {"name": "New"}})
    updated = await gql.raw(UPDATE_TEAM, {"input": {"id": gid("Team", team.id), "name": "X"}})

    # then
    assert_unauthenticated(created)
    assert_unauthenticated(updated)
    assert [t.name for t in await users.Team.all()] == ["Crew"]


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ACCOUNTING, Role.TECHNICIAN])
async def test_wrong_role_cannot_create_or_update_teams(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)
    team = await team_with("Crew", None)

    # when
    created = await gql.raw(CREATE_TEAM, {"input": {"name": "New"}}, token=viewer.token)
    updated = await gql.raw(
        UPDATE_TEAM,
        {"input": {"id": gid("Team", team.id), "memberIds": [gid("User", viewer.id)]}},
        token=viewer.token,
    )

    # then
    assert_forbidden(created)
    assert_forbidden(updated)
    assert await users.Team.all().count() == 1
    assert await users.TeamMember.all().count() == 0


# --- createTeam ------------------------------------------------------------------


async def test_admin_creates_a_team_whose_leader_is_a_member(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    leader = await make_user(Role.DISPATCHER, name="Lea")
    member = await make_user(Role.TECHNICIAN, name="Max")

    # when
    data = await gql(
        CREATE_TEAM,
        {
            "input": {
                "name": "  Night Shift ",
                "leaderId": gid("User", leader.id),
                "memberIds": [gid("User", member.id), gid("User", member.id)],
            }
        },
        token=admin.token,
    )

    # then
    payload = data["createTeam"]
    assert payload["userErrors"] == []
    team = payload["team"]
    assert team["name"] == "Night Shift"
    assert team["leader"] == {"id": gid("User", leader.id)}
    assert [m["name"] for m in team["members"]] == ["Lea", "Max"]
    teams = await gql(USER_TEAMS, {"id": gid("User", leader.id)}, token=admin.token)
    assert teams["node"]["teams"] == [{"name": "Night Shift"}]


async def test_a_team_may_start_empty(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(CREATE_TEAM, {"input": {"name": "Empty"}}, token=admin.token)
    assert data["createTeam"]["team"]["leader"] is None
    assert data["createTeam"]["team"]["members"] == []


async def test_team_names_are_unique(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await team_with("Crew", None)

    # when
    data = await gql(CREATE_TEAM, {"input": {"name": " Crew "}}, token=admin.token)

    # then
    assert data["createTeam"]["team"] is None
    assert_user_error(data["createTeam"], "DUPLICATE", ["input", "name"])
    assert await users.Team.all().count() == 1


async def test_blank_team_name_is_refused(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(CREATE_TEAM, {"input": {"name": "  "}}, token=admin.token)
    assert_user_error(data["createTeam"], "REQUIRED", ["input", "name"])


@pytest.mark.parametrize("field", ["memberIds", "leaderId"])
async def test_unknown_people_are_not_found(gql: GraphQLClient, field: str) -> None:
    # given
    admin = await staff(Role.ADMIN)
    known = await make_user(Role.TECHNICIAN)
    unknown = gid("User", 999_999)
    people: dict[str, Any] = {
        "memberIds": [gid("User", known.id), unknown] if field == "memberIds" else [],
        "leaderId": unknown if field == "leaderId" else None,
    }

    # when
    data = await gql(CREATE_TEAM, {"input": {"name": "Crew", **people}}, token=admin.token)

    # then
    assert_user_error(data["createTeam"], "NOT_FOUND", ["input", field])
    assert await users.Team.all().count() == 0
    assert await users.TeamMember.all().count() == 0


async def test_an_id_of_another_type_is_not_a_member(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    team = await team_with("Other", None)
    data = await gql(
        CREATE_TEAM,
        {"input": {"name": "Crew", "memberIds": [gid("Team", team.id)]}},
        token=admin.token,
    )
    assert_user_error(data["createTeam"], "NOT_FOUND", ["input", "memberIds"])


async def test_member_list_is_capped(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ids = [gid("User", admin.id)] * 101

    # when
    body = await gql.raw(CREATE_TEAM, {"input": {"name": "Crew", "memberIds": ids}}, admin.token)

    # then
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await users.Team.all().count() == 0


# --- updateTeam ------------------------------------------------------------------


async def test_rename_keeps_leader_and_members(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    leader = await make_user(Role.DISPATCHER)
    member = await make_user(Role.TECHNICIAN)
    team = await team_with("Crew", leader, member)

    # when
    data = await gql(
        UPDATE_TEAM, {"input": {"id": gid("Team", team.id), "name": "Day Crew"}}, token=admin.token
    )

    # then
    updated = data["updateTeam"]["team"]
    assert updated["name"] == "Day Crew"
    assert updated["leader"] == {"id": gid("User", leader.id)}
    assert member_ids(updated) == {gid("User", leader.id), gid("User", member.id)}


async def test_renaming_to_its_own_name_is_fine(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    team = await team_with("Crew", None)
    data = await gql(
        UPDATE_TEAM, {"input": {"id": gid("Team", team.id), "name": "Crew"}}, token=admin.token
    )
    assert data["updateTeam"]["userErrors"] == []


async def test_renaming_to_another_teams_name_is_refused(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    await team_with("Alpha", None)
    team = await team_with("Beta", None)
    data = await gql(
        UPDATE_TEAM, {"input": {"id": gid("Team", team.id), "name": "Alpha"}}, token=admin.token
    )
    assert_user_error(data["updateTeam"], "DUPLICATE", ["input", "name"])
    assert (await users.Team.get(id=team.id)).name == "Beta"


async def test_new_member_list_keeps_the_leader(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    leader = await make_user(Role.DISPATCHER)
    old = await make_user(Role.TECHNICIAN)
    new = await make_user(Role.TECHNICIAN)
    team = await team_with("Crew", leader, old)

    # when
    data = await gql(
        UPDATE_TEAM,
        {"input": {"id": gid("Team", team.id), "memberIds": [gid("User", new.id)]}},
        token=admin.token,
    )

    # then
    assert member_ids(data["updateTeam"]["team"]) == {gid("User", leader.id), gid("User", new.id)}


async def test_new_leader_joins_the_team(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    old_leader = await make_user(Role.DISPATCHER)
    new_leader = await make_user(Role.DISPATCHER)
    team = await team_with("Crew", old_leader)

    # when
    data = await gql(
        UPDATE_TEAM,
        {"input": {"id": gid("Team", team.id), "leaderId": gid("User", new_leader.id)}},
        token=admin.token,
    )

    # then
    updated = data["updateTeam"]["team"]
    assert updated["leader"] == {"id": gid("User", new_leader.id)}
    assert member_ids(updated) == {gid("User", old_leader.id), gid("User", new_leader.id)}


async def test_new_leader_and_members_together(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    old_leader = await make_user(Role.DISPATCHER)
    new_leader = await make_user(Role.DISPATCHER)
    team = await team_with("Crew", old_leader)
    data = await gql(
        UPDATE_TEAM,
        {
            "input": {
                "id": gid("Team", team.id),
                "leaderId": gid("User", new_leader.id),
                "memberIds": [],
            }
        },
        token=admin.token,
    )
    assert member_ids(data["updateTeam"]["team"]) == {gid("User", new_leader.id)}


async def test_null_leader_removes_the_leader_but_not_the_member(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    leader = await make_user(Role.DISPATCHER)
    team = await team_with("Crew", leader)

    # when
    data = await gql(
        UPDATE_TEAM, {"input": {"id": gid("Team", team.id), "leaderId": None}}, token=admin.token
    )

    # then
    updated = data["updateTeam"]["team"]
    assert updated["leader"] is None
    assert member_ids(updated) == {gid("User", leader.id)}


async def test_refused_update_writes_nothing(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    member = await make_user(Role.TECHNICIAN)
    team = await team_with("Crew", None, member)

    # when
    data = await gql(
        UPDATE_TEAM,
        {
            "input": {
                "id": gid("Team", team.id),
                "name": "Renamed",
                "memberIds": [gid("User", 999_999)],
            }
        },
        token=admin.token,
    )

    # then
    assert_user_error(data["updateTeam"], "NOT_FOUND", ["input", "memberIds"])
    assert (await users.Team.get(id=team.id)).name == "Crew"
    assert await users.TeamMember.filter(team_id=team.id).values_list("user_id", flat=True) == [
        member.id
    ]


@pytest.mark.parametrize("team_id", [gid("Team", 999_999), gid("User", 1)])
async def test_update_unknown_team(gql: GraphQLClient, team_id: str) -> None:
    admin = await staff(Role.ADMIN)
    data = await gql(UPDATE_TEAM, {"input": {"id": team_id, "name": "X"}}, token=admin.token)
    assert_user_error(data["updateTeam"], "NOT_FOUND", ["input", "id"])
