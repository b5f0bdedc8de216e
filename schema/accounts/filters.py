"""How the accounts list is narrowed and sorted."""

from __future__ import annotations

import strawberry

from models import accounts
from schema.relay.ordering import OrderDirection

AccountOrderField = strawberry.enum(
    accounts.AccountOrderField, description="What to sort accounts by."
)


@strawberry.input(description="Narrow the accounts list; all given conditions must hold.")
class AccountFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name or number, any case."
    )
    is_active: bool | None = strawberry.field(default=None, description="Active or inactive.")
    manager_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts looked after by one of these users."
    )
    without_manager: bool | None = strawberry.field(
        default=None, description="True: accounts with no manager; false: with one."
    )
    parent_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Sub-accounts of these accounts."
    )
    top_level_only: bool | None = strawberry.field(
        default=None, description="Only accounts that have no parent."
    )


@strawberry.input(description="How to sort the accounts list.")
class AccountOrder:
    field: AccountOrderField = strawberry.field(description="The sort key.")  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
