"""Creating and changing accounts: name, number, parent tree, SLA, credit limit, activation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from models.directory.accounts import Account
from models.errors import DomainError, DomainErrors, ErrorCode, not_found
from models.permissions import Permission
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require


@dataclass
class AccountData:
    name: str | None = None
    number: str | None = None
    parent_id: int | None = None
    clear_parent: bool = False
    default_sla_hours: int | None = None
    clear_default_sla_hours: bool = False
    credit_limit: Decimal | None = None
    clear_credit_limit: bool = False


async def _check_account(account: Account | None, data: AccountData) -> list[DomainError]:
    problems: list[DomainError] = []
    for field, value in (("name", data.name), ("number", data.number)):
        if value is None:
            continue
        clash = Account.filter(**{field: value})
        if account is not None:
            clash = clash.exclude(id=account.id)
        if await clash.exists():
            problems.append(
                DomainError(ErrorCode.DUPLICATE, f"Another account has this {field}.", field)
            )
    if data.default_sla_hours is not None and not 1 <= data.default_sla_hours <= 24 * 365:
        problems.append(
            DomainError(
                ErrorCode.INVALID,
                "defaultSlaHours must be between 1 and 8760.",
                "defaultSlaHours",
            )
        )
    if data.credit_limit is not None and not _valid_credit_limit(data.credit_limit):
        problems.append(
            DomainError(
                ErrorCode.INVALID,
                f"creditLimit must be between 0 and {MAX_CREDIT_LIMIT}, with at most two decimals.",
                "creditLimit",
            )
        )
    if data.parent_id is not None:
        problems.extend(await _check_parent(account, data.parent_id))
    return problems


async def _check_parent(account: Account | None, parent_id: int) -> list[DomainError]:
    parent = await Account.get_or_none(id=parent_id)
    if parent is None:
        return [not_found("parentId", "account")]
    if account is not None and await _is_descendant_or_self(parent.id, account.id):
        return [
            DomainError(ErrorCode.CYCLE, "An account cannot be placed under itself.", "parentId")
        ]
    moving = account is None or account.parent_id != parent.id
    # No active account may sit below an inactive one (deactivation cascades down).
    if moving and not parent.is_active and (account is None or account.is_active):
        return [
            DomainError(
                ErrorCode.ACCOUNT_INACTIVE,
                f"The parent account {parent.name} is inactive.",
                "parentId",
            )
        ]
    return []


# Account.credit_limit is DECIMAL(14, 2).
MAX_CREDIT_LIMIT = Decimal("999999999999.99")

_CENTS = Decimal("0.01")


def _valid_credit_limit(value: Decimal) -> bool:
    # NaN and Infinity parse as Decimals too; the bound keeps quantize() in range.
    return value.is_finite() and 0 <= value <= MAX_CREDIT_LIMIT and value == value.quantize(_CENTS)


def _cents(value: Decimal | None) -> Decimal | None:
    """Store and echo money with two decimals, so "1500" reads back as "1500.00"."""
    return None if value is None else value.quantize(_CENTS)


async def _is_descendant_or_self(candidate_id: int, ancestor_id: int) -> bool:
    """Walk up from candidate: does the chain reach ancestor?"""
    seen: set[int] = set()
    current: int | None = candidate_id
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        current = await Account.filter(id=current).first().values_list("parent_id", flat=True)  # type: ignore[assignment]
    return False


async def _next_number() -> str:
    last = cast(
        "int | None", await Account.all().order_by("-id").first().values_list("id", flat=True)
    )
    candidate = (last or 0) + 1
    while await Account.filter(number=f"A-{candidate:05d}").exists():
        candidate += 1
    return f"A-{candidate:05d}"


async def create_account(viewer: Viewer, data: AccountData) -> Account:
    require(viewer, Permission.MANAGE_ACCOUNTS)
    data.name = clean_text(data.name, "name", 200)
    data.number = optional_text(data.number, "number", 50) or None
    problems = await _check_account(None, data)
    if problems:
        raise DomainErrors(problems)
    return await Account.create(
        name=data.name,
        number=data.number or await _next_number(),
        parent_id=data.parent_id,
        default_sla_hours=data.default_sla_hours,
        credit_limit=_cents(data.credit_limit),
    )


async def update_account(viewer: Viewer, account_id: int, data: AccountData) -> Account:
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("id", "account")
    if data.name is not None:
        data.name = clean_text(data.name, "name", 200)
    if data.number is not None:
        data.number = clean_text(data.number, "number", 50)
    problems = await _check_account(account, data)
    if problems:
        raise DomainErrors(problems)
    if data.name is not None:
        account.name = data.name
    if data.number is not None:
        account.number = data.number
    if data.clear_parent:
        account.parent_id = None
    elif data.parent_id is not None:
        account.parent_id = data.parent_id
    if data.clear_default_sla_hours:
        account.default_sla_hours = None
    elif data.default_sla_hours is not None:
        account.default_sla_hours = data.default_sla_hours
    if data.clear_credit_limit:
        account.credit_limit = None
    elif data.credit_limit is not None:
        account.credit_limit = _cents(data.credit_limit)
    await account.save()
    return account


async def descendant_ids(account_id: int) -> list[int]:
    """Every sub-account below `account_id`, at any depth (one query per level)."""
    found: list[int] = []
    level = [account_id]
    while level:
        level = cast(
            "list[int]", await Account.filter(parent_id__in=level).values_list("id", flat=True)
        )
        level = [child for child in level if child not in found and child != account_id]
        found.extend(level)
    return found


async def set_account_active(viewer: Viewer, account_id: int, active: bool) -> Account:
    """Deactivating an account deactivates its sub-accounts too; activating does not."""
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("id", "account")
    if active and account.parent_id is not None:
        parent = await Account.get(id=account.parent_id)
        if not parent.is_active:
            raise DomainError(
                ErrorCode.ACCOUNT_INACTIVE,
                f"Activate the parent account {parent.name} first.",
                "active",
            )
    account.is_active = active
    await account.save()
    if not active:
        children = await descendant_ids(account.id)
        if children:
            await Account.filter(id__in=children).update(is_active=False)
    return account
