"""Who may be given work: the eligibility rule shared by requests, items, types and jobs."""

from __future__ import annotations

from models.directory.users import User, UserRole
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Role

ELIGIBLE_ASSIGNEES = (Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNT_MANAGER)


async def eligible_user(user_id: int, field: str, roles: tuple[Role, ...], work: str) -> User:
    """An active user holding one of `roles`, to be given `work` (requests, jobs)."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found(field, "user")
    if not user.is_active:
        raise DomainError(ErrorCode.USER_INACTIVE, f"{user.name} is inactive.", field)
    if not await UserRole.filter(user_id=user_id, role__in=list(roles)).exists():
        needed = ", ".join(role.value for role in roles)
        raise DomainError(
            ErrorCode.ASSIGNEE_NOT_ELIGIBLE,
            f"{user.name} does not work {work} (needs one of {needed}).",
            field,
        )
    return user


async def check_assignee(user_id: int, field: str) -> User:
    """An assignee is an active staff user who works requests."""
    return await eligible_user(user_id, field, ELIGIBLE_ASSIGNEES, "requests")
