"""What the item mutations take: new and changed items, links and unlinks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from models import linked_items as li
from schema import item_enums  # noqa: F401  (registers the enums first)


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
