"""Changing a request: every change a timeline event; moving it to another account."""

from __future__ import annotations

from models import accounts
from models.account_requests.rules import (
    STATUS_RANK,
    RequestData,
    active_type,
    check_transition,
    clean_note,
    contact_of,
)
from models.account_requests.tables import AccountRequest, EventKind
from models.account_requests.timeline import (
    announce_assignment,
    announce_update,
    publish_change,
    record_event,
    tell_assignees,
)
from models.account_requests.visibility import manages_account, may_edit, visible_account_requests
from models.assignees import check_assignee
from models.directory.accounts import Account, Contact
from models.errors import DomainError, ErrorCode, not_found
from models.linked_items import has_links
from models.permissions import Permission
from models.viewer import Viewer, require
from models.zones import company_zone, today_in

# The input field each kind of change is about, as a webhook's `changedFields` names it.
CHANGED_FIELDS = {
    EventKind.ACCOUNT_CHANGED: "accountId",
    EventKind.TYPE_CHANGED: "typeId",
    EventKind.CONTACT_CHANGED: "contactId",
    EventKind.NOTE_CHANGED: "note",
    EventKind.FOR_DATE_CHANGED: "forDate",
    EventKind.INTERNAL_CHANGED: "internal",
    EventKind.STATUS_CHANGED: "status",
    EventKind.ASSIGNED: "assigneeId",
}


async def update_request(viewer: Viewer, request_id: int, data: RequestData) -> AccountRequest:
    """Change a request; every change is a timeline event, assignment notifies."""
    require(
        viewer,
        Permission.EDIT_ALL_ACCOUNT_REQUESTS,
        Permission.EDIT_OWN_ACCOUNT_REQUESTS,
        Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
    )
    request = await visible_account_requests(viewer).select_for_update().get_or_none(id=request_id)
    if request is None:
        raise not_found("id", "account request")
    if not await may_edit(viewer, request):
        raise DomainError(ErrorCode.FORBIDDEN, "You may edit only requests assigned to you.", "id")
    # Inactive accounts refuse request work, edits of their existing requests included.
    accounts.ensure_active(await Account.get(id=request.account_id), "id")
    changes: list[tuple[EventKind, str | None, str | None]] = []
    was_for_date = request.for_date
    moved_to: Account | None = None
    if data.account_id is not None and data.account_id != request.account_id:
        moved_to = await _move(viewer, request, data.account_id)
        changes.append((EventKind.ACCOUNT_CHANGED, str(request.account_id), str(moved_to.id)))
        request.account_id = moved_to.id
    if data.type_id is not None and data.type_id != request.type_id:
        await active_type(data.type_id)
        changes.append((EventKind.TYPE_CHANGED, str(request.type_id), str(data.type_id)))
        request.type_id = data.type_id
    if data.clear_contact and request.contact_id is not None:
        changes.append((EventKind.CONTACT_CHANGED, str(request.contact_id), None))
        request.contact_id = None
    elif data.contact_id is not None and data.contact_id != request.contact_id:
        await contact_of(request.account_id, data.contact_id)
        changes.append((EventKind.CONTACT_CHANGED, _str(request.contact_id), str(data.contact_id)))
        request.contact_id = data.contact_id
    elif request.contact_id is not None and moved_to is not None:
        await _contact_moves_along(request.contact_id, moved_to)
    if data.note is not None and clean_note(data.note) != request.note:
        changes.append((EventKind.NOTE_CHANGED, request.note, clean_note(data.note)))
        request.note = clean_note(data.note)
    if data.for_date is not None and data.for_date != request.for_date:
        was = request.for_date or today_in(await company_zone(), request.created_at)
        if data.for_date != was:
            changes.append((EventKind.FOR_DATE_CHANGED, was.isoformat(), data.for_date.isoformat()))
        request.for_date = data.for_date
    if data.internal is not None and data.internal != request.internal:
        changes.append((EventKind.INTERNAL_CHANGED, _flag(request.internal), _flag(data.internal)))
        request.internal = data.internal
    if data.status is not None and data.status != request.status:
        await check_transition(viewer, request, data.status)
        changes.append((EventKind.STATUS_CHANGED, request.status.value, data.status.value))
        request.status = data.status
        request.status_rank = STATUS_RANK[data.status]
    previous_assignee = request.assignee_id
    if data.clear_assignee and request.assignee_id is not None:
        request.assignee_id = None
    elif data.assignee_id is not None and data.assignee_id != request.assignee_id:
        await check_assignee(data.assignee_id, "assigneeId", request.account_id)
        request.assignee_id = data.assignee_id
    if request.assignee_id != previous_assignee:
        changes.append((EventKind.ASSIGNED, _str(previous_assignee), _str(request.assignee_id)))
    if not changes and request.for_date == was_for_date:
        return request
    await request.save()
    for kind, before, after in changes:
        await record_event(request, viewer, kind, before, after)
    if request.assignee_id != previous_assignee:
        await tell_assignees(viewer, request, previous_assignee, request.assignee_id)
    publish_change(request)
    changed = list(dict.fromkeys(CHANGED_FIELDS[kind] for kind, _, _ in changes))
    await announce_update(request, changed or ["forDate"])
    if request.assignee_id != previous_assignee:
        await announce_assignment(request, previous_assignee)
    return request


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


async def _move(viewer: Viewer, request: AccountRequest, account_id: int) -> Account:
    """The account a request may move to; the caller records the move."""
    target = await accounts.visible_account(viewer, account_id)
    accounts.ensure_active(target)
    if not viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS) and not await manages_account(
        viewer, target.id
    ):
        raise DomainError(
            ErrorCode.FORBIDDEN, "You may move requests to your own accounts only.", "accountId"
        )
    if await has_linked_items(request):
        raise DomainError(
            ErrorCode.HAS_LINKED_ITEMS,
            "Unlink the items of the old account before moving the request.",
            "accountId",
        )
    return target


async def _contact_moves_along(contact_id: int, target: Account) -> None:
    """A move keeps the request's contact only if it belongs to the new account.

    Dropping the old account's contact silently would lose who the request is
    for, so the user decides: a contact of the new account, or contactId null.
    """
    contact = await Contact.get_or_none(id=contact_id)
    if contact is not None and contact.account_id == target.id:
        return
    name = contact.name if contact is not None else "The contact"
    raise DomainError(
        ErrorCode.CONTACT_NOT_OF_ACCOUNT,
        f"{name} is not a contact of {target.name}: choose one of its contacts, or set "
        "contactId to null to move the request without a contact.",
        "contactId",
    )


async def has_linked_items(request: AccountRequest) -> bool:
    """Items are of the request's account: any link ties the request to it."""
    return await has_links(request.id)
