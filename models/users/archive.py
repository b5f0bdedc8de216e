"""Archiving (deleting) a staff user, and restoring one archived by mistake.

An archived user is gone from pickers and the users list, holds no accounts, no
open work and no team seat, and cannot sign in; their row stays, so the history
they are part of (timelines, "created by", decisions) keeps their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from models import account_requests, accounts, auth
from models.clock import now
from models.credit_accounts.tables import CreditAccountRequest, CreditRequestStatus
from models.directory.users import Team, TeamMember, User
from models.errors import DomainError, ErrorCode, not_found
from models.linked_items import Appointment, AppointmentStatus, Task, TaskStatus
from models.permissions import Permission
from models.request_types import AccountRequestType
from models.viewer import Viewer, require

OPEN_REQUESTS = [
    status for status in account_requests.RequestStatus if status not in account_requests.CLOSED
]


@dataclass
class Archived:
    """The archived user and what was taken from them."""

    user: User
    released_account_ids: list[int]
    unassigned_request_ids: list[int]


async def archive_user(viewer: Viewer, user_id: int) -> Archived:
    """Archive a user: sessions end, accounts are released, open work is unassigned
    (requests, tasks, appointments, pending credit requests), team seats are taken."""
    require(viewer, Permission.MANAGE_SETUP)
    user = await User.select_for_update().get_or_none(id=user_id)
    if user is None:
        raise not_found("userId", "user")
    if user.id == viewer.user_id:
        raise DomainError(ErrorCode.FORBIDDEN, "You cannot archive yourself.", "userId")
    if user.archived_at is not None:
        return Archived(user=user, released_account_ids=[], unassigned_request_ids=[])
    user.archived_at = now()
    user.is_active = False
    await user.save(update_fields=["archived_at", "is_active", "updated_at"])
    released = await accounts.Account.filter(manager_id=user.id).values_list("id", flat=True)
    await accounts.unassign_manager(user.id)
    unassigned = await _unassign_requests(viewer, user.id)
    await Task.filter(assignee_id=user.id, status=TaskStatus.OPEN).update(assignee_id=None)
    await Appointment.filter(assignee_id=user.id, status=AppointmentStatus.PENDING).update(
        assignee_id=None
    )
    await CreditAccountRequest.filter(
        assignee_id=user.id, status=CreditRequestStatus.PENDING
    ).update(assignee_id=None)
    await TeamMember.filter(user_id=user.id).delete()
    await Team.filter(leader_id=user.id).update(leader_id=None)
    await AccountRequestType.filter(default_assignee_id=user.id).update(default_assignee_id=None)
    await auth.revoke_tokens(user_id=user.id)
    return Archived(
        user=user,
        released_account_ids=sorted(cast("list[int]", released)),
        unassigned_request_ids=unassigned,
    )


async def _unassign_requests(viewer: Viewer, user_id: int) -> list[int]:
    """Their open requests go back to the unassigned queue, each with a timeline entry."""
    rows = (
        await account_requests.AccountRequest.select_for_update()
        .filter(assignee_id=user_id, status__in=OPEN_REQUESTS)
        .order_by("id")
    )
    for request in rows:
        request.assignee_id = None
        await request.save(update_fields=["assignee_id", "updated_at"])
        await account_requests.record_event(
            request, viewer, account_requests.EventKind.ASSIGNED, str(user_id), None
        )
        account_requests.publish_change(request)
        await account_requests.announce_update(request, ["assigneeId"])
        await account_requests.announce_assignment(request, user_id)
    return [request.id for request in rows]


async def restore_user(viewer: Viewer, user_id: int) -> User:
    """Bring an archived user back: active again with their roles, nothing else returned."""
    require(viewer, Permission.MANAGE_SETUP)
    user = await User.select_for_update().get_or_none(id=user_id)
    if user is None:
        raise not_found("userId", "user")
    if user.archived_at is None:
        return user
    user.archived_at = None
    user.is_active = True
    await user.save(update_fields=["archived_at", "is_active", "updated_at"])
    return user
