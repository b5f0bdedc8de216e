"""What open invoices owe per account, where that stands against the limit, and the alerts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from models import company, notifications, zones
from models.credit_accounts.tables import CreditLevel, CreditStanding
from models.credit_accounts.team import active_users, admins, credit_team_ids
from models.directory.accounts import Account
from models.linked_items import Invoice, InvoiceStatus
from models.webhooks import WebhookEventType, emit, payloads

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    overdue: Decimal


async def balances(account_ids: Iterable[int], today: date | None = None) -> dict[int, Balance]:
    """What open invoices still owe, and the part past due (due before `today`, the
    company's by default), per account (two SQL sums)."""
    ids = list(set(account_ids))
    day = today or await zones.company_today()
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
    current = await balances(ids, zones.today_in(zones.zone_named(settings.time_zone)))
    for account in locked:
        level = level_of(
            current[account.id].balance, account.credit_limit, settings.credit_warning_percent
        )
        standing, _ = await CreditStanding.get_or_create(account_id=account.id)
        if _RANK[level] > _RANK[standing.level]:
            await _alert(account, level, current[account.id].balance, settings.currency)
            if level is CreditLevel.OVER:  # the limit itself, not the warning before it
                data = payloads.credit_limit(account, current[account.id].balance, level.value)
                await emit(WebhookEventType.CREDIT_LIMIT_CROSSED, data)
        if level is not standing.level:
            standing.level = level
            await standing.save(update_fields=["level"])


async def _alert(account: Account, level: CreditLevel, balance: Decimal, currency: str) -> None:
    leader, members = await credit_team_ids()
    people = {user.id: user for user in await admins()}
    people |= {user.id: user for user in await active_users([leader, *members])}
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
