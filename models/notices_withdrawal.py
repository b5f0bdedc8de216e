"""Withdrawing the notices of things their recipient can no longer open.

When someone's sight shrinks (an account given to another manager) their notifications
about what they no longer see are deleted, in the caller's transaction; a notice that
only tells of something taken away keeps its text and loses its link instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import account_requests, accounts, credit_accounts, service_requests
from models import linked_items as li
from models.directory.accounts import Account
from models.directory.users import User, role_map
from models.notifications import Notification, NotificationKind
from models.viewer import Viewer

# Kinds that only tell of something taken away: kept without their subject.
TAKEN_AWAY = frozenset(
    {NotificationKind.ACCOUNT_UNASSIGNED, NotificationKind.ACCOUNT_REQUEST_UNASSIGNED}
)

Visible = Callable[[Viewer], Awaitable[QuerySet[Any]]]


async def _credit_requests(viewer: Viewer) -> QuerySet[Any]:
    return await credit_accounts.visible_credit_requests(viewer)


def _sync(scope: Callable[[Viewer], QuerySet[Any]]) -> Visible:
    async def visible(viewer: Viewer) -> QuerySet[Any]:
        return scope(viewer)

    return visible


def _items(kind: li.Kind) -> Visible:
    return _sync(lambda viewer: li.visible_items(viewer, kind))


# What each subject type's visibility is; a type not named here is left alone.
VISIBLE: dict[str, Visible] = {
    "Account": _sync(accounts.visible_accounts),
    "AccountRequest": _sync(account_requests.visible_account_requests),
    "ServiceRequest": _sync(service_requests.visible_service_requests),
    "Job": _sync(service_requests.visible_jobs),
    "CreditAccountRequest": _credit_requests,
    **{type_name: _items(kind) for type_name, kind in li.KIND_OF_TYPE.items()},
}


async def withdraw_unreachable(user_ids: Iterable[int]) -> int:
    """Delete the notifications of these users whose subject they can no longer see (a
    taken-away notice keeps its text, without the subject); returns how many changed.

    One query per user and subject type present, whatever the number of notifications.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return 0
    rows = await (
        Notification.filter(user_id__in=wanted, subject_type__in=list(VISIBLE))
        .distinct()
        .values_list("user_id", "subject_type", "subject_id")
    )
    subjects: dict[tuple[int, str], set[int]] = {}
    for user_id, subject_type, subject_id in rows:
        if subject_id is not None:
            subjects.setdefault((user_id, subject_type), set()).add(subject_id)
    if not subjects:
        return 0
    users = {u.id: u for u in await User.filter(id__in=sorted({k[0] for k in subjects}))}
    roles = await role_map(list(users))
    changed = 0
    for (user_id, subject_type), ids in sorted(subjects.items()):
        viewer = Viewer(user=users[user_id], roles=frozenset(roles.get(user_id, ())))
        scope = await VISIBLE[subject_type](viewer)
        seen = set(await scope.filter(id__in=sorted(ids)).values_list("id", flat=True))
        gone = sorted(ids - seen)
        if not gone:
            continue
        lost = Notification.filter(user_id=user_id, subject_type=subject_type, subject_id__in=gone)
        changed += await lost.filter(kind__in=list(TAKEN_AWAY)).update(
            subject_type=None, subject_id=None
        )
        changed += await lost.exclude(kind__in=list(TAKEN_AWAY)).delete()
    return changed


async def hand_over_account(
    viewer: Viewer, account_id: int, manager_id: int | None
) -> accounts.ManagerChange:
    """Give an account to a manager (see `accounts.set_account_manager`); the former
    manager's notices of what they no longer see are withdrawn."""
    change = await accounts.set_account_manager(viewer, account_id, manager_id)
    if change.previous_manager_id is not None and change.previous_manager_id != manager_id:
        await withdraw_unreachable([change.previous_manager_id])
    return change


class Assigned(Protocol):
    """A row of work on an account, given to someone (request, task, appointment...)."""

    account_id: int
    assignee_id: int | None


W = TypeVar("W", bound=Assigned)


async def reassigning(model: type[Model], row_id: int, change: Callable[[], Awaitable[W]]) -> W:
    """Run `change`, an edit of one row of `model` (in the caller's transaction); whoever's
    sight it shrank loses the notices of what they no longer see: the former assignee, and
    the former account's manager when the row moved to another account."""
    before = await model.filter(id=row_id).values("assignee_id", "account_id")
    row = await change()
    if not before:
        return row
    was = before[0]
    people = []
    if was["assignee_id"] is not None and was["assignee_id"] != row.assignee_id:
        people.append(was["assignee_id"])
    if was["account_id"] != row.account_id:
        managers = Account.filter(id=was["account_id"], manager_id__isnull=False)
        people += await managers.values_list("manager_id", flat=True)
    await withdraw_unreachable(people)
    return row
