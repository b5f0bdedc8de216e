"""Items of an account that account requests link to: tasks, appointments, service
records, invoices and credit memos; the link tables and the rules of linking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import accounts
from models.base import TimestampedModel
from models.directory.accounts import Account, Site
from models.directory.users import User
from models.permissions import Permission
from models.viewer import Viewer


class ItemKind(str, Enum):
    TASK = "TASK"
    APPOINTMENT = "APPOINTMENT"
    SERVICE_RECORD = "SERVICE_RECORD"
    INVOICE = "INVOICE"
    CREDIT_MEMO = "CREDIT_MEMO"


class TaskStatus(str, Enum):
    OPEN = "OPEN"
    DONE = "DONE"


class AppointmentStatus(str, Enum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class InvoiceStatus(str, Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"


def _account_fk(related: str) -> fields.ForeignKeyRelation[Account]:
    return fields.ForeignKeyField("models.Account", related_name=related, on_delete=fields.RESTRICT)


class Task(TimestampedModel):
    """Something to do for an account."""

    account: fields.ForeignKeyRelation[Account] = _account_fk("tasks")
    account_id: int
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    due_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(TaskStatus, max_length=16, default=TaskStatus.OPEN)

    class Meta:
        table = "tasks"
        indexes = (("account_id", "status"),)


class Appointment(TimestampedModel):
    """A visit booked with an account, at one of its sites."""

    account: fields.ForeignKeyRelation[Account] = _account_fk("appointments")
    account_id: int
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="appointments", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="appointments", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    notes = fields.TextField(default="")
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.PENDING
    )

    class Meta:
        table = "appointments"
        indexes = (("account_id", "status"),)


class ServiceRecord(TimestampedModel):
    """Work that was done for an account, on a date, at a site."""

    account: fields.ForeignKeyRelation[Account] = _account_fk("service_records")
    account_id: int
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="service_records", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    service_date = fields.DateField()
    description = fields.TextField()
    performed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="service_records", null=True, on_delete=fields.SET_NULL
    )
    performed_by_id: int | None

    class Meta:
        table = "service_records"
        indexes = (("account_id", "service_date"),)


class Invoice(TimestampedModel):
    """An invoice of an account. Money is exact (two decimals)."""

    account: fields.ForeignKeyRelation[Account] = _account_fk("invoices")
    account_id: int
    number = fields.CharField(max_length=50, unique=True)
    issued_on = fields.DateField()
    due_on = fields.DateField()
    total = fields.DecimalField(max_digits=14, decimal_places=2)
    amount_paid = fields.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    status = fields.CharEnumField(InvoiceStatus, max_length=16, default=InvoiceStatus.OPEN)

    class Meta:
        table = "invoices"
        indexes = (("account_id", "status"),)


def amount_due(status: InvoiceStatus, total: Decimal, paid: Decimal) -> Decimal:
    """What is still owed on an invoice: total minus paid; zero when void."""
    return Decimal("0.00") if status is InvoiceStatus.VOID else total - paid


# `amount_due` over an invoice row (`{row}`), for the database to write it (the JSON lane).
AMOUNT_DUE_SQL = (
    'CASE WHEN {row}."status" = \'VOID\' THEN 0.00 ELSE {row}."total" - {row}."amount_paid" END'
)


class CreditMemo(TimestampedModel):
    """A credit given to an account."""

    account: fields.ForeignKeyRelation[Account] = _account_fk("credit_memos")
    account_id: int
    number = fields.CharField(max_length=50, unique=True)
    issued_on = fields.DateField()
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    reason = fields.TextField()

    class Meta:
        table = "credit_memos"
        indexes = (("account_id", "issued_on"),)


def _request_fk(related: str) -> fields.ForeignKeyRelation[Model]:
    return fields.ForeignKeyField(
        "models.AccountRequest", related_name=related, on_delete=fields.CASCADE
    )


def _linked_by(related: str) -> fields.ForeignKeyNullableRelation[User]:
    return fields.ForeignKeyField(
        "models.User", related_name=related, null=True, on_delete=fields.SET_NULL
    )


class RequestTask(Model):
    id = fields.IntField(primary_key=True)
    request = _request_fk("task_links")
    request_id: int
    task: fields.ForeignKeyRelation[Task] = fields.ForeignKeyField(
        "models.Task", related_name="request_links", on_delete=fields.CASCADE
    )
    task_id: int
    linked_by = _linked_by("task_links")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_tasks"
        unique_together = (("request", "task"),)


class RequestAppointment(Model):
    id = fields.IntField(primary_key=True)
    request = _request_fk("appointment_links")
    request_id: int
    appointment: fields.ForeignKeyRelation[Appointment] = fields.ForeignKeyField(
        "models.Appointment", related_name="request_links", on_delete=fields.CASCADE
    )
    appointment_id: int
    linked_by = _linked_by("appointment_links")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_appointments"
        unique_together = (("request", "appointment"),)


class RequestServiceRecord(Model):
    id = fields.IntField(primary_key=True)
    request = _request_fk("service_record_links")
    request_id: int
    service_record: fields.ForeignKeyRelation[ServiceRecord] = fields.ForeignKeyField(
        "models.ServiceRecord", related_name="request_links", on_delete=fields.CASCADE
    )
    service_record_id: int
    linked_by = _linked_by("service_record_links")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_service_records"
        unique_together = (("request", "service_record"),)


class RequestInvoice(Model):
    id = fields.IntField(primary_key=True)
    request = _request_fk("invoice_links")
    request_id: int
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="request_links", on_delete=fields.CASCADE
    )
    invoice_id: int
    linked_by = _linked_by("invoice_links")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_invoices"
        unique_together = (("request", "invoice"),)


class RequestCreditMemo(Model):
    id = fields.IntField(primary_key=True)
    request = _request_fk("credit_memo_links")
    request_id: int
    credit_memo: fields.ForeignKeyRelation[CreditMemo] = fields.ForeignKeyField(
        "models.CreditMemo", related_name="request_links", on_delete=fields.CASCADE
    )
    credit_memo_id: int
    linked_by = _linked_by("credit_memo_links")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_credit_memos"
        unique_together = (("request", "credit_memo"),)


# --- the five kinds, described once -------------------------------------------------


def _task_refusal(row: Model) -> str | None:
    assert isinstance(row, Task)
    return None if row.status is TaskStatus.OPEN else "The task is done."


def _appointment_refusal(row: Model) -> str | None:
    assert isinstance(row, Appointment)
    if row.status is AppointmentStatus.PENDING:
        return None
    return f"The appointment is {row.status.value.lower()}."


def _invoice_refusal(row: Model) -> str | None:
    assert isinstance(row, Invoice)
    return "The invoice is void." if row.status is InvoiceStatus.VOID else None


def _always(row: Model) -> str | None:
    return None


@dataclass(frozen=True)
class Kind:
    """How one kind of item is stored, linked and qualified."""

    kind: ItemKind
    type_name: str  # the GraphQL type and the global ID prefix
    model: type[TimestampedModel]
    link: type[Model]
    link_key: str  # the link table's column naming the item
    refusal: Callable[[Model], str | None]  # why it may not be linked, or None
    linkable: Q  # the same rule as a query, for the pickers
    seen_by_contacts: bool


KINDS: dict[ItemKind, Kind] = {
    ItemKind.TASK: Kind(
        ItemKind.TASK,
        "Task",
        Task,
        RequestTask,
        "task_id",
        _task_refusal,
        Q(status=TaskStatus.OPEN),
        seen_by_contacts=False,
    ),
    ItemKind.APPOINTMENT: Kind(
        ItemKind.APPOINTMENT,
        "Appointment",
        Appointment,
        RequestAppointment,
        "appointment_id",
        _appointment_refusal,
        Q(status=AppointmentStatus.PENDING),
        seen_by_contacts=True,
    ),
    ItemKind.SERVICE_RECORD: Kind(
        ItemKind.SERVICE_RECORD,
        "ServiceRecord",
        ServiceRecord,
        RequestServiceRecord,
        "service_record_id",
        _always,
        Q(),
        seen_by_contacts=True,
    ),
    ItemKind.INVOICE: Kind(
        ItemKind.INVOICE,
        "Invoice",
        Invoice,
        RequestInvoice,
        "invoice_id",
        _invoice_refusal,
        ~Q(status=InvoiceStatus.VOID),
        seen_by_contacts=True,
    ),
    ItemKind.CREDIT_MEMO: Kind(
        ItemKind.CREDIT_MEMO,
        "CreditMemo",
        CreditMemo,
        RequestCreditMemo,
        "credit_memo_id",
        _always,
        Q(),
        seen_by_contacts=True,
    ),
}
KIND_OF_TYPE = {kind.type_name: kind for kind in KINDS.values()}


def visible_items(viewer: Viewer, kind: Kind) -> QuerySet[TimestampedModel]:
    """Items of the accounts the viewer sees; portal contacts never see tasks."""
    if viewer.is_contact and not kind.seen_by_contacts:
        return kind.model.filter(id__in=[])
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return kind.model.all()
    return kind.model.filter(
        account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
    )


@dataclass(frozen=True)
class Linked:
    """One link of a request, with its item (for the request's linked items)."""

    kind: Kind
    item: TimestampedModel
    linked_at: datetime


async def has_links(request_id: int) -> bool:
    """Is any item linked to this request? (Such a request stays with its account.)"""
    for kind in KINDS.values():
        if await kind.link.filter(request_id=request_id).exists():
            return True
    return False
