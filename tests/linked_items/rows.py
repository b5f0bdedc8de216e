"""Items written straight through the models, for linking tests that start from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.accounts import Account
from models.base import TimestampedModel
from models.linked_items import (
    Appointment,
    AppointmentStatus,
    CreditMemo,
    Invoice,
    InvoiceStatus,
    ServiceRecord,
    Task,
    TaskStatus,
)
from tests.ids import gid

TODAY = date(2024, 5, 1)
_numbers = iter(range(1, 10_000))


async def task(account: Account, status: TaskStatus = TaskStatus.OPEN) -> Task:
    """A task on `account`, written through the models."""
    return await Task.create(account_id=account.id, title="Call back", status=status)


async def appointment(
    account: Account, status: AppointmentStatus = AppointmentStatus.PENDING
) -> Appointment:
    """A one-hour appointment on `account`, written through the models."""
    start = datetime(2024, 6, 1, 9, tzinfo=UTC)
    return await Appointment.create(
        account_id=account.id, starts_at=start, ends_at=start + timedelta(hours=1), status=status
    )


async def record(account: Account) -> ServiceRecord:
    """A service record on `account`, written through the models."""
    return await ServiceRecord.create(
        account_id=account.id, service_date=TODAY, description="Fixed the door"
    )


async def invoice(account: Account, status: InvoiceStatus = InvoiceStatus.OPEN) -> Invoice:
    """An invoice on `account` with a fresh number, written through the models."""
    return await Invoice.create(
        account_id=account.id,
        number=f"INV-{next(_numbers)}",
        issued_on=TODAY,
        due_on=TODAY,
        total="100.00",
        status=status,
    )


async def memo(account: Account) -> CreditMemo:
    """A credit memo on `account` with a fresh number, written through the models."""
    return await CreditMemo.create(
        account_id=account.id,
        number=f"CM-{next(_numbers)}",
        issued_on=TODAY,
        amount="10.00",
        reason="Goodwill",
    )


def ref(row: TimestampedModel) -> str:
    """The global ID a client holds for this row."""
    return gid(type(row).__name__, row.id)
