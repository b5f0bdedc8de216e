"""The workflow of a request (where each status may go) and the checks its fields pass."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol

from models.account_requests.tables import AccountRequest, RequestStatus
from models.account_requests.visibility import Editable, edits_without_managing, may_reopen
from models.assignees import check_assignee
from models.directory.accounts import Contact
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.request_types import AccountRequestType
from models.validation import optional_text
from models.viewer import Viewer
from models.zones import today_in

NOTE_LENGTH = 10_000

S = RequestStatus

CLOSED = frozenset({S.COMPLETED, S.CANCELLED})

# Where each status may go next. Leaving COMPLETED or CANCELLED is a reopen,
# which needs the right to edit every request (or the account manager's own).
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.COMPLETED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.WAITING_ON_CUSTOMER, S.COMPLETED, S.CANCELLED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.OPEN, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset({S.OPEN, S.IN_PROGRESS}),
    S.CANCELLED: frozenset({S.OPEN}),
}

# Workflow order, for sorting by status.
STATUS_RANK = {status: rank for rank, status in enumerate(RequestStatus)}


@dataclass
class RequestData:
    account_id: int | None = None
    type_id: int | None = None
    status: RequestStatus | None = None
    assignee_id: int | None = None
    clear_assignee: bool = False
    contact_id: int | None = None
    clear_contact: bool = False
    note: str | None = None
    internal: bool | None = None  # staff only
    for_date: date | None = None


async def active_type(type_id: int, field: str = "typeId") -> AccountRequestType:
    """A request type still in use."""
    row = await AccountRequestType.get_or_none(id=type_id)
    if row is None:
        raise not_found(field, "request type")
    if not row.is_active:
        raise DomainError(
            ErrorCode.TYPE_INACTIVE, f"The type {row.name} is no longer in use.", field
        )
    return row


async def contact_of(account_id: int, contact_id: int, field: str = "contactId") -> Contact:
    """A contact of the request's account."""
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None or contact.account_id != account_id:
        raise DomainError(
            ErrorCode.CONTACT_NOT_OF_ACCOUNT, "The contact must belong to the account.", field
        )
    return contact


async def default_assignee(request_type: AccountRequestType, account_id: int) -> int | None:
    """The type's default assignee while they may work requests of this account, else nobody.

    Deactivating a user, archiving them or taking their roles leaves type setups
    pointing at them, and an account manager sees only their own accounts; a new
    request then starts unassigned rather than refused or sent where it cannot be seen.
    """
    user_id = request_type.default_assignee_id
    if user_id is None:
        return None
    try:
        await check_assignee(user_id, "typeId", account_id)
    except DomainError:
        return None
    return user_id


def clean_note(value: str | None) -> str:
    return optional_text(value, "note", NOTE_LENGTH) or ""


async def check_transition(viewer: Viewer, request: AccountRequest, target: RequestStatus) -> None:
    allowed = TRANSITIONS[request.status]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise DomainError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            f"A {request.status.value} request can move to {names} only.",
            "status",
        )
    if request.status in CLOSED and not await may_reopen(viewer, request):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "Reopening a closed request needs a dispatcher, an admin or its account manager.",
            "status",
        )


class WorkflowRow(Editable, Protocol):
    """What `next_statuses` reads of a request."""

    status: RequestStatus


def next_statuses(
    viewer: Viewer, rows: Sequence[WorkflowRow], managed: Collection[int]
) -> list[list[RequestStatus]]:
    """For each request, the statuses this viewer may move it to (workflow order): none
    for whoever may not edit it (portal contacts included), and no reopening for whoever
    may not reopen. `managed`: which of the rows' accounts the viewer works as their
    account manager (`managed_among`, or a loader of it)."""
    reopens_all = viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS)
    found: list[list[RequestStatus]] = []
    for row in rows:
        manages = row.account_id in managed
        if not (edits_without_managing(viewer, row) or manages) or (
            row.status in CLOSED and not (reopens_all or manages)
        ):
            found.append([])
        else:
            found.append(sorted(TRANSITIONS[row.status], key=STATUS_RANK.__getitem__))
    return found


def for_date_of(for_date: date | None, created_at: datetime, zone: tzinfo) -> date:
    """The day a request is for: its own, or (rows older than the column) the day it was
    raised on in the company's time zone `zone`."""
    return for_date or today_in(zone, created_at)
