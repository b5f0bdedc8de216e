"""Tasks, appointments, service records, invoices and credit memos, and linking them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from api.context import Info
from api.permissions import requires
from models import items, linking
from models import linked_items as li
from models.permissions import Permission
from schema import item_enums  # noqa: F401  (registers the enums first)
from schema.accounts import Account, Site
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node
from schema.relay import (
    Connection,
    Node,
    PageArgs,
    decode_id,
    encode_id,
    key_for,
    paginate_list,
)

if TYPE_CHECKING:
    from schema.account_requests import AccountRequest
    from schema.users import User

UserType = Annotated["User", strawberry.lazy("schema.users")]
RequestType = Annotated["AccountRequest", strawberry.lazy("schema.account_requests")]


CanWork = requires(Permission.EDIT_ALL_ACCOUNT_REQUESTS, Permission.EDIT_OWN_ACCOUNT_REQUESTS)
CanBill = requires(Permission.MANAGE_BILLING)
CanLink = requires(
    Permission.EDIT_ALL_ACCOUNT_REQUESTS,
    Permission.EDIT_OWN_ACCOUNT_REQUESTS,
    Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
)


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
    async def account_requests(self, info: Info) -> list[RequestType]:
        from schema.account_requests import AccountRequest

        rows = await info.context.loaders.requests_by_item_id[self.KIND].load(self.pk)
        return [AccountRequest.from_row(row) for row in rows]


async def _user(info: Info, user_id: int | None) -> UserType | None:
    from schema.users import user_by_id

    return await user_by_id(info, user_id)


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
    async def assignee(self, info: Info) -> UserType | None:
        return await _user(info, self.assignee_id)


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
    async def assignee(self, info: Info) -> UserType | None:
        return await _user(info, self.assignee_id)


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
    async def performed_by(self, info: Info) -> UserType | None:
        return await _user(info, self.performed_by_id)


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

    @strawberry.field(description="What is still owed (total minus paid; zero when void).")
    def amount_due(self) -> Decimal:
        if self.status is li.InvoiceStatus.VOID:
            return Decimal("0.00")
        return self.total - self.amount_paid


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


def as_item(
    kind: li.Kind, row: object
) -> Task | Appointment | ServiceRecord | Invoice | CreditMemo:
    result: Task | Appointment | ServiceRecord | Invoice | CreditMemo = CONVERT[kind.kind](row)
    return result


def _register(kind: li.Kind) -> None:
    async def load(info: Info, ids: list[int]) -> list[object | None]:
        rows = await li.visible_items(info.context.viewer, kind).filter(id__in=ids)
        found = {row.id: row for row in rows}
        return [found.get(pk) for pk in ids]

    register_node(kind.type_name, load, CONVERT[kind.kind])


for _kind in li.KINDS.values():
    _register(_kind)


def item_ref(global_id: strawberry.ID | str) -> linking.ItemRef:
    """(kind, key) of a global ID; IDs of other types name no linkable kind."""
    type_name, pk = decode_id(str(global_id))
    return li.KIND_OF_TYPE.get(type_name), pk


async def account_items(
    info: Info, account_id: int, kind: li.ItemKind, status: object, args: PageArgs
) -> Connection[Task | Appointment | ServiceRecord | Invoice | CreditMemo]:
    """One account's items of one kind (Account.tasks, .invoices ...), newest first."""
    rows = await info.context.loaders.items_by_account_id[kind].load(account_id)
    if status is not None:
        rows = [row for row in rows if getattr(row, "status", None) == status]
    return paginate_list([CONVERT[kind](row) for row in rows], args)


# --- inputs and payloads ----------------------------------------------------------------


@strawberry.input(description="A new task.")
class TaskFields:
    title: str = strawberry.field(description="What to do.")
    description: str | None = strawberry.field(default=None, description="Details.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Who does it.")
    due_at: datetime | None = strawberry.field(default=None, description="When it is due.")


@strawberry.input(description="A new task on an account.")
class CreateTaskInput(TaskFields):
    account_id: strawberry.ID = strawberry.field(description="The account.")


@strawberry.input(description="A new task on the request's account, linked to the request.")
class AddTaskToAccountRequestInput(TaskFields):
    account_request_id: strawberry.ID = strawberry.field(description="The request.")


@strawberry.input(description="Changes to a task; fields left out stay as they are.")
class UpdateTaskInput:
    id: strawberry.ID = strawberry.field(description="The task.")
    title: str | None = strawberry.field(default=None, description="What to do.")
    description: str | None = strawberry.field(default=None, description="Details.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Who does it; null unassigns."
    )
    due_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Due; null clears it."
    )
    status: li.TaskStatus | None = strawberry.field(default=None, description="OPEN or DONE.")


@strawberry.input(description="A new appointment.")
class AppointmentFields:
    starts_at: datetime = strawberry.field(description="Start.")
    ends_at: datetime = strawberry.field(description="End (after the start).")
    site_id: strawberry.ID | None = strawberry.field(default=None, description="Where.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Who goes.")
    notes: str | None = strawberry.field(default=None, description="Notes.")


@strawberry.input(description="A new appointment on an account.")
class CreateAppointmentInput(AppointmentFields):
    account_id: strawberry.ID = strawberry.field(description="The account.")


@strawberry.input(description="A new appointment on the request's account, linked to it.")
class AddAppointmentToAccountRequestInput(AppointmentFields):
    account_request_id: strawberry.ID = strawberry.field(description="The request.")


@strawberry.input(description="Changes to an appointment; fields left out stay as they are.")
class UpdateAppointmentInput:
    id: strawberry.ID = strawberry.field(description="The appointment.")
    starts_at: datetime | None = strawberry.field(default=None, description="Start.")
    ends_at: datetime | None = strawberry.field(default=None, description="End.")
    site_id: strawberry.ID | None = strawberry.field(default=None, description="Where.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Who goes; null unassigns."
    )
    notes: str | None = strawberry.field(default=None, description="Notes.")
    status: li.AppointmentStatus | None = strawberry.field(default=None, description="Status.")


@strawberry.input(description="A record of work done.")
class CreateServiceRecordInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    service_date: date = strawberry.field(description="When the work was done.")
    description: str = strawberry.field(description="What was done.")
    site_id: strawberry.ID | None = strawberry.field(default=None, description="Where.")
    performed_by_id: strawberry.ID | None = strawberry.field(default=None, description="Who.")


@strawberry.input(description="A new invoice (billing staff).")
class CreateInvoiceInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    number: str = strawberry.field(description="Unique number.")
    issued_on: date = strawberry.field(description="Issue date.")
    due_on: date = strawberry.field(description="Due date (on or after issue).")
    total: Decimal = strawberry.field(description="Total, two decimals at most.")
    amount_paid: Decimal = strawberry.field(
        default=Decimal("0.00"), description="Paid so far (not more than the total)."
    )


@strawberry.input(description="Void an invoice; its links stay as history.")
class VoidInvoiceInput:
    id: strawberry.ID = strawberry.field(description="The invoice.")


@strawberry.input(description="A new credit memo (billing staff).")
class CreateCreditMemoInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    number: str = strawberry.field(description="Unique number.")
    issued_on: date = strawberry.field(description="Issue date.")
    amount: Decimal = strawberry.field(description="Amount, more than zero.")
    reason: str = strawberry.field(description="Why.")


@strawberry.input(description="Link existing items to a request (all or none).")
class LinkAccountRequestItemsInput:
    account_request_id: strawberry.ID = strawberry.field(description="The request.")
    item_ids: list[strawberry.ID] = strawberry.field(
        description="Global IDs of tasks, appointments, service records, invoices or credit "
        "memos of the request's account (at most 100)."
    )


@strawberry.input(description="Unlink one item from a request.")
class UnlinkAccountRequestItemInput:
    account_request_id: strawberry.ID = strawberry.field(description="The request.")
    item_id: strawberry.ID = strawberry.field(description="The linked item.")


@strawberry.type(description="Result of createTask / updateTask.")
class TaskPayload:
    task: Task | None = strawberry.field(description="The task.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createAppointment / updateAppointment.")
class AppointmentPayload:
    appointment: Appointment | None = strawberry.field(description="The appointment.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createServiceRecord.")
class ServiceRecordPayload:
    service_record: ServiceRecord | None = strawberry.field(description="The record.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createInvoice / voidInvoice.")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(description="The invoice.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createCreditMemo.")
class CreditMemoPayload:
    credit_memo: CreditMemo | None = strawberry.field(description="The credit memo.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of linking or unlinking: the request as it is now.")
class AccountRequestLinksPayload:
    account_request: RequestType | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(
        description="One entry per refused item (field input.itemIds.N) with the reason."
    )


def _opt(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None or value is strawberry.UNSET else key_for(value, type_name)


def _task_data(value: TaskFields | UpdateTaskInput) -> items.TaskData:
    due = value.due_at
    return items.TaskData(
        title=value.title,
        description=value.description,
        assignee_id=_opt(value.assignee_id, "User"),
        clear_assignee=isinstance(value, UpdateTaskInput) and value.assignee_id is None,
        due_at=None if due is strawberry.UNSET else due,
        clear_due=isinstance(value, UpdateTaskInput) and due is None,
        status=getattr(value, "status", None),
    )


def _appointment_data(value: AppointmentFields | UpdateAppointmentInput) -> items.AppointmentData:
    return items.AppointmentData(
        site_id=_opt(value.site_id, "Site"),
        starts_at=value.starts_at,
        ends_at=value.ends_at,
        assignee_id=_opt(value.assignee_id, "User"),
        clear_assignee=isinstance(value, UpdateAppointmentInput) and value.assignee_id is None,
        notes=value.notes,
        status=getattr(value, "status", None),
    )


async def _request_payload(
    info: Info, row: object | None, errors: list[UserError]
) -> AccountRequestLinksPayload:
    from schema.account_requests import AccountRequest

    return AccountRequestLinksPayload(
        account_request=AccountRequest.from_row(row) if row else None,  # type: ignore[arg-type]
        user_errors=errors,
    )


@strawberry.type
class LinkedItemMutations:
    @strawberry.mutation(description="Create a task on an account.", permission_classes=[CanWork])
    async def create_task(self, info: Info, input: CreateTaskInput) -> TaskPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: items.create_task(
                viewer, key_for(input.account_id, "Account"), _task_data(input)
            )
        )
        return TaskPayload(task=Task.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Change a task.", permission_classes=[CanWork])
    async def update_task(self, info: Info, input: UpdateTaskInput) -> TaskPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: items.update_task(viewer, key_for(input.id, "Task"), _task_data(input))
        )
        return TaskPayload(task=Task.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Book an appointment.", permission_classes=[CanWork])
    async def create_appointment(
        self, info: Info, input: CreateAppointmentInput
    ) -> AppointmentPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: items.create_appointment(
                viewer, key_for(input.account_id, "Account"), _appointment_data(input)
            )
        )
        return AppointmentPayload(
            appointment=Appointment.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(description="Change an appointment.", permission_classes=[CanWork])
    async def update_appointment(
        self, info: Info, input: UpdateAppointmentInput
    ) -> AppointmentPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: items.update_appointment(
                viewer, key_for(input.id, "Appointment"), _appointment_data(input)
            )
        )
        return AppointmentPayload(
            appointment=Appointment.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(description="Record work done.", permission_classes=[CanWork])
    async def create_service_record(
        self, info: Info, input: CreateServiceRecordInput
    ) -> ServiceRecordPayload:
        viewer = info.context.viewer
        data = items.ServiceRecordData(
            service_date=input.service_date,
            description=input.description,
            site_id=_opt(input.site_id, "Site"),
            performed_by_id=_opt(input.performed_by_id, "User"),
        )
        row, errors = await run_in_transaction(
            lambda: items.create_service_record(viewer, key_for(input.account_id, "Account"), data)
        )
        return ServiceRecordPayload(
            service_record=ServiceRecord.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(description="Record an invoice.", permission_classes=[CanBill])
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> InvoicePayload:
        viewer = info.context.viewer
        data = items.InvoiceData(
            number=input.number,
            issued_on=input.issued_on,
            due_on=input.due_on,
            total=input.total,
            amount_paid=input.amount_paid,
        )
        row, errors = await run_in_transaction(
            lambda: items.create_invoice(viewer, key_for(input.account_id, "Account"), data)
        )
        return InvoicePayload(invoice=Invoice.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Void an invoice.", permission_classes=[CanBill])
    async def void_invoice(self, info: Info, input: VoidInvoiceInput) -> InvoicePayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: items.void_invoice(viewer, key_for(input.id, "Invoice"))
        )
        return InvoicePayload(invoice=Invoice.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Record a credit memo.", permission_classes=[CanBill])
    async def create_credit_memo(
        self, info: Info, input: CreateCreditMemoInput
    ) -> CreditMemoPayload:
        viewer = info.context.viewer
        data = items.CreditMemoData(
            number=input.number, issued_on=input.issued_on, amount=input.amount, reason=input.reason
        )
        row, errors = await run_in_transaction(
            lambda: items.create_credit_memo(viewer, key_for(input.account_id, "Account"), data)
        )
        return CreditMemoPayload(
            credit_memo=CreditMemo.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Create a task on the request's account and link it, in one step.",
        permission_classes=[CanLink],
    )
    async def add_task_to_account_request(
        self, info: Info, input: AddTaskToAccountRequestInput
    ) -> TaskPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: linking.add_task(
                viewer, key_for(input.account_request_id, "AccountRequest"), _task_data(input)
            )
        )
        return TaskPayload(task=Task.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Book an appointment on the request's account and link it, in one step.",
        permission_classes=[CanLink],
    )
    async def add_appointment_to_account_request(
        self, info: Info, input: AddAppointmentToAccountRequestInput
    ) -> AppointmentPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: linking.add_appointment(
                viewer,
                key_for(input.account_request_id, "AccountRequest"),
                _appointment_data(input),
            )
        )
        return AppointmentPayload(
            appointment=Appointment.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Link existing items: open tasks, pending appointments, any service "
        "record, invoices that are not void, any credit memo of the request's account. All "
        "or nothing; linking an item twice is a no-op.",
        permission_classes=[CanLink],
    )
    async def link_account_request_items(
        self, info: Info, input: LinkAccountRequestItemsInput
    ) -> AccountRequestLinksPayload:
        viewer = info.context.viewer
        refs = [item_ref(item_id) for item_id in input.item_ids]
        row, errors = await run_in_transaction(
            lambda: linking.link_items(
                viewer, key_for(input.account_request_id, "AccountRequest"), refs
            )
        )
        return await _request_payload(info, row, errors)

    @strawberry.mutation(description="Unlink one item.", permission_classes=[CanLink])
    async def unlink_account_request_item(
        self, info: Info, input: UnlinkAccountRequestItemInput
    ) -> AccountRequestLinksPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: linking.unlink_item(
                viewer, key_for(input.account_request_id, "AccountRequest"), item_ref(input.item_id)
            )
        )
        return await _request_payload(info, row, errors)
