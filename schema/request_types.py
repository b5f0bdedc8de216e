"""Account request types: the setup list and the admin mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import CanManageSetup, IsAuthenticated
from fastpath import ANSWERED, answer_rows, related
from models import request_types
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node
from schema.relay.connections import Node
from schema.relay.ids import encode_id, key_for
from schema.users import User


@strawberry.type(description="A kind of account request (set up by admins).")
class AccountRequestType(Node):
    name: str = strawberry.field(description='Unique name, e.g. "Billing question".')
    description: str = strawberry.field(description="What requests of this type are for.")
    is_active: bool = strawberry.field(
        description="Inactive types cannot be chosen for new requests; old ones keep them."
    )
    portal_available: bool = strawberry.field(
        description="Portal contacts may choose this type for their own requests."
    )
    default_assignee_id: strawberry.Private[int | None]
    default_assignee: User | None = related(
        "default_assignee_id",
        "users_by_id",
        description="Who new requests of this type go to when none is chosen.",
    )

    @classmethod
    def from_row(cls, row: request_types.AccountRequestType) -> AccountRequestType:
        return cls(
            id=strawberry.ID(encode_id("AccountRequestType", row.id)),
            name=row.name,
            description=row.description,
            is_active=row.is_active,
            portal_available=row.portal_available,
            default_assignee_id=row.default_assignee_id,
        )


async def _load_types(info: Info, ids: list[int]) -> list[request_types.AccountRequestType | None]:
    rows = await request_types.visible_types(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node(
    "AccountRequestType",
    _load_types,
    AccountRequestType.from_row,
    rows=lambda info: request_types.visible_types(info.context.viewer),
)


@strawberry.type
class RequestTypeQueries:
    @strawberry.field(
        description="Request types by name. Staff see all (inactive ones on request); "
        "portal contacts see the active portal types.",
        permission_classes=[IsAuthenticated],
    )
    async def account_request_types(
        self,
        info: Info,
        include_inactive: Annotated[
            bool, strawberry.argument(description="Also list inactive types (staff).")
        ] = False,
    ) -> list[AccountRequestType]:
        query = request_types.visible_types(info.context.viewer)
        if not include_inactive:
            query = query.filter(is_active=True)
        query = query.order_by("name", "id")
        if await answer_rows(info, AccountRequestType.from_row, query):
            return ANSWERED  # written by the database (fastpath.json_roots)
        return [AccountRequestType.from_row(row) for row in await query]


@strawberry.input(description="A new request type.")
class CreateAccountRequestTypeInput:
    name: str = strawberry.field(description="Unique name.")
    description: str = strawberry.field(default="", description="What it is for.")
    is_active: bool = strawberry.field(default=True, description="Usable for new requests.")
    portal_available: bool = strawberry.field(
        default=False, description="Offered to portal contacts."
    )
    default_assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who new requests go to when none is chosen."
    )


@strawberry.input(description="Changes to a request type; fields left out stay as they are.")
class UpdateAccountRequestTypeInput:
    id: strawberry.ID = strawberry.field(description="The type to change.")
    name: str | None = strawberry.field(default=None, description="New name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    is_active: bool | None = strawberry.field(default=None, description="Active or not.")
    portal_available: bool | None = strawberry.field(
        default=None, description="Offered to portal contacts or not."
    )
    default_assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New default assignee; null removes it."
    )


@strawberry.type(description="Result of createAccountRequestType.")
class CreateAccountRequestTypePayload:
    account_request_type: AccountRequestType | None = strawberry.field(description="The type.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateAccountRequestType.")
class UpdateAccountRequestTypePayload:
    account_request_type: AccountRequestType | None = strawberry.field(description="The type.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class RequestTypeMutations:
    @strawberry.mutation(
        description="Create a request type (admins).", permission_classes=[CanManageSetup]
    )
    async def create_account_request_type(
        self, info: Info, input: CreateAccountRequestTypeInput
    ) -> CreateAccountRequestTypePayload:
        viewer = info.context.viewer
        data = request_types.TypeData(
            name=input.name,
            description=input.description,
            is_active=input.is_active,
            portal_available=input.portal_available,
            default_assignee_id=(
                None
                if input.default_assignee_id is None
                else key_for(input.default_assignee_id, "User")
            ),
        )
        row, errors = await run_in_transaction(lambda: request_types.create_type(viewer, data))
        return CreateAccountRequestTypePayload(
            account_request_type=AccountRequestType.from_row(row) if row else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a request type (admins).", permission_classes=[CanManageSetup]
    )
    async def update_account_request_type(
        self, info: Info, input: UpdateAccountRequestTypeInput
    ) -> UpdateAccountRequestTypePayload:
        viewer = info.context.viewer
        assignee = input.default_assignee_id
        data = request_types.TypeData(
            name=input.name,
            description=input.description,
            is_active=input.is_active,
            portal_available=input.portal_available,
            default_assignee_id=(
                key_for(assignee, "User") if assignee not in (None, strawberry.UNSET) else None
            ),
            clear_default_assignee=assignee is None,
        )
        row, errors = await run_in_transaction(
            lambda: request_types.update_type(viewer, key_for(input.id, "AccountRequestType"), data)
        )
        return UpdateAccountRequestTypePayload(
            account_request_type=AccountRequestType.from_row(row) if row else None,
            user_errors=errors,
        )
