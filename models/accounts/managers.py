"""Account managers: giving an account to a manager, telling them, releasing it."""

from __future__ import annotations

from dataclasses import dataclass

from models import notifications
from models.directory.accounts import Account
from models.directory.users import User, UserRole
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission, Role
from models.viewer import Viewer, require


@dataclass
class ManagerChange:
    account: Account
    previous_manager_id: int | None


async def set_account_manager(
    viewer: Viewer, account_id: int, manager_id: int | None
) -> ManagerChange:
    """Give an account to a user holding ACCOUNT_MANAGER (or to nobody)."""
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("accountId", "account")
    manager = None
    if manager_id is not None:
        manager = await User.get_or_none(id=manager_id)
        if manager is None:
            raise not_found("managerId", "user")
        if manager.archived_at is not None:
            raise DomainError(ErrorCode.USER_ARCHIVED, f"{manager.name} was removed.", "managerId")
        if not manager.is_active:
            raise DomainError(ErrorCode.USER_INACTIVE, "This user is inactive.", "managerId")
        if not await UserRole.filter(user_id=manager_id, role=Role.ACCOUNT_MANAGER).exists():
            raise DomainError(
                ErrorCode.NOT_ACCOUNT_MANAGER,
                f"{manager.name} does not hold the ACCOUNT_MANAGER role.",
                "managerId",
            )
    previous = account.manager_id
    account.manager_id = manager_id
    await account.save()
    if previous != manager_id:
        await _tell_managers(viewer, account, previous, manager)
    return ManagerChange(account=account, previous_manager_id=previous)


async def _tell_managers(
    viewer: Viewer, account: Account, previous_id: int | None, manager: User | None
) -> None:
    """The new manager learns of the account, the previous one that it was taken away.

    Nobody is told of their own doing.
    """
    facts = {
        "account_name": account.name,
        "account_number": account.number,
        "assigned_by": viewer.user.name if viewer.user else "Docket",
        "new_manager": manager.name if manager else "no one",
    }
    if manager is not None and manager.id != viewer.user_id:
        await notifications.notify(
            [notifications.Recipient(user=manager)],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_ASSIGNED,
                title=f"You now manage {account.name}",
                body=f"{facts['assigned_by']} made you the account manager of {account.name}.",
                subject_type="Account",
                subject_id=account.id,
                mail_template="account_assigned",
                mail_context=facts,
            ),
        )
    previous = await User.get_or_none(id=previous_id) if previous_id is not None else None
    if previous is not None and previous.id != viewer.user_id:
        await notifications.notify(
            [notifications.Recipient(user=previous)],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_UNASSIGNED,
                title=f"{account.name} was given to {facts['new_manager']}",
                body=f"{facts['assigned_by']} gave {account.name} to {facts['new_manager']}. "
                "You no longer manage it.",
                subject_type="Account",
                subject_id=account.id,
                mail_template="account_unassigned",
                mail_context=facts,
            ),
        )


async def unassign_manager(user_id: int) -> int:
    """Release every account of a manager who left or lost the role."""
    return await Account.filter(manager_id=user_id).update(manager_id=None)
