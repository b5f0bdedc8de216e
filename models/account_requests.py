"""Account requests: the workflow, who may do what, the timeline, and the lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import cast

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import accounts, company, notifications
from models.accounts import Account, Contact
from models.base import TimestampedModel
from models.errors import DomainError, ErrorCode, not_found
from models.events import publish_after_commit
from models.permissions import Permission, Role
from models.request_types import AccountRequestType
from models.users import User, eligible_user
from models.validation import optional_text, search_term
from models.viewer import Viewer, require

NOTE_LENGTH = 10_000


class RequestStatus(str, Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


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


class RequestSource(str, Enum):
    STAFF = "STAFF"
    PORTAL = "PORTAL"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"


class EventKind(str, Enum):
    CREATED = "CREATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    ASSIGNED = "ASSIGNED"
    NOTE_CHANGED = "NOTE_CHANGED"
    CONTACT_CHANGED = "CONTACT_CHANGED"
    TYPE_CHANGED = "TYPE_CHANGED"
    ACCOUNT_CHANGED = "ACCOUNT_CHANGED"
    ITEM_LINKED = "ITEM_LINKED"
    ITEM_UNLINKED = "ITEM_UNLINKED"
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_UPDATED = "PHOTO_UPDATED"
    PHOTO_REMOVED = "PHOTO_REMOVED"


class AccountRequest(TimestampedModel):
    """A piece of work raised by or for a customer account."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="account_requests", on_delete=fields.RESTRICT
    )
    account_id: int
    type: fields.ForeignKeyRelation[AccountRequestType] = fields.ForeignKeyField(
        "models.AccountRequestType", related_name="requests", on_delete=fields.RESTRICT
    )
    type_id: int
    status = fields.CharEnumField(RequestStatus, max_length=32, default=RequestStatus.OPEN)
    status_rank = fields.SmallIntField(default=0)
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned_requests", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="account_requests", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    note = fields.TextField(default="")
    source = fields.CharEnumField(RequestSource, max_length=32)
    created_by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_requests", null=True, on_delete=fields.SET_NULL
    )
    created_by_user_id: int | None
    created_by_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="created_requests", null=True, on_delete=fields.SET_NULL
    )
    created_by_contact_id: int | None

    class Meta:
        table = "account_requests"
        indexes = (
            ("status", "updated_at"),
            ("assignee_id", "status"),
            ("account_id", "created_at"),
            ("updated_at", "id"),
            ("created_at", "id"),
        )


class AccountRequestEvent(Model):
    """One entry of a request's timeline: who changed what, from what, to what."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[AccountRequest] = fields.ForeignKeyField(
        "models.AccountRequest", related_name="events", on_delete=fields.CASCADE
    )
    request_id: int
    kind = fields.CharEnumField(EventKind, max_length=32)
    actor_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="request_events", null=True, on_delete=fields.SET_NULL
    )
    actor_user_id: int | None
    actor_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="request_events", null=True, on_delete=fields.SET_NULL
    )
    actor_contact_id: int | None
    before = fields.TextField(null=True)
    after = fields.TextField(null=True)
    # False for events about photos the portal does not show.
    visible_in_portal = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_events"
        indexes = (("request_id", "id"),)


def request_channel(request_id: int) -> str:
    return f"account-request:{request_id}"


# --- visibility and rights ----------------------------------------------------


def visible_account_requests(viewer: Viewer) -> QuerySet[AccountRequest]:
    """Requests the viewer may see: scoped in SQL through the accounts they may see."""
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return AccountRequest.all()
    if viewer.is_authenticated:
        return AccountRequest.filter(
            account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
        )
    return AccountRequest.filter(id__in=[])


def visible_events(viewer: Viewer) -> QuerySet[AccountRequestEvent]:
    """Timeline events of the requests the viewer may see (the portal's share for contacts)."""
    events = AccountRequestEvent.filter(
        request_id__in=Subquery(visible_account_requests(viewer).values("id"))
    )
    return events.filter(visible_in_portal=True) if viewer.is_contact else events


async def _managed(viewer: Viewer, account_id: int) -> bool:
    return viewer.can(Permission.EDIT_OWN_ACCOUNT_REQUESTS) and (
        await accounts.managed_accounts(viewer).filter(id=account_id).exists()
    )


async def may_edit(viewer: Viewer, request: AccountRequest) -> bool:
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    if viewer.can(Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS) and (
        request.assignee_id is not None and request.assignee_id == viewer.user_id
    ):
        return True
    return await _managed(viewer, request.account_id)


async def may_reopen(viewer: Viewer, request: AccountRequest) -> bool:
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    return await _managed(viewer, request.account_id)


ELIGIBLE_ASSIGNEES = (Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNT_MANAGER)


async def check_assignee(user_id: int, field: str) -> User:
    """An assignee is an active staff user who works requests."""
    return await eligible_user(user_id, field, ELIGIBLE_ASSIGNEES, "requests")


# --- create ---------------------------------------------------------------------


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


async def _active_type(type_id: int, field: str = "typeId") -> AccountRequestType:
    row = await AccountRequestType.get_or_none(id=type_id)
    if row is None:
        raise not_found(field, "request type")
    if not row.is_active:
        raise DomainError(
            ErrorCode.TYPE_INACTIVE, f"The type {row.name} is no longer in use.", field
        )
    return row


async def _contact_of(account_id: int, contact_id: int, field: str = "contactId") -> Contact:
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None or contact.account_id != account_id:
        raise DomainError(
            ErrorCode.CONTACT_NOT_OF_ACCOUNT, "The contact must belong to the account.", field
        )
    return contact


async def _default_assignee(request_type: AccountRequestType) -> int | None:
    """The type's default assignee while they still work requests, else nobody.

    Deactivating a user or taking their roles leaves type setups pointing at them;
    a new request then starts unassigned rather than refused or sent to them.
    """
    user_id = request_type.default_assignee_id
    if user_id is None:
        return None
    try:
        await check_assignee(user_id, "typeId")
    except DomainError:
        return None
    return user_id


async def create_request(viewer: Viewer, data: RequestData) -> AccountRequest:
    """Create a request as staff, as an account manager, or as a portal contact."""
    if viewer.contact is not None:
        return await _create_from_portal(viewer, data)
    require(viewer, Permission.EDIT_ALL_ACCOUNT_REQUESTS, Permission.EDIT_OWN_ACCOUNT_REQUESTS)
    if data.account_id is None:
        raise DomainError(ErrorCode.REQUIRED, "accountId is required.", "accountId")
    account = await accounts.visible_account(viewer, data.account_id)
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        source = RequestSource.STAFF
    elif await _managed(viewer, account.id):
        source = RequestSource.ACCOUNT_MANAGER
    else:
        raise DomainError(
            ErrorCode.FORBIDDEN, "You may add requests to your own accounts only.", "accountId"
        )
    accounts.ensure_active(account)
    if data.type_id is None:
        raise DomainError(ErrorCode.REQUIRED, "typeId is required.", "typeId")
    request_type = await _active_type(data.type_id)
    contact = None
    if data.contact_id is not None:
        contact = await _contact_of(account.id, data.contact_id)
        settings = await company.get_settings()
        if source is RequestSource.ACCOUNT_MANAGER and not settings.managers_may_create_on_behalf:
            raise DomainError(
                ErrorCode.ON_BEHALF_NOT_ALLOWED,
                "Company settings do not let account managers create requests on behalf "
                "of contacts.",
                "contactId",
            )
    assignee_id = data.assignee_id
    if assignee_id is not None:
        await check_assignee(assignee_id, "assigneeId")
    elif not data.clear_assignee:
        assignee_id = await _default_assignee(request_type)
    status = data.status or RequestStatus.OPEN
    request = await AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=status,
        status_rank=STATUS_RANK[status],
        assignee_id=assignee_id,
        contact_id=contact.id if contact else None,
        note=_note(data.note),
        source=source,
        created_by_user_id=viewer.user_id,
    )
    await record_event(request, viewer, EventKind.CREATED, None, status.value)
    if assignee_id is not None:
        await record_event(request, viewer, EventKind.ASSIGNED, None, str(assignee_id))
        await _tell_assignees(viewer, request, None, assignee_id)
    publish_change(request)
    return request


async def _create_from_portal(viewer: Viewer, data: RequestData) -> AccountRequest:
    contact = viewer.contact
    assert contact is not None
    if data.account_id is not None and data.account_id != contact.account_id:
        raise not_found("accountId", "account")
    account = await Account.get(id=contact.account_id)
    accounts.ensure_active(account)
    if data.type_id is None:
        raise DomainError(ErrorCode.REQUIRED, "typeId is required.", "typeId")
    request_type = await AccountRequestType.get_or_none(id=data.type_id, portal_available=True)
    if request_type is None:
        raise DomainError(
            ErrorCode.NOT_PORTAL_TYPE, "Choose one of the request types of the portal.", "typeId"
        )
    request_type = await _active_type(request_type.id)
    if data.assignee_id is not None:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Portal requests are assigned by staff.", "assigneeId"
        )
    if data.contact_id is not None and data.contact_id != contact.id:
        raise DomainError(ErrorCode.FORBIDDEN, "Portal requests are always your own.", "contactId")
    if data.status not in (None, RequestStatus.OPEN):
        raise DomainError(ErrorCode.FORBIDDEN, "Portal requests start OPEN.", "status")
    request = await AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=RequestStatus.OPEN,
        status_rank=STATUS_RANK[RequestStatus.OPEN],
        assignee_id=await _default_assignee(request_type),
        contact_id=contact.id,
        note=_note(data.note),
        source=RequestSource.PORTAL,
        created_by_contact_id=contact.id,
    )
    await record_event(request, viewer, EventKind.CREATED, None, RequestStatus.OPEN.value)
    if request.assignee_id is not None:
        await record_event(request, viewer, EventKind.ASSIGNED, None, str(request.assignee_id))
        await _tell_assignees(viewer, request, None, request.assignee_id)
    publish_change(request)
    return request


def _note(value: str | None) -> str:
    return optional_text(value, "note", NOTE_LENGTH) or ""


# --- edit -----------------------------------------------------------------------------


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
    moved_to: Account | None = None
    if data.account_id is not None and data.account_id != request.account_id:
        moved_to = await _move(viewer, request, data.account_id)
        changes.append((EventKind.ACCOUNT_CHANGED, str(request.account_id), str(moved_to.id)))
        request.account_id = moved_to.id
    if data.type_id is not None and data.type_id != request.type_id:
        await _active_type(data.type_id)
        changes.append((EventKind.TYPE_CHANGED, str(request.type_id), str(data.type_id)))
        request.type_id = data.type_id
    if data.clear_contact and request.contact_id is not None:
        changes.append((EventKind.CONTACT_CHANGED, str(request.contact_id), None))
        request.contact_id = None
    elif data.contact_id is not None and data.contact_id != request.contact_id:
        await _contact_of(request.account_id, data.contact_id)
        changes.append((EventKind.CONTACT_CHANGED, _str(request.contact_id), str(data.contact_id)))
        request.contact_id = data.contact_id
    elif request.contact_id is not None and moved_to is not None:
        await _contact_moves_along(request.contact_id, moved_to)
    if data.note is not None and _note(data.note) != request.note:
        changes.append((EventKind.NOTE_CHANGED, request.note, _note(data.note)))
        request.note = _note(data.note)
    if data.status is not None and data.status != request.status:
        await _check_transition(viewer, request, data.status)
        changes.append((EventKind.STATUS_CHANGED, request.status.value, data.status.value))
        request.status = data.status
        request.status_rank = STATUS_RANK[data.status]
    previous_assignee = request.assignee_id
    if data.clear_assignee and request.assignee_id is not None:
        request.assignee_id = None
    elif data.assignee_id is not None and data.assignee_id != request.assignee_id:
        await check_assignee(data.assignee_id, "assigneeId")
        request.assignee_id = data.assignee_id
    if request.assignee_id != previous_assignee:
        changes.append((EventKind.ASSIGNED, _str(previous_assignee), _str(request.assignee_id)))
    if not changes:
        return request
    await request.save()
    for kind, before, after in changes:
        await record_event(request, viewer, kind, before, after)
    if request.assignee_id != previous_assignee:
        await _tell_assignees(viewer, request, previous_assignee, request.assignee_id)
    publish_change(request)
    return request


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


async def _move(viewer: Viewer, request: AccountRequest, account_id: int) -> Account:
    """The account a request may move to; the caller records the move."""
    target = await accounts.visible_account(viewer, account_id)
    accounts.ensure_active(target)
    if not viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS) and not await _managed(
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
    from models.linking import has_links  # linking builds on this module

    return await has_links(request.id)


async def _check_transition(viewer: Viewer, request: AccountRequest, target: RequestStatus) -> None:
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


async def record_event(
    request: AccountRequest,
    viewer: Viewer,
    kind: EventKind,
    before: str | None,
    after: str | None,
    *,
    visible_in_portal: bool = True,
) -> None:
    await AccountRequestEvent.create(
        request_id=request.id,
        kind=kind,
        actor_user_id=viewer.user_id,
        actor_contact_id=viewer.contact.id if viewer.contact else None,
        before=before,
        after=after,
        visible_in_portal=visible_in_portal,
    )


def publish_change(request: AccountRequest) -> None:
    publish_after_commit(request_channel(request.id), type="updated", id=request.id)


async def _tell_assignees(
    viewer: Viewer, request: AccountRequest, previous_id: int | None, new_id: int | None
) -> None:
    """The new assignee is told, and the previous one; nobody of their own doing."""
    account = await Account.get(id=request.account_id)
    actor = viewer.user.name if viewer.user else viewer.contact.name if viewer.contact else ""
    people = {u.id: u for u in await User.filter(id__in=[i for i in (previous_id, new_id) if i])}
    label = f"request #{request.id} of {account.name}"
    if new_id is not None and new_id != viewer.user_id and new_id in people:
        await notifications.notify(
            [notifications.Recipient(user=people[new_id])],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_REQUEST_ASSIGNED,
                title=f"Assigned to you: {label}",
                body=f"{actor} assigned {label} to you.",
                subject_type="AccountRequest",
                subject_id=request.id,
            ),
        )
    if previous_id is not None and previous_id != viewer.user_id and previous_id in people:
        new_name = people[new_id].name if new_id is not None and new_id in people else "no one"
        await notifications.notify(
            [notifications.Recipient(user=people[previous_id])],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_REQUEST_UNASSIGNED,
                title=f"Reassigned: {label}",
                body=f"{actor} gave {label} to {new_name}.",
                subject_type="AccountRequest",
                subject_id=request.id,
            ),
        )


# --- lists ---------------------------------------------------------------------------


class RequestOrderField(str, Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    STATUS = "STATUS"
    ACCOUNT_NAME = "ACCOUNT_NAME"


# Each sort key: its column, and the type of its (never null) values.
ORDER_COLUMNS: dict[RequestOrderField, tuple[str, type]] = {
    RequestOrderField.CREATED_AT: ("created_at", datetime),
    RequestOrderField.UPDATED_AT: ("updated_at", datetime),
    RequestOrderField.STATUS: ("status_rank", int),
    RequestOrderField.ACCOUNT_NAME: ("account__name", str),
}


@dataclass
class RequestFilter:
    statuses: list[RequestStatus] | None = None
    type_ids: list[int] | None = None
    assignee_ids: list[int] | None = None
    account_ids: list[int] | None = None
    include_sub_accounts: bool = False
    sources: list[RequestSource] | None = None
    assigned_to_me: bool = False
    unassigned: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    search: str | None = None


async def filter_requests(
    query: QuerySet[AccountRequest], spec: RequestFilter, viewer: Viewer
) -> QuerySet[AccountRequest]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.type_ids is not None:
        query = query.filter(type_id__in=spec.type_ids)
    if spec.assignee_ids is not None:
        query = query.filter(assignee_id__in=spec.assignee_ids)
    if spec.account_ids is not None:
        ids = set(spec.account_ids)
        level = list(ids)
        # Sub-accounts of every given account at once: one query per level, not per account.
        while spec.include_sub_accounts and level:
            children = await Account.filter(parent_id__in=level).values_list("id", flat=True)
            level = [child for child in cast("list[int]", children) if child not in ids]
            ids.update(level)
        query = query.filter(account_id__in=sorted(ids))
    if spec.sources is not None:
        query = query.filter(source__in=spec.sources)
    if spec.assigned_to_me:
        query = query.filter(assignee_id=viewer.user_id or 0)
    if spec.unassigned is not None:
        query = query.filter(assignee_id__isnull=spec.unassigned)
    if spec.created_after is not None:
        query = query.filter(created_at__gte=spec.created_after)
    if spec.created_before is not None:
        query = query.filter(created_at__lt=spec.created_before)
    if spec.updated_after is not None:
        query = query.filter(updated_at__gte=spec.updated_after)
    if spec.updated_before is not None:
        query = query.filter(updated_at__lt=spec.updated_before)
    if term := search_term(spec.search):
        query = query.filter(Q(note__icontains=term) | Q(account__name__icontains=term))
    return query


async def count_by_status(query: QuerySet[AccountRequest]) -> dict[RequestStatus, int]:
    rows = await query.annotate(n=Count("id")).group_by("status").values("status", "n")
    found = {RequestStatus(row["status"]): int(row["n"]) for row in rows}
    return {status: found.get(status, 0) for status in RequestStatus}
