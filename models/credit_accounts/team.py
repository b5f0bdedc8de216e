"""The credit team named in company settings, and the admins: who decides and hears."""

from __future__ import annotations

from collections.abc import Iterable

from models import company
from models.directory.users import Team, TeamMember, User, UserRole
from models.permissions import Role


async def credit_team_ids() -> tuple[int | None, set[int]]:
    """(leader, members) of the credit team named in company settings."""
    settings = await company.get_settings()
    if settings.credit_team_id is None:
        return None, set()
    team = await Team.get_or_none(id=settings.credit_team_id)
    members = set(
        await TeamMember.filter(team_id=settings.credit_team_id).values_list("user_id", flat=True)
    )
    return (team.leader_id if team else None), {int(m) for m in members}  # type: ignore[call-overload]


async def active_users(ids: Iterable[int | None]) -> list[User]:
    """The active users among `ids` (None for nobody)."""
    wanted = [i for i in ids if i is not None]
    return list(await User.filter(id__in=wanted, is_active=True)) if wanted else []


async def admins() -> list[User]:
    """The active admins, who decide and hear when there is no credit team."""
    holders = await UserRole.filter(role=Role.ADMIN).values_list("user_id", flat=True)
    return await active_users(holders)  # type: ignore[arg-type]
