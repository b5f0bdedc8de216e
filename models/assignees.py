"""Who may be given work: the eligibility rule shared by requests, items, types and jobs.

Any active staff user holding a role may be assigned account work, provided their
role lets them see the account it is about (every account, or the ones they
manage). Once assigned, they can always open and work it (see the visibility of
each domain), so an assignment never leads to nothing.
"""

from __future__ import annotations

from models.accounts.visibility import role_visible_accounts
from models.directory.accounts import Account
from models.directory.users import User, UserRole, role_map
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Role
from models.viewer import Viewer

# Every staff role works requests assigned to it.
ELIGIBLE_ASSIGNEES = tuple(Role)


async def usable_user(user_id: int, field: str) -> User:
    """A user who may still be given something: known, not archived, active."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found(field, "user")
    if user.archived_at is not None:
        raise DomainError(ErrorCode.USER_ARCHIVED, f"{user.name} was removed.", field)
    if not user.is_active:
        raise DomainError(ErrorCode.USER_INACTIVE, f"{user.name} is inactive.", field)
    return user


async def eligible_user(user_id: int, field: str, roles: tuple[Role, ...], work: str) -> User:
    """An active user holding one of `roles`, to be given `work` (requests, jobs)."""
    user = await usable_user(user_id, field)
    if not await UserRole.filter(user_id=user_id, role__in=list(roles)).exists():
        needed = ", ".join(role.value for role in roles)
        raise DomainError(
            ErrorCode.ASSIGNEE_NOT_ELIGIBLE,
            f"{user.name} does not work {work} (needs one of {needed}).",
            field,
        )
    return user


async def sees_account(user: User, account_id: int) -> bool:
    """Does this user's role let them see the account (all accounts, or managed ones)?"""
    roles = frozenset((await role_map([user.id]))[user.id])
    viewer = Viewer(user=user, roles=roles)
    return await role_visible_accounts(viewer).filter(id=account_id).exists()


async def check_assignee(user_id: int, field: str, account_id: int | None = None) -> User:
    """An assignee is an active staff user; for work on an account, one who sees it.

    Without `account_id` (a request type's default assignee) only the person is checked.
    """
    user = await eligible_user(user_id, field, ELIGIBLE_ASSIGNEES, "requests")
    if account_id is not None and not await sees_account(user, account_id):
        account = await Account.get_or_none(id=account_id)
        name = account.name if account is not None else "this account"
        raise DomainError(
            ErrorCode.ASSIGNEE_CANNOT_SEE_ACCOUNT,
            f"{user.name} cannot see {name}: assign someone who sees every account, or "
            "its account manager.",
            field,
        )
    return user
