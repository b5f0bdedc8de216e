"""Recording payments against invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models.credit_accounts.balances import check_credit
from models.credit_accounts.tables import InvoicePayment
from models.errors import DomainError, ErrorCode, not_found
from models.linked_items import Invoice, InvoiceStatus
from models.money import money
from models.permissions import Permission
from models.viewer import Viewer, require


@dataclass
class PaymentData:
    amount: Decimal
    paid_on: date


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
