"""Creating and changing account requests, and their payloads."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from models import account_requests as requests
from models import notices_withdrawal
from schema.account_requests.inputs import CreateAccountRequestInput, UpdateAccountRequestInput
from schema.account_requests.types import AccountRequest
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for


@strawberry.type(description="Result of createAccountRequest.")
class CreateAccountRequestPayload:
    account_request: AccountRequest | None = strawberry.field(description="The new request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateAccountRequest.")
class UpdateAccountRequestPayload:
    account_request: AccountRequest | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


def _optional_key(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None or value is strawberry.UNSET else key_for(value, type_name)


@strawberry.type
class AccountRequestMutations:
    @strawberry.mutation(
        description="Create an account request: staff for any account, an account manager "
        "for their own, a portal contact for its own account with a portal type.",
        permission_classes=[IsAuthenticated],
    )
    async def create_account_request(
        self, info: Info, input: CreateAccountRequestInput
    ) -> CreateAccountRequestPayload:
        viewer = info.context.viewer
        data = requests.RequestData(
            account_id=_optional_key(input.account_id, "Account"),
            type_id=key_for(input.type_id, "AccountRequestType"),
            status=input.status,
            assignee_id=_optional_key(input.assignee_id, "User"),
            contact_id=_optional_key(input.contact_id, "Contact"),
            note=input.note,
            internal=input.internal,
            for_date=input.for_date,
        )
        row, errors = await run_in_transaction(lambda: requests.create_request(viewer, data))
        return CreateAccountRequestPayload(
            account_request=AccountRequest.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change an account request. Status changes follow the workflow "
        "(see `nextStatuses`); a technician edits only requests assigned to them.",
        permission_classes=[IsAuthenticated],
    )
    async def update_account_request(
        self, info: Info, input: UpdateAccountRequestInput
    ) -> UpdateAccountRequestPayload:
        viewer = info.context.viewer
        data = requests.RequestData(
            account_id=_optional_key(input.account_id, "Account"),
            type_id=_optional_key(input.type_id, "AccountRequestType"),
            status=input.status,
            assignee_id=_optional_key(input.assignee_id, "User"),
            clear_assignee=input.assignee_id is None,
            contact_id=_optional_key(input.contact_id, "Contact"),
            clear_contact=input.contact_id is None,
            note=input.note,
            internal=input.internal,
            for_date=input.for_date,
        )
        key = key_for(input.id, "AccountRequest")
        row, errors = await run_in_transaction(
            lambda: notices_withdrawal.reassigning(
                requests.AccountRequest, key, lambda: requests.update_request(viewer, key, data)
            )
        )
        return UpdateAccountRequestPayload(
            account_request=AccountRequest.from_row(row) if row else None, user_errors=errors
        )
