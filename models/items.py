"""Creating and changing the items that requests link to (staff work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models import accounts, notifications, zones
from models.assignees import check_assignee
from models.credit_accounts.balances import check_credit
from models.directory.users import User
from models.errors import DomainError, ErrorCode, not_found
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
from models.money import money
from models.permissions import Permission
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require


async def workable_account(
    viewer: Viewer, account_id: int, field: str = "accountId"
) -> accounts.Account:
    """An account whose tasks, appointments and records the viewer may keep."""
    require(viewer, Permission.EDIT_ALL_ACCOUNT_REQUESTS, Permission.EDIT_OWN_ACCOUNT_REQUESTS)
    account = await accounts.visible_account(viewer, account_id, field)
    if not viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS) and not (
        await accounts.managed_accounts(viewer).filter(id=account.id).exists()
    ):
        raise DomainError(ErrorCode.FORBIDDEN, "You may not work on this account.", field)
    accounts.ensure_active(account, field)
    return account


async def workable_item_account(
    viewer: Viewer, account_id: int, assignee_id: int | None
) -> accounts.Account:
    """The account of a task or appointment the viewer may change: any item of an account
    they may work on, and whatever is assigned to them (an assignee works their item)."""
    if viewer.user_id is not None and assignee_id == viewer.user_id:
        account = await accounts.Account.get(id=account_id)
        accounts.ensure_active(account, "id")
        return account
    if not any(
        viewer.can(permission)
        for permission in (
            Permission.EDIT_ALL_ACCOUNT_REQUESTS,
            Permission.EDIT_OWN_ACCOUNT_REQUESTS,
        )
    ):
        raise DomainError(ErrorCode.FORBIDDEN, "You may change only items assigned to you.", "id")
    return await workable_account(viewer, account_id, "id")


async def billing_account(viewer: Viewer, account_id: int) -> accounts.Account:
    """An account whose invoices and credit memos the viewer may keep (billing staff)."""
    require(viewer, Permission.MANAGE_BILLING)
    return await accounts.visible_account(viewer, account_id)


async def _site_of(account_id: int, site_id: int | None) -> int | None:
    if site_id is None:
        return None
    if not await accounts.Site.filter(id=site_id, account_id=account_id).exists():
        raise DomainError(ErrorCode.INVALID, "The site must be one of the account's.", "siteId")
    return site_id


async def _tell_assignee(
    viewer: Viewer, user_id: int | None, title: str, subject: tuple[str, int]
) -> None:
    if user_id is None or user_id == viewer.user_id:
        return
    user = await User.get(id=user_id)
    actor = viewer.user.name if viewer.user else "Docket"
    await notifications.notify(
        [notifications.Recipient(user=user)],
        notifications.Message(
            kind=notifications.NotificationKind.ITEM_ASSIGNED,
            title=title,
            body=f"{actor} assigned it to you.",
            subject_type=subject[0],
            subject_id=subject[1],
        ),
    )


# --- tasks -------------------------------------------------------------------------------


@dataclass
class TaskData:
    title: str | None = None
    description: str | None = None
    assignee_id: int | None = None
    clear_assignee: bool = False
    due_at: datetime | None = None
    clear_due: bool = False
    status: TaskStatus | None = None


async def create_task(viewer: Viewer, account_id: int, data: TaskData) -> Task:
    account = await workable_account(viewer, account_id)
    return await new_task(viewer, account.id, data)


async def new_task(viewer: Viewer, account_id: int, data: TaskData) -> Task:
    """A task on an account the caller has already checked the viewer may work on."""
    task = Task(account_id=account_id, title="")
    await _apply_task(viewer, task, data, creating=True)
    return task


async def update_task(viewer: Viewer, task_id: int, data: TaskData) -> Task:
    task = await Task.get_or_none(id=task_id)
    if (
        task is None
        or not await accounts.visible_accounts(viewer).filter(id=task.account_id).exists()
    ):
        raise not_found("id", "task")
    await workable_item_account(viewer, task.account_id, task.assignee_id)
    await _apply_task(viewer, task, data, creating=False)
    return task


async def _apply_task(viewer: Viewer, task: Task, data: TaskData, *, creating: bool) -> None:
    if creating or data.title is not None:
        task.title = clean_text(data.title, "title", 200)
    if data.description is not None:
        task.description = optional_text(data.description, "description", 10_000) or ""
    previous = task.assignee_id
    if data.clear_assignee:
        task.assignee_id = None
    elif data.assignee_id is not None:
        await check_assignee(data.assignee_id, "assigneeId", task.account_id)
        task.assignee_id = data.assignee_id
    if data.clear_due:
        task.due_at = None
    elif data.due_at is not None:
        task.due_at = data.due_at
    if data.status is not None:
        task.status = data.status
    await task.save()
    if task.assignee_id != previous:
        await _tell_assignee(viewer, task.assignee_id, f"Task: {task.title}", ("Task", task.id))


# --- appointments ----------------------------------------------------------------------


@dataclass
class AppointmentData:
    site_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    assignee_id: int | None = None
    clear_assignee: bool = False
    notes: str | None = None
    status: AppointmentStatus | None = None


async def create_appointment(viewer: Viewer, account_id: int, data: AppointmentData) -> Appointment:
    account = await workable_account(viewer, account_id)
    return await new_appointment(viewer, account.id, data)


async def new_appointment(viewer: Viewer, account_id: int, data: AppointmentData) -> Appointment:
    """An appointment on an account the caller has already checked the viewer may work on."""
    if data.starts_at is None or data.ends_at is None:
        raise DomainError(
            ErrorCode.REQUIRED, "An appointment needs a start and an end.", "startsAt"
        )
    appointment = Appointment(account_id=account_id, starts_at=data.starts_at, ends_at=data.ends_at)
    await _apply_appointment(viewer, appointment, data)
    return appointment


async def update_appointment(
    viewer: Viewer, appointment_id: int, data: AppointmentData
) -> Appointment:
    appointment = await Appointment.get_or_none(id=appointment_id)
    if (
        appointment is None
        or not await accounts.visible_accounts(viewer).filter(id=appointment.account_id).exists()
    ):
        raise not_found("id", "appointment")
    await workable_item_account(viewer, appointment.account_id, appointment.assignee_id)
    await _apply_appointment(viewer, appointment, data)
    return appointment


async def _apply_appointment(
    viewer: Viewer, appointment: Appointment, data: AppointmentData
) -> None:
    if data.site_id is not None:
        appointment.site_id = await _site_of(appointment.account_id, data.site_id)
    if data.starts_at is not None:
        appointment.starts_at = data.starts_at
    if data.ends_at is not None:
        appointment.ends_at = data.ends_at
    if appointment.ends_at <= appointment.starts_at:
        raise DomainError(ErrorCode.INVALID, "The appointment must end after it starts.", "endsAt")
    if data.notes is not None:
        appointment.notes = optional_text(data.notes, "notes", 10_000) or ""
    previous = appointment.assignee_id
    if data.clear_assignee:
        appointment.assignee_id = None
    elif data.assignee_id is not None:
        await check_assignee(data.assignee_id, "assigneeId", appointment.account_id)
        appointment.assignee_id = data.assignee_id
    if data.status is not None:
        appointment.status = data.status
    await appointment.save()
    if appointment.assignee_id != previous:
        when = await zones.company_time_text(appointment.starts_at)
        await _tell_assignee(
            viewer,
            appointment.assignee_id,
            f"Appointment on {when}",
            ("Appointment", appointment.id),
        )


# --- service records, invoices, credit memos -------------------------------------------------


@dataclass
class ServiceRecordData:
    service_date: date
    description: str
    site_id: int | None = None
    performed_by_id: int | None = None


async def create_service_record(
    viewer: Viewer, account_id: int, data: ServiceRecordData
) -> ServiceRecord:
    account = await workable_account(viewer, account_id)
    if data.performed_by_id is not None:
        await check_assignee(data.performed_by_id, "performedById", account.id)
    return await ServiceRecord.create(
        account_id=account.id,
        site_id=await _site_of(account.id, data.site_id),
        service_date=data.service_date,
        description=clean_text(data.description, "description", 10_000),
        performed_by_id=data.performed_by_id,
    )


@dataclass
class InvoiceData:
    number: str
    issued_on: date
    due_on: date
    total: Decimal
    amount_paid: Decimal = Decimal("0.00")


async def create_invoice(viewer: Viewer, account_id: int, data: InvoiceData) -> Invoice:
    account = await billing_account(viewer, account_id)
    number = clean_text(data.number, "number", 50)
    if await Invoice.filter(number=number).exists():
        raise DomainError(ErrorCode.DUPLICATE, "Another invoice has this number.", "number")
    if data.due_on < data.issued_on:
        raise DomainError(
            ErrorCode.INVALID, "An invoice is due on or after its issue date.", "dueOn"
        )
    total = money(data.total, "total", positive=False)
    paid = money(data.amount_paid, "amountPaid", positive=False)
    if paid > total:
        raise DomainError(ErrorCode.INVALID, "More cannot be paid than the total.", "amountPaid")
    invoice = await Invoice.create(
        account_id=account.id,
        number=number,
        issued_on=data.issued_on,
        due_on=data.due_on,
        total=total,
        amount_paid=paid,
        status=InvoiceStatus.PAID if total > 0 and paid == total else InvoiceStatus.OPEN,
    )
    await _credit_changed(account.id)
    return invoice


async def void_invoice(viewer: Viewer, invoice_id: int) -> Invoice:
    """Void an invoice; its links and timeline stay as history."""
    require(viewer, Permission.MANAGE_BILLING)
    invoice = await Invoice.select_for_update().get_or_none(id=invoice_id)
    if invoice is None:
        raise not_found("id", "invoice")
    if invoice.status is InvoiceStatus.VOID:
        raise DomainError(ErrorCode.INVALID, "The invoice is already void.", "id")
    invoice.status = InvoiceStatus.VOID
    await invoice.save()
    await _credit_changed(invoice.account_id)
    return invoice


async def _credit_changed(account_id: int) -> None:
    await check_credit([account_id])


@dataclass
class CreditMemoData:
    number: str
    issued_on: date
    amount: Decimal
    reason: str


async def create_credit_memo(viewer: Viewer, account_id: int, data: CreditMemoData) -> CreditMemo:
    account = await billing_account(viewer, account_id)
    number = clean_text(data.number, "number", 50)
    if await CreditMemo.filter(number=number).exists():
        raise DomainError(ErrorCode.DUPLICATE, "Another credit memo has this number.", "number")
    return await CreditMemo.create(
        account_id=account.id,
        number=number,
        issued_on=data.issued_on,
        amount=money(data.amount, "amount", positive=True),
        reason=clean_text(data.reason, "reason", 2_000),
    )
