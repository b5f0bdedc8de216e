"""Credit account requests, decisions and invoice payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import IsStaff, requires
from models import credit_accounts as credit
from models.errors import Forbidden
from models.permissions import Permission
from schema.accounts.types import Account
from schema.errors import UserError, run_in_transaction
from schema.linked_items.types import Invoice
from schema.nodes import register_node
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import encode_id, key_for, keys_for
from schema.relay.offset_paging import paginate
from schema.users import User, user_by_id

strawberry.enum(credit.CreditRequestStatus, description="PENDING, then ACCEPTED or REJECTED.")


@strawberry.type(description="A request for a credit limit on an account.")
class CreditAccountRequest(Node):
    requested_limit: Decimal = strawberry.field(description="The limit asked for.")
    previous_limit: Decimal | None = strawberry.field(
        description="The account's limit before acceptance (null: none, or not accepted)."
    )
    note: str = strawberry.field(description="Why the limit is wanted.")
    status: credit.CreditRequestStatus = strawberry.field(description="Where it stands.")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    decision_note: str | None = strawberry.field(
        description="The rejection reason, or the note given with an acceptance."
    )
    created_at: datetime = strawberry.field(description="When it was requested.")
    account_id: strawberry.Private[int]
    requested_by_id: strawberry.Private[int | None]
    decided_by_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: credit.CreditAccountRequest) -> CreditAccountRequest:
        return cls(
            id=strawberry.ID(encode_id("CreditAccountRequest", row.id)),
            requested_limit=row.requested_limit,
            previous_limit=row.previous_limit,
            note=row.note,
            status=row.status,
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            created_at=row.created_at,
            account_id=row.account_id,
            requested_by_id=row.requested_by_id,
            decided_by_id=row.decided_by_id,
            assignee_id=row.assignee_id,
        )

    @strawberry.field(description="The account.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.accounts_by_id.load(self.account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="Who asked.")
    async def requested_by(self, info: Info) -> User | None:
        return await user_by_id(info, self.requested_by_id)

    @strawberry.field(description="Who decided.")
    async def decided_by(self, info: Info) -> User | None:
        return await user_by_id(info, self.decided_by_id)

    @strawberry.field(
        description="The credit team member the request was delegated to (null: nobody "
        "yet); any member or admin may still decide it."
    )
    async def assignee(self, info: Info) -> User | None:
        return await user_by_id(info, self.assignee_id)


async def _load(info: Info, ids: list[int]) -> list[credit.CreditAccountRequest | None]:
    rows = await (await credit.visible_credit_requests(info.context.viewer)).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node(
    "CreditAccountRequest",
    _load,
    CreditAccountRequest.from_row,
    rows=lambda info: credit.credit_requests_by_role(info.context.viewer),
)


@strawberry.input(description="Narrow the credit requests list.")
class CreditAccountRequestFilter:
    statuses: list[credit.CreditRequestStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of these accounts."
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Delegated to any of these users."
    )
    assigned_to_me: bool = strawberry.field(
        default=False, description="Only requests delegated to the viewer."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="True: delegated to nobody; false: delegated to somebody."
    )


@strawberry.type
class CreditQueries:
    @strawberry.field(
        description="Credit requests, newest first: the accounting team's queue "
        "(admins, project managers, accounting and the credit team).",
        permission_classes=[IsStaff],
    )
    async def credit_account_requests(
        self,
        info: Info,
        filter: Annotated[
            CreditAccountRequestFilter | None, strawberry.argument(description="Conditions.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[CreditAccountRequest]:
        viewer = info.context.viewer
        if not await credit.may_view(viewer):
            raise Forbidden()
        query = await credit.visible_credit_requests(viewer)
        spec = filter or CreditAccountRequestFilter()
        conditions = credit.CreditRequestFilter(
            statuses=spec.statuses,
            account_ids=keys_for(spec.account_ids, "Account"),
            assignee_ids=keys_for(spec.assignee_ids, "User"),
            assigned_to_me=spec.assigned_to_me,
            unassigned=spec.unassigned,
        )
        query = credit.filter_credit_requests(query, conditions, viewer)
        return await paginate(
            query.order_by("-created_at", "-id"),
            PageArgs(first, after, last, before),
            CreditAccountRequest.from_row,
            info=info,
        )


@strawberry.input(description="Ask for a credit limit on an account.")
class RequestCreditAccountInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    requested_limit: Decimal = strawberry.field(description="The limit, more than zero.")
    note: str | None = strawberry.field(default=None, description="Why.")


@strawberry.input(description="Accept a pending credit request.")
class AcceptCreditAccountRequestInput:
    id: strawberry.ID = strawberry.field(description="The request.")
    note: str | None = strawberry.field(default=None, description="A note for the requester.")


@strawberry.input(description="Reject a pending credit request.")
class RejectCreditAccountRequestInput:
    id: strawberry.ID = strawberry.field(description="The request.")
    reason: str = strawberry.field(description="Why; sent to the requester verbatim.")


@strawberry.type(description="Result of a credit request mutation.")
class CreditAccountRequestPayload:
    credit_account_request: CreditAccountRequest | None = strawberry.field(
        description="The request."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="Delegate a pending credit request to a credit team member.")
class AssignCreditAccountRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The pending credit request.")
    assignee_id: strawberry.ID | None = strawberry.field(
        description="A member of the credit team (its leader included); null: nobody."
    )


@strawberry.type(description="Result of assignCreditAccountRequest.")
class AssignCreditAccountRequestPayload:
    credit_account_request: CreditAccountRequest | None = strawberry.field(
        description="The request, with its assignee."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems, e.g. ASSIGNEE_NOT_ELIGIBLE or ALREADY_DECIDED."
    )


@strawberry.input(description="A payment received against an invoice.")
class RecordInvoicePaymentInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice.")
    amount: Decimal = strawberry.field(description="More than zero, not more than still owed.")
    paid_on: date = strawberry.field(description="When it was paid.")


@strawberry.type(description="Result of recordInvoicePayment.")
class RecordInvoicePaymentPayload:
    invoice: Invoice | None = strawberry.field(description="The invoice (PAID when settled).")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


def _payload(
    row: credit.CreditAccountRequest | None, errors: list[UserError]
) -> CreditAccountRequestPayload:
    return CreditAccountRequestPayload(
        credit_account_request=CreditAccountRequest.from_row(row) if row else None,
        user_errors=errors,
    )


@strawberry.type
class CreditMutations:
    @strawberry.mutation(
        description="Ask for a credit limit (project managers, admins); one pending request "
        "per account. The credit team's leader is notified.",
        permission_classes=[requires(Permission.REQUEST_CREDIT_ACCOUNT)],
    )
    async def request_credit_account(
        self, info: Info, input: RequestCreditAccountInput
    ) -> CreditAccountRequestPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: credit.request_credit(
                viewer, key_for(input.account_id, "Account"), input.requested_limit, input.note
            )
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Accept: the account's credit limit becomes the requested one (credit "
        "team members and admins). Final; exactly once.",
        permission_classes=[IsStaff],
    )
    async def accept_credit_account_request(
        self, info: Info, input: AcceptCreditAccountRequestInput
    ) -> CreditAccountRequestPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: credit.accept(viewer, key_for(input.id, "CreditAccountRequest"), input.note)
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Reject with a reason (credit team members and admins). Final.",
        permission_classes=[IsStaff],
    )
    async def reject_credit_account_request(
        self, info: Info, input: RejectCreditAccountRequestInput
    ) -> CreditAccountRequestPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: credit.reject(viewer, key_for(input.id, "CreditAccountRequest"), input.reason)
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Delegate a pending credit request to a member of the credit team, who "
        "is notified (the credit team's leader and admins); any member or admin may still "
        "decide it.",
        permission_classes=[IsStaff],
    )
    async def assign_credit_account_request(
        self, info: Info, input: AssignCreditAccountRequestInput
    ) -> AssignCreditAccountRequestPayload:
        viewer = info.context.viewer
        request_id = key_for(input.request_id, "CreditAccountRequest")
        assignee = None if input.assignee_id is None else key_for(input.assignee_id, "User")
        row, errors = await run_in_transaction(lambda: credit.assign(viewer, request_id, assignee))
        return AssignCreditAccountRequestPayload(
            credit_account_request=CreditAccountRequest.from_row(row) if row else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Record a payment; an invoice fully paid becomes PAID; overpaying is "
        "refused (OVERPAYMENT).",
        permission_classes=[requires(Permission.MANAGE_BILLING)],
    )
    async def record_invoice_payment(
        self, info: Info, input: RecordInvoicePaymentInput
    ) -> RecordInvoicePaymentPayload:
        viewer = info.context.viewer
        data = credit.PaymentData(amount=input.amount, paid_on=input.paid_on)
        row, errors = await run_in_transaction(
            lambda: credit.record_payment(viewer, key_for(input.invoice_id, "Invoice"), data)
        )
        return RecordInvoicePaymentPayload(
            invoice=Invoice.from_row(row) if row else None, user_errors=errors
        )
