"""How the account requests list and its counts are narrowed and sorted."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models import account_requests as requests
from schema.account_requests import enums  # noqa: F401  (registers the enums first)
from schema.relay.ids import keys_for
from schema.relay.ordering import OrderDirection


@strawberry.input(description="Narrow the account requests list; all given conditions hold.")
class AccountRequestFilter:
    statuses: list[requests.RequestStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    type_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Any of these request types."
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Assigned to any of these users."
    )
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of any of these accounts."
    )
    include_sub_accounts: bool = strawberry.field(
        default=False, description="With accountIds: also their sub-accounts (any depth)."
    )
    sources: list[requests.RequestSource] | None = strawberry.field(
        default=None, description="Raised by staff, the portal or an account manager."
    )
    assigned_to_me: bool = strawberry.field(
        default=False, description="Only requests assigned to the viewer (the home list)."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="True: nobody is assigned; false: somebody is."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after."
    )
    created_before: datetime | None = strawberry.field(default=None, description="Created before.")
    updated_after: datetime | None = strawberry.field(
        default=None, description="Changed at or after."
    )
    updated_before: datetime | None = strawberry.field(default=None, description="Changed before.")
    search: str | None = strawberry.field(
        default=None, description="Words in the note or the account name, any case."
    )
    internal: bool | None = strawberry.field(
        default=None,
        description="True: only internal requests; false: only those the portal may see "
        "(portal contacts never see internal ones either way).",
    )


@strawberry.input(description="How to sort account requests.")
class AccountRequestOrder:
    field: requests.RequestOrderField = strawberry.field(description="The sort key.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )


def request_filter(spec: AccountRequestFilter | None) -> requests.RequestFilter:
    spec = spec or AccountRequestFilter()
    return requests.RequestFilter(
        statuses=spec.statuses,
        type_ids=keys_for(spec.type_ids, "AccountRequestType"),
        assignee_ids=keys_for(spec.assignee_ids, "User"),
        account_ids=keys_for(spec.account_ids, "Account"),
        include_sub_accounts=spec.include_sub_accounts,
        sources=spec.sources,
        assigned_to_me=spec.assigned_to_me,
        unassigned=spec.unassigned,
        created_after=spec.created_after,
        created_before=spec.created_before,
        updated_after=spec.updated_after,
        updated_before=spec.updated_before,
        search=spec.search,
        internal=spec.internal,
    )


FilterArgument = Annotated[
    AccountRequestFilter | None, strawberry.argument(description="Conditions to meet.")
]
