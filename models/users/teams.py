"""Creating and changing teams, their leader and members."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from models.directory.users import Team, TeamMember, User
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.users.operations import get_user
from models.validation import clean_text
from models.viewer import Viewer, require


@dataclass
class TeamData:
    name: str | None = None
    leader_id: int | None = None
    clear_leader: bool = False
    member_ids: list[int] | None = None


async def _check_team(team: Team | None, data: TeamData) -> None:
    if data.name is not None:
        data.name = clean_text(data.name, "name", 200)
        clash = Team.filter(name=data.name)
        if team is not None:
            clash = clash.exclude(id=team.id)
        if await clash.exists():
            raise DomainError(ErrorCode.DUPLICATE, "Another team has this name.", "name")
    if data.leader_id is not None:
        leader = await get_user(data.leader_id, "leaderId")
        if leader.archived_at is not None:
            raise DomainError(ErrorCode.USER_ARCHIVED, f"{leader.name} was removed.", "leaderId")
    if data.member_ids is not None:
        wanted = set(data.member_ids)
        found = set(await User.filter(id__in=list(wanted)).values_list("id", flat=True))
        if wanted - found:
            raise not_found("memberIds", "user")
        gone = await User.filter(id__in=list(wanted), archived_at__isnull=False).first()
        if gone is not None:
            raise DomainError(ErrorCode.USER_ARCHIVED, f"{gone.name} was removed.", "memberIds")


async def _set_members(team: Team, member_ids: Iterable[int]) -> None:
    wanted = set(member_ids)
    await TeamMember.filter(team_id=team.id).exclude(user_id__in=list(wanted)).delete()
    held = set(await TeamMember.filter(team_id=team.id).values_list("user_id", flat=True))
    await TeamMember.bulk_create(
        [TeamMember(team_id=team.id, user_id=user_id) for user_id in wanted - held]
    )


async def _member_ids(team_id: int) -> set[int]:
    rows = await TeamMember.filter(team_id=team_id).values_list("user_id", flat=True)
    return set(cast("list[int]", rows))


async def create_team(viewer: Viewer, data: TeamData) -> Team:
    require(viewer, Permission.MANAGE_SETUP)
    if not data.name:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    await _check_team(None, data)
    assert data.name is not None
    team = await Team.create(name=data.name, leader_id=data.leader_id)
    members = set(data.member_ids or [])
    if data.leader_id is not None:
        members.add(data.leader_id)  # a leader is always one of the team
    await _set_members(team, members)
    return team


async def update_team(viewer: Viewer, team_id: int, data: TeamData) -> Team:
    require(viewer, Permission.MANAGE_SETUP)
    team = await Team.select_for_update().get_or_none(id=team_id)
    if team is None:
        raise not_found("id", "team")
    await _check_team(team, data)
    if data.name is not None:
        team.name = data.name
    if data.clear_leader:
        team.leader_id = None
    elif data.leader_id is not None:
        team.leader_id = data.leader_id
    await team.save()
    if data.member_ids is not None or data.leader_id is not None:
        members: set[int] = (
            set(data.member_ids) if data.member_ids is not None else await _member_ids(team.id)
        )
        if team.leader_id is not None:
            members.add(team.leader_id)
        await _set_members(team, members)
    return team
