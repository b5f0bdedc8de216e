"""Creating and changing items, linking them to requests, and the payloads."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import requires
from models import items, linking, notices_withdrawal
from models import linked_items as li
from models.permissions import Permission
from schema.account_requests.types import AccountRequest
from schema.errors import UserError, run_in_transaction
from schema.linked_items.inputs import (
    AddAppointmentToAccountRequestInput,
    AddTaskToAccountRequestInput,
    AppointmentFields,
    CreateAppointmentInput,
    CreateCreditMemoInput,
    CreateInvoiceInput,
    CreateServiceRecordInput,
    CreateTaskInput,
    LinkAccountRequestItemsInput,
    TaskFields,
    UnlinkAccountRequestItemInput,
    UpdateAppointmentInput,
    UpdateTaskInput,
    VoidInvoiceInput,
)
from schema.linked_items.types import Appointment, CreditMemo, Invoice, ServiceRecord, Task
from schema.relay.ids import decode_id, key_for

CanWork = requires(Permission.EDIT_ALL_ACCOUNT_REQUESTS, Permission.EDIT_OWN_ACCOUNT_REQUESTS)
CanBill = requires(Permission.MANAGE_BILLING)
CanLink = requires(
    Permission.EDIT_ALL_ACCOUNT_REQUESTS,
    Permission.EDIT_OWN_ACCOUNT_REQUESTS,
    Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
)


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
    account_request: AccountRequest | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(
        description="One entry per refused item (field input.itemIds.N) with the reason."
    )


def item_ref(global_id: strawberry.ID | str) -> linking.ItemRef:
    """(kind, key) of a global ID; IDs of other types name no linkable kind."""
    type_name, pk = decode_id(str(global_id))
    return li.KIND_OF_TYPE.get(type_name), pk


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

    @strawberry.mutation(
        description="Change a task: whoever may work on its account, or its assignee.",
        permission_classes=[CanLink],
    )
    async def update_task(self, info: Info, input: UpdateTaskInput) -> TaskPayload:
        viewer = info.context.viewer
        key, data = key_for(input.id, "Task"), _task_data(input)
        row, errors = await run_in_transaction(
            lambda: notices_withdrawal.reassigning(
                li.KIND_OF_TYPE["Task"].model, key, lambda: items.update_task(viewer, key, data)
            )
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

    @strawberry.mutation(
        description="Change an appointment: whoever may work on its account, or its assignee.",
        permission_classes=[CanLink],
    )
    async def update_appointment(
        self, info: Info, input: UpdateAppointmentInput
    ) -> AppointmentPayload:
        viewer = info.context.viewer
        key, data = key_for(input.id, "Appointment"), _appointment_data(input)
        row, errors = await run_in_transaction(
            lambda: notices_withdrawal.reassigning(
                li.KIND_OF_TYPE["Appointment"].model,
                key,
                lambda: items.update_appointment(viewer, key, data),
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
