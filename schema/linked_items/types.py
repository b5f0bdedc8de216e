"""Tasks, appointments, service records, invoices and credit memos: the types and the union."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

import strawberry
from tortoise.queryset import QuerySet

from api.context import Info
from fastpath import derived
from models import linked_items as li
from schema import item_enums  # noqa: F401  (registers the enums first)
from schema.account_requests.types import AccountRequest
from schema.accounts.types import Account, Site
from schema.nodes import register_node
from schema.relay.connections import Node
from schema.relay.ids import encode_id
from schema.users import User, user_by_id


@strawberry.type(description="What every linkable item has: its account and its requests.")
class Item:
    KIND: ClassVar[li.ItemKind]
    pk: strawberry.Private[int]
    account_id: strawberry.Private[int]

    @strawberry.field(description="The account the item belongs to.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.accounts_by_id.load(self.account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="The account requests this item is linked to.")
    async def account_requests(self, info: Info) -> list[AccountRequest]:
        rows = await info.context.loaders.requests_by_item_id[self.KIND].load(self.pk)
        return [AccountRequest.from_row(row) for row in rows]


async def _site(info: Info, site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    row = await info.context.loaders.sites_by_id.load(site_id)
    return Site.from_row(row) if row else None


@strawberry.type(description="Something to do for an account (staff only).")
class Task(Node, Item):
    KIND: ClassVar[li.ItemKind] = li.ItemKind.TASK
    title: str = strawberry.field(description="What to do.")
    description: str = strawberry.field(description="Details.")
    status: li.TaskStatus = strawberry.field(description="OPEN or DONE.")
    due_at: datetime | None = strawberry.field(description="When it is due.")
    created_at: datetime = strawberry.field(description="When it was created.")
    assignee_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: li.Task) -> Task:
        return cls(
            id=strawberry.ID(encode_id("Task", row.id)),
            pk=row.id,
            account_id=row.account_id,
            title=row.title,
            description=row.description,
            status=row.status,
            due_at=row.due_at,
            created_at=row.created_at,
            assignee_id=row.assignee_id,
        )

    @strawberry.field(description="Who does it.")
    async def assignee(self, info: Info) -> User | None:
        return await user_by_id(info, self.assignee_id)


@strawberry.type(description="A visit booked with an account.")
class Appointment(Node, Item):
    KIND: ClassVar[li.ItemKind] = li.ItemKind.APPOINTMENT
    starts_at: datetime = strawberry.field(description="Start.")
    ends_at: datetime = strawberry.field(description="End.")
    notes: str = strawberry.field(description="Notes.")
    status: li.AppointmentStatus = strawberry.field(description="PENDING, COMPLETED, CANCELLED.")
    created_at: datetime = strawberry.field(description="When it was booked.")
    site_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: li.Appointment) -> Appointment:
        return cls(
            id=strawberry.ID(encode_id("Appointment", row.id)),
            pk=row.id,
            account_id=row.account_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            notes=row.notes,
            status=row.status,
            created_at=row.created_at,
            site_id=row.site_id,
            assignee_id=row.assignee_id,
        )

    @strawberry.field(description="Where.")
    async def site(self, info: Info) -> Site | None:
        return await _site(info, self.site_id)

    @strawberry.field(description="Who goes.")
    async def assignee(self, info: Info) -> User | None:
        return await user_by_id(info, self.assignee_id)


@strawberry.type(description="Work that was done for an account.")
class ServiceRecord(Node, Item):
    KIND: ClassVar[li.ItemKind] = li.ItemKind.SERVICE_RECORD
    service_date: date = strawberry.field(description="When the work was done.")
    description: str = strawberry.field(description="What was done.")
    created_at: datetime = strawberry.field(description="When it was recorded.")
    site_id: strawberry.Private[int | None]
    performed_by_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: li.ServiceRecord) -> ServiceRecord:
        return cls(
            id=strawberry.ID(encode_id("ServiceRecord", row.id)),
            pk=row.id,
            account_id=row.account_id,
            service_date=row.service_date,
            description=row.description,
            created_at=row.created_at,
            site_id=row.site_id,
            performed_by_id=row.performed_by_id,
        )

    @strawberry.field(description="Where.")
    async def site(self, info: Info) -> Site | None:
        return await _site(info, self.site_id)

    @strawberry.field(description="Who did the work (staff only).")
    async def performed_by(self, info: Info) -> User | None:
        return await user_by_id(info, self.performed_by_id)


@strawberry.type(description="An invoice of an account; amounts are exact decimals.")
class Invoice(Node, Item):
    KIND: ClassVar[li.ItemKind] = li.ItemKind.INVOICE
    number: str = strawberry.field(description="Unique invoice number.")
    issued_on: date = strawberry.field(description="Issue date.")
    due_on: date = strawberry.field(description="Due date.")
    total: Decimal = strawberry.field(description="Total amount.")
    amount_paid: Decimal = strawberry.field(description="Paid so far.")
    status: li.InvoiceStatus = strawberry.field(description="OPEN, PAID or VOID.")
    created_at: datetime = strawberry.field(description="When it was recorded.")

    @classmethod
    def from_row(cls, row: li.Invoice) -> Invoice:
        return cls(
            id=strawberry.ID(encode_id("Invoice", row.id)),
            pk=row.id,
            account_id=row.account_id,
            number=row.number,
            issued_on=row.issued_on,
            due_on=row.due_on,
            total=row.total,
            amount_paid=row.amount_paid,
            status=row.status,
            created_at=row.created_at,
        )

    def _amount_due(self) -> Decimal:
        return li.amount_due(self.status, self.total, self.amount_paid)

    amount_due: Decimal = derived(
        _amount_due,
        sql=li.AMOUNT_DUE_SQL,
        written_as=li.Invoice._meta.fields_map["total"],
        columns=("status", "total", "amount_paid"),
        description="What is still owed (total minus paid; zero when void).",
    )


@strawberry.type(description="A credit given to an account.")
class CreditMemo(Node, Item):
    KIND: ClassVar[li.ItemKind] = li.ItemKind.CREDIT_MEMO
    number: str = strawberry.field(description="Unique credit memo number.")
    issued_on: date = strawberry.field(description="Issue date.")
    amount: Decimal = strawberry.field(description="Amount credited.")
    reason: str = strawberry.field(description="Why.")
    created_at: datetime = strawberry.field(description="When it was recorded.")

    @classmethod
    def from_row(cls, row: li.CreditMemo) -> CreditMemo:
        return cls(
            id=strawberry.ID(encode_id("CreditMemo", row.id)),
            pk=row.id,
            account_id=row.account_id,
            number=row.number,
            issued_on=row.issued_on,
            amount=row.amount,
            reason=row.reason,
            created_at=row.created_at,
        )


LinkedItem = Annotated[
    Task | Appointment | ServiceRecord | Invoice | CreditMemo,
    strawberry.union("LinkedItem", description="Any item an account request can link."),
]

CONVERT: dict[li.ItemKind, Callable[[Any], Any]] = {
    li.ItemKind.TASK: Task.from_row,
    li.ItemKind.APPOINTMENT: Appointment.from_row,
    li.ItemKind.SERVICE_RECORD: ServiceRecord.from_row,
    li.ItemKind.INVOICE: Invoice.from_row,
    li.ItemKind.CREDIT_MEMO: CreditMemo.from_row,
}


def _register(kind: li.Kind) -> None:
    async def load(info: Info, ids: list[int]) -> list[object | None]:
        rows = await li.visible_items(info.context.viewer, kind).filter(id__in=ids)
        found = {row.id: row for row in rows}
        return [found.get(pk) for pk in ids]

    def rows(info: Info) -> QuerySet[Any]:
        return li.visible_items(info.context.viewer, kind)

    register_node(kind.type_name, load, CONVERT[kind.kind], rows=rows)


for _kind in li.KINDS.values():
    _register(_kind)
