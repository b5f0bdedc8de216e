"""Account managers hear of new work on their accounts: "You will be told about its
requests from now on", as the mail that gives them an account promises.

A manager sees an account's requests when they manage it or one of its parents up to
`MANAGED_DEPTH` levels above (models.accounts.managed_accounts), so exactly those
managers are told: every notice leads to a request its recipient can open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from models import notifications
from models.accounts import MANAGED_DEPTH
from models.directory.accounts import Account
from models.directory.users import User
from models.permissions import Role
from models.viewer import Viewer

SUMMARY_LENGTH = 200


class RaisedRequest(Protocol):
    """What a notice tells of an account request (models.account_requests imports us)."""

    @property
    def id(self) -> int: ...
    @property
    def note(self) -> str | None: ...
    @property
    def assignee_id(self) -> int | None: ...


def _manager_columns() -> list[str]:
    columns, path = ["manager_id"], ""
    for _ in range(MANAGED_DEPTH):
        path += "parent__"
        columns.append(f"{path}manager_id")
    return columns


_MANAGER_COLUMNS = _manager_columns()


async def managers_of(account_id: int) -> list[User]:
    """The active account managers who see this account (one query for the chain,
    one for the people)."""
    found = await Account.filter(id=account_id).values(*_MANAGER_COLUMNS)
    ids = {value for row in found for value in row.values() if value is not None}
    if not ids:
        return []
    return list(
        await User.filter(
            id__in=sorted(ids),
            is_active=True,
            archived_at__isnull=True,
            roles__role=Role.ACCOUNT_MANAGER,
        )
        .distinct()
        .order_by("id")
    )


async def with_managers(users: Sequence[User], account_id: int) -> list[User]:
    """`users`, and the managers of the account who are not among them yet."""
    known = {user.id for user in users}
    return [*users, *(m for m in await managers_of(account_id) if m.id not in known)]


async def request_raised(
    viewer: Viewer, request: RaisedRequest, account: Account, type_name: str
) -> None:
    """Tell the managers of `account` that a request was raised on it.

    Not the manager who raised it, and not one the request is assigned to (they are
    told "Assigned to you" already).
    """
    skip = {viewer.user_id, request.assignee_id}
    managers = [m for m in await managers_of(account.id) if m.id not in skip]
    if not managers:
        return
    actor = viewer.user.name if viewer.user else viewer.contact.name if viewer.contact else ""
    label = f"request #{request.id} ({type_name})"
    summary = f": {request.note[:SUMMARY_LENGTH]}" if request.note else "."
    await notifications.notify(
        [notifications.Recipient(user=manager) for manager in managers],
        notifications.Message(
            kind=notifications.NotificationKind.ACCOUNT_REQUEST_RAISED,
            title=f"New {label} on {account.name}",
            body=f"{actor} raised {label} on {account.name}{summary}",
            subject_type="AccountRequest",
            subject_id=request.id,
        ),
    )
