"""Loaders for staff users, their roles and teams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from fastpath.batch import BatchLoader
from loaders.base import WholeTable, rows_by_id
from models import users
from models.permissions import Role
from models.viewer import Viewer


class UserLoaders:
    WHOLE_TABLES: ClassVar[dict[str, WholeTable]] = {
        "users_by_id": (users.User, users.sees_every_colleague),
        "teams_by_id": (users.Team, users.sees_every_colleague),
    }

    def __init__(self, viewer: Viewer) -> None:
        self.users_by_id: BatchLoader[int, users.User | None] = rows_by_id(
            lambda: users.visible_users(viewer)
        )
        self.teams_by_id: BatchLoader[int, users.Team | None] = rows_by_id(
            lambda: users.visible_teams(viewer)
        )
        self.roles_by_user_id: BatchLoader[int, list[Role]] = BatchLoader(load_fn=_roles)
        self.members_by_team_id: BatchLoader[int, list[users.User]] = BatchLoader(
            load_fn=lambda keys: _members(viewer, keys)
        )
        self.teams_by_user_id: BatchLoader[int, list[users.Team]] = BatchLoader(
            load_fn=lambda keys: _teams(viewer, keys)
        )


async def _roles(user_ids: Sequence[int]) -> list[list[Role]]:
    found = await users.role_map(user_ids)
    return [found.get(user_id, []) for user_id in user_ids]


# `_members` as SQL (fastpath.Listed, made into Users by the schema): the members of the
# team of row `{row}`, by name (as Python orders strings: codepoints) and key. Written
# only where `users_by_id` reads the whole table (the visibility `_members` applies).
MEMBERS_SQL = (
    'SELECT u.* FROM "team_members" m JOIN "users" u ON u."id" = m."user_id"'
    ' WHERE m."team_id" = {row}."id"'
)
MEMBERS_ORDER = '{listed}."name" COLLATE "C", {listed}."id"'


async def _members(viewer: Viewer, team_ids: Sequence[int]) -> list[list[users.User]]:
    pairs = await users.TeamMember.filter(team_id__in=list(set(team_ids))).values_list(
        "team_id", "user_id"
    )
    people = {
        user.id: user
        for user in await users.visible_users(viewer).filter(
            id__in=list({user_id for _, user_id in pairs})
        )
    }
    grouped: dict[int, list[users.User]] = {team_id: [] for team_id in team_ids}
    for team_id, user_id in pairs:
        if user_id in people:
            grouped[team_id].append(people[user_id])
    return [sorted(grouped[team_id], key=lambda u: (u.name, u.id)) for team_id in team_ids]


async def _teams(viewer: Viewer, user_ids: Sequence[int]) -> list[list[users.Team]]:
    pairs = await users.TeamMember.filter(user_id__in=list(set(user_ids))).values_list(
        "user_id", "team_id"
    )
    teams = {
        team.id: team
        for team in await users.visible_teams(viewer).filter(
            id__in=list({team_id for _, team_id in pairs})
        )
    }
    grouped: dict[int, list[users.Team]] = {user_id: [] for user_id in user_ids}
    for user_id, team_id in pairs:
        if team_id in teams:
            grouped[user_id].append(teams[team_id])
    return [sorted(grouped[user_id], key=lambda t: (t.name, t.id)) for user_id in user_ids]
