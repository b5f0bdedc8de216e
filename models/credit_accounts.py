"""Credit accounts: requests decided by the credit team, balances, and limit alerts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from tortoise import fields
from tortoise.expressions import Subquery
from tortoise.functions import Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import accounts, company, notifications
from models.accounts import Account
from models.base import TimestampedModel
from models.clock import now
from models.errors import DomainError, ErrorCode, not_found
from models.items import money
from models.linked_items import Invoice, InvoiceStatus
from models.permissions import Permission, Role
from models.users import TeamMember, User, UserRole
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require

ZERO = Decimal("0.00")


class CreditRequestStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class CreditLevel(str, Enum):
    """Where a balance stands against its limit; alerts fire when it rises."""

    WITHIN = "WITHIN"
    WARNING = "WARNING"
    OVER = "OVER"


class CreditAccountRequest(TimestampedModel):
    """A request for a credit limit on an account, decided once."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="credit_requests", on_delete=fields.RESTRICT
    )
    account_id: int
    requested_limit = fields.DecimalField(max_digits=14, decimal_places=2)
    previous_limit = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    note = fields.TextField(default="")
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="credit_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    status = fields.CharEnumField(
        CreditRequestStatus, max_length=16, default=CreditRequestStatus.PENDING
    )
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="credit_decisions", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(null=True)

    class Meta:
        table = "credit_account_requests"
        indexes = (("account_id", "status"), ("status", "created_at"))


class CreditStanding(Model):
    """The last alert level of an account, so each crossing is told once."""

    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="credit_standing", on_delete=fields.CASCADE
    )
    account_id: int
    level = fields.CharEnumField(CreditLevel, max_length=16, default=CreditLevel.WITHIN)

    class Meta:
        table = "credit_standings"


# --- who ----------------------------------------------------------------------------


async def credit_team_ids() -> tuple[int | None, set[int]]:
    """(leader, members) of the credit team named in company settings."""
    settings = await company.get_settings()
    if settings.credit_team_id is None:
        return None, set()
    from models.users import Team

    team = await Team.get_or_none(id=settings.credit_team_id)
    members = set(
        await TeamMember.filter(team_id=settings.credit_team_id).values_list("user_id", flat=True)
    )
    return (team.leader_id if team else None), {int(m) for m in members}  # type: ignore[call-overload]


async def may_decide(viewer: Viewer) -> bool:
    if viewer.can(Permission.DECIDE_CREDIT_ACCOUNT):
        return True
    _, members = await credit_team_ids()
    return viewer.user_id is not None and viewer.user_id in members


async def may_view(viewer: Viewer) -> bool:
    """Admins, project managers, accounting, and the credit team see credit requests."""
    if not viewer.is_staff:
        return False
    if viewer.roles & {Role.ADMIN, Role.PROJECT_MANAGER, Role.ACCOUNTING}:
        return True
    return await may_decide(viewer)


async def visible_credit_requests(viewer: Viewer) -> QuerySet[CreditAccountRequest]:
    if not await may_view(viewer):
        return CreditAccountRequest.filter(id__in=[])
    return CreditAccountRequest.filter(
        account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
    )


async def _active_users(ids: Iterable[int | None]) -> list[User]:
    wanted = [i for i in ids if i is not None]
    return list(await User.filter(id__in=wanted, is_active=True)) if wanted else []


# --- request and decide -------------------------------------------------------------------


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
    recipients = await _active_users([leader])
    if not recipients:  # no credit team yet: the admins decide
        recipients = await _admins()
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


async def _admins() -> list[User]:
    holders = await UserRole.filter(role=Role.ADMIN).values_list("user_id", flat=True)
    return await _active_users(holders)  # type: ignore[arg-type]


async def _decide(
    viewer: Viewer, request_id: int, status: CreditRequestStatus, note: str | None
) -> CreditAccountRequest:
    if not await may_decide(viewer):
        from models.errors import Forbidden

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
    await check_credit([account.id])
    return request


async def reject(viewer: Viewer, request_id: int, reason: str) -> CreditAccountRequest:
    """Reject with a reason the requester reads verbatim."""
    text = clean_text(reason, "reason", 2_000)
    request = await _decide(viewer, request_id, CreditRequestStatus.REJECTED, text)
    account = await Account.get(id=request.account_id)
    await _tell_requester(request, account, "credit_rejected", text)
    return request


async def _tell_requester(
    request: CreditAccountRequest, account: Account, template: str, text: str
) -> None:
    found = await _active_users([request.requested_by_id])
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


# --- balances and alerts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    overdue: Decimal


async def balances(account_ids: Iterable[int], today: date | None = None) -> dict[int, Balance]:
    """What open invoices still owe, and the part past due, per account (two SQL sums)."""
    ids = list(set(account_ids))
    day = today or now().date()
    open_invoices = Invoice.filter(account_id__in=ids, status=InvoiceStatus.OPEN)
    totals = await _sums(open_invoices)
    overdue = await _sums(open_invoices.filter(due_on__lt=day))
    return {
        key: Balance(balance=totals.get(key, ZERO), overdue=overdue.get(key, ZERO)) for key in ids
    }


async def _sums(query: QuerySet[Invoice]) -> dict[int, Decimal]:
    rows = (
        await query.annotate(total_sum=Sum("total"), paid_sum=Sum("amount_paid"))
        .group_by("account_id")
        .values("account_id", "total_sum", "paid_sum")
    )
    return {
        row["account_id"]: (
            Decimal(str(row["total_sum"] or 0)) - Decimal(str(row["paid_sum"] or 0))
        ).quantize(Decimal("0.01"))
        for row in rows
    }


def level_of(balance: Decimal, limit: Decimal | None, warning_percent: int) -> CreditLevel:
    if limit is None:
        return CreditLevel.WITHIN
    if balance > limit:
        return CreditLevel.OVER
    if limit > 0 and balance * 100 >= limit * warning_percent:
        return CreditLevel.WARNING
    return CreditLevel.WITHIN


_RANK = {CreditLevel.WITHIN: 0, CreditLevel.WARNING: 1, CreditLevel.OVER: 2}


async def check_credit(account_ids: Iterable[int]) -> None:
    """After an invoice, a payment or a limit change: tell once per upward crossing.

    Dropping back re-arms the alert (the stored level goes down silently).
    """
    ids = sorted(set(account_ids))
    # Lock the accounts first (in id order): a second transaction waits here, then reads
    # the balance and level the first one left, instead of both seeing the old level and
    # both alerting. NO KEY UPDATE: the caller's new invoice already holds KEY SHARE on
    # the account (its foreign key), and FOR UPDATE would deadlock two such callers.
    locked = await Account.select_for_update(no_key=True).filter(id__in=ids).order_by("id")
    settings = await company.get_settings()
    current = await balances(ids)
    for account in locked:
        level = level_of(
            current[account.id].balance, account.credit_limit, settings.credit_warning_percent
        )
        standing, _ = await CreditStanding.get_or_create(account_id=account.id)
        if _RANK[level] > _RANK[standing.level]:
            await _alert(account, level, current[account.id].balance, settings.currency)
        if level is not standing.level:
            standing.level = level
            await standing.save(update_fields=["level"])


async def _alert(account: Account, level: CreditLevel, balance: Decimal, currency: str) -> None:
    leader, members = await credit_team_ids()
    people = {user.id: user for user in await _admins()}
    people |= {user.id: user for user in await _active_users([leader, *members])}
    over = level is CreditLevel.OVER
    await notifications.notify(
        [notifications.Recipient(user=user) for user in people.values()],
        notifications.Message(
            kind=(
                notifications.NotificationKind.CREDIT_LIMIT_EXCEEDED
                if over
                else notifications.NotificationKind.CREDIT_LIMIT_WARNING
            ),
            title=f"{account.name} is {'over' if over else 'close to'} its credit limit",
            body=f"Balance {balance} {currency}, limit {account.credit_limit} {currency}.",
            subject_type="Account",
            subject_id=account.id,
        ),
    )


@dataclass
class PaymentData:
    amount: Decimal
    paid_on: date


class InvoicePayment(Model):
    """One payment received against an invoice."""

    id = fields.IntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="payments", on_delete=fields.CASCADE
    )
    invoice_id: int
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    paid_on = fields.DateField()
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_payments", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invoice_payments"


async def record_payment(viewer: Viewer, invoice_id: int, data: PaymentData) -> Invoice:
    """A payment against an invoice; fully paid makes it PAID; overpaying is refused."""
    require(viewer, Permission.MANAGE_BILLING)
    invoice = await Invoice.select_for_update().get_or_none(id=invoice_id)
    if invoice is None:
        raise not_found("invoiceId", "invoice")
    if invoice.status is not InvoiceStatus.OPEN:
        raise DomainError(
            ErrorCode.INVALID, f"The invoice is {invoice.status.value.lower()}.", "invoiceId"
        )
    amount = money(data.amount, "amount", positive=True)
    due = invoice.total - invoice.amount_paid
    if amount > due:
        raise DomainError(
            ErrorCode.OVERPAYMENT, f"Only {due} is still owed on this invoice.", "amount"
        )
    await InvoicePayment.create(
        invoice_id=invoice.id, amount=amount, paid_on=data.paid_on, recorded_by_id=viewer.user_id
    )
    invoice.amount_paid = invoice.amount_paid + amount
    if invoice.amount_paid == invoice.total:
        invoice.status = InvoiceStatus.PAID
    await invoice.save()
    await check_credit([invoice.account_id])
    return invoice
