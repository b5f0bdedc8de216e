"""Requesting a credit limit, and accepting or rejecting it once."""

from __future__ import annotations

from decimal import Decimal

from models import accounts, company, notifications
from models.clock import now
from models.credit_accounts.balances import check_credit
from models.credit_accounts.tables import CreditAccountRequest, CreditRequestStatus
from models.credit_accounts.team import active_users, admins, credit_team_ids
from models.credit_accounts.visibility import may_decide
from models.directory.accounts import Account
from models.errors import DomainError, ErrorCode, Forbidden, not_found
from models.money import money
from models.permissions import Permission
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require
from models.webhooks import WebhookEventType, emit, payloads


async def request_credit(
    viewer: Viewer, account_id: int, requested_limit: Decimal, note: str | None
) -> CreditAccountRequest:
    require(viewer, Permission.REQUEST_CREDIT_ACCOUNT)
    await accounts.visible_account(viewer, account_id)
    # Lock the account: two requests at once must not both see "none pending".
    account = await Account.select_for_update(no_key=True).get(id=account_id)
    limit = money(requested_limit, "requestedLimit", positive=True)
    if await CreditAccountRequest.filter(
        account_id=account.id, status=CreditRequestStatus.PENDING
    ).exists():
        raise DomainError(
            ErrorCode.CREDIT_REQUEST_PENDING,
            f"{account.name} already has a credit request waiting for a decision.",
            "accountId",
        )
    request = await CreditAccountRequest.create(
        account_id=account.id,
        requested_limit=limit,
        note=optional_text(note, "note", 2_000) or "",
        requested_by_id=viewer.user_id,
    )
    leader, _ = await credit_team_ids()
    recipients = await active_users([leader])
    if not recipients:  # no credit team yet: the admins decide
        recipients = await admins()
    currency = (await company.get_settings()).currency
    requester = viewer.user.name if viewer.user else "Someone"
    await notifications.notify(
        [notifications.Recipient(user=user) for user in recipients],
        notifications.Message(
            kind=notifications.NotificationKind.CREDIT_REQUESTED,
            title=f"Credit request for {account.name}: {limit} {currency}",
            body=f"{requester} asks for a limit of {limit} {currency}. {request.note}".strip(),
            subject_type="CreditAccountRequest",
            subject_id=request.id,
            mail_template="credit_requested",
            mail_context={
                "account_name": account.name,
                "limit": f"{limit} {currency}",
                "requested_by": requester,
                "note": request.note or "(no note)",
            },
        ),
    )
    return request


async def _decide(
    viewer: Viewer, request_id: int, status: CreditRequestStatus, note: str | None
) -> CreditAccountRequest:
    if not await may_decide(viewer):
        raise Forbidden("Only the credit team and admins decide credit requests.")
    request = await CreditAccountRequest.get_or_none(id=request_id)
    if (
        request is None
        or not await accounts.visible_accounts(viewer).filter(id=request.account_id).exists()
    ):
        raise not_found("id", "credit account request")
    won = await CreditAccountRequest.filter(
        id=request.id, status=CreditRequestStatus.PENDING
    ).update(status=status, decided_by_id=viewer.user_id, decided_at=now(), decision_note=note)
    if won != 1:
        raise DomainError(
            ErrorCode.ALREADY_DECIDED, "This credit request was already decided.", "id"
        )
    await request.refresh_from_db()
    return request


async def accept(viewer: Viewer, request_id: int, note: str | None) -> CreditAccountRequest:
    """Accept: the account's credit limit becomes the requested one (the old one is kept)."""
    text = optional_text(note, "note", 2_000) or None
    request = await _decide(viewer, request_id, CreditRequestStatus.ACCEPTED, text)
    account = await Account.select_for_update(no_key=True).get(id=request.account_id)
    request.previous_limit = account.credit_limit
    await request.save(update_fields=["previous_limit"])
    account.credit_limit = request.requested_limit
    await account.save(update_fields=["credit_limit", "updated_at"])
    await _tell_requester(request, account, "credit_accepted", text or "")
    await emit(WebhookEventType.CREDIT_REQUEST_DECIDED, payloads.credit_request(request))
    await check_credit([account.id])
    return request


async def reject(viewer: Viewer, request_id: int, reason: str) -> CreditAccountRequest:
    """Reject with a reason the requester reads verbatim."""
    text = clean_text(reason, "reason", 2_000)
    request = await _decide(viewer, request_id, CreditRequestStatus.REJECTED, text)
    account = await Account.get(id=request.account_id)
    await _tell_requester(request, account, "credit_rejected", text)
    await emit(WebhookEventType.CREDIT_REQUEST_DECIDED, payloads.credit_request(request))
    return request


async def _tell_requester(
    request: CreditAccountRequest, account: Account, template: str, text: str
) -> None:
    found = await active_users([request.requested_by_id])
    if not found:
        return
    requester = found[0]
    currency = (await company.get_settings()).currency
    accepted = template == "credit_accepted"
    await notifications.notify(
        [notifications.Recipient(user=requester)],
        notifications.Message(
            kind=notifications.NotificationKind.CREDIT_DECIDED,
            title=f"Credit for {account.name} {'accepted' if accepted else 'rejected'}",
            body=text or f"The credit limit is now {request.requested_limit} {currency}.",
            subject_type="CreditAccountRequest",
            subject_id=request.id,
            mail_template=template,
            mail_context={
                "account_name": account.name,
                "limit": f"{request.requested_limit} {currency}",
                "reason": text,
            },
        ),
    )
