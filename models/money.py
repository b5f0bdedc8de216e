"""Exact amounts of money: what invoices, payments and credit limits accept."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from models.errors import DomainError, ErrorCode

MONEY_LIMIT = Decimal("999999999999.99")


def money(value: Decimal, field: str, *, positive: bool) -> Decimal:
    """An exact amount: finite, two decimals at most, in range."""
    try:
        amount = Decimal(value)
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        exact = False
    if not exact:
        raise DomainError(ErrorCode.INVALID, "Use an amount with at most two decimals.", field)
    if amount < 0 or (positive and amount == 0) or amount > MONEY_LIMIT:
        word = "more than zero" if positive else "zero or more"
        raise DomainError(ErrorCode.INVALID, f"The amount must be {word}.", field)
    return amount.quantize(Decimal("0.01"))
