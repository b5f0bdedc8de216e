"""Creating a request: as staff, as an account manager, or from the portal."""

from __future__ import annotations

from models import accounts, company, manager_notices
from models.account_requests.rules import (
    STATUS_RANK,
    RequestData,
    active_type,
    clean_note,
    contact_of,
    default_assignee,
)
from models.account_requests.tables import AccountRequest, EventKind, RequestSource, RequestStatus
from models.account_requests.timeline import (
    announce_assignment,
    publish_change,
    record_event,
    tell_assignees,
)
from models.account_requests.visibility import manages_account
from models.assignees import check_assignee
from models.directory.accounts import Account
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.request_types import AccountRequestType
from models.viewer import Viewer, require
from models.webhooks import WebhookEventType, emit, payloads
from models.zones import company_today


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
    elif await manages_account(viewer, account.id):
        source = RequestSource.ACCOUNT_MANAGER
    else:
        raise DomainError(
            ErrorCode.FORBIDDEN, "You may add requests to your own accounts only.", "accountId"
        )
    if source is RequestSource.ACCOUNT_MANAGER:
        await _managers_may_create()
    accounts.ensure_active(account)
    if data.type_id is None:
        raise DomainError(ErrorCode.REQUIRED, "typeId is required.", "typeId")
    request_type = await active_type(data.type_id)
    contact = None
    if data.contact_id is not None:
        contact = await contact_of(account.id, data.contact_id)
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
        await check_assignee(assignee_id, "assigneeId", account.id)
    elif not data.clear_assignee:
        assignee_id = await default_assignee(request_type, account.id)
    status = data.status or RequestStatus.OPEN
    request = await AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=status,
        status_rank=STATUS_RANK[status],
        assignee_id=assignee_id,
        contact_id=contact.id if contact else None,
        note=clean_note(data.note),
        source=source,
        internal=bool(data.internal),
        for_date=data.for_date or await company_today(),
        created_by_user_id=viewer.user_id,
    )
    await record_event(request, viewer, EventKind.CREATED, None, status.value)
    if assignee_id is not None:
        await record_event(request, viewer, EventKind.ASSIGNED, None, str(assignee_id))
        await tell_assignees(viewer, request, None, assignee_id)
    await manager_notices.request_raised(viewer, request, account, request_type.name)
    publish_change(request)
    await _announce(request)
    return request


async def _announce(request: AccountRequest) -> None:
    """Webhooks: created, and assigned when it was given to someone at once."""
    await emit(WebhookEventType.ACCOUNT_REQUEST_CREATED, payloads.account_request(request))
    if request.assignee_id is not None:
        await announce_assignment(request, None)


async def _managers_may_create() -> None:
    """The setting "Allow Account Manager to Create Requests": off, managers raise none."""
    if not (await company.get_settings()).managers_may_create_requests:
        raise DomainError(
            ErrorCode.MANAGER_CREATE_NOT_ALLOWED,
            "Company settings do not let account managers create requests.",
        )


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
    request_type = await active_type(request_type.id)
    if data.assignee_id is not None:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Portal requests are assigned by staff.", "assigneeId"
        )
    if data.contact_id is not None and data.contact_id != contact.id:
        raise DomainError(ErrorCode.FORBIDDEN, "Portal requests are always your own.", "contactId")
    if data.status not in (None, RequestStatus.OPEN):
        raise DomainError(ErrorCode.FORBIDDEN, "Portal requests start OPEN.", "status")
    if data.internal:
        raise DomainError(ErrorCode.FORBIDDEN, "Only staff mark requests internal.", "internal")
    today = await company_today()
    if data.for_date is not None and data.for_date < today:
        raise DomainError(ErrorCode.INVALID, "Choose today or a later day.", "forDate")
    request = await AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=RequestStatus.OPEN,
        status_rank=STATUS_RANK[RequestStatus.OPEN],
        assignee_id=await default_assignee(request_type, account.id),
        contact_id=contact.id,
        note=clean_note(data.note),
        source=RequestSource.PORTAL,
        for_date=data.for_date or today,
        created_by_contact_id=contact.id,
    )
    await record_event(request, viewer, EventKind.CREATED, None, RequestStatus.OPEN.value)
    if request.assignee_id is not None:
        await record_event(request, viewer, EventKind.ASSIGNED, None, str(request.assignee_id))
        await tell_assignees(viewer, request, None, request.assignee_id)
    await manager_notices.request_raised(viewer, request, account, request_type.name)
    publish_change(request)
    await _announce(request)
    return request
