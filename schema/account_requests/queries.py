"""The account requests list and its counts per status."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from models import account_requests as requests
from schema.account_requests import enums  # noqa: F401  (registers the enums first)
from schema.account_requests.filters import (
    AccountRequestOrder,
    FilterArgument,
    request_filter,
)
from schema.account_requests.types import AccountRequest
from schema.relay.connections import After, Before, Connection, First, Last, PageArgs
from schema.relay.keyset_paging import paginate_sorted
from schema.relay.ordering import OrderDirection


@strawberry.type(description="How many requests have one status.")
class StatusCount:
    status: requests.RequestStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many requests have it.")


@strawberry.type(description="Counts of requests per status, for the home screen.")
class AccountRequestCounts:
    total: int = strawberry.field(description="All matching requests.")
    by_status: list[StatusCount] = strawberry.field(description="Per status, in workflow order.")


async def list_requests(
    info: Info, spec: requests.RequestFilter, order: AccountRequestOrder | None, args: PageArgs
) -> Connection[AccountRequest]:
    viewer = info.context.viewer
    query = await requests.filter_requests(requests.visible_account_requests(viewer), spec, viewer)
    order = order or AccountRequestOrder(field=requests.RequestOrderField.UPDATED_AT)
    field = requests.RequestOrderField(order.field)
    column, value_type = requests.ORDER_COLUMNS[field]
    by_account = field is requests.RequestOrderField.ACCOUNT_NAME
    if by_account:
        query = query.select_related("account")

    def value_of(row: requests.AccountRequest) -> object:
        return row.account.name if by_account else getattr(row, column)

    return await paginate_sorted(
        query,
        args,
        AccountRequest.from_row,
        column=column,
        descending=order.direction is OrderDirection.DESC,
        value_of=value_of,
        value_type=value_type,
        info=info,
        narrow_reads=not by_account,  # the sort value is the account's name
        count=requests.tallied_count(spec, viewer),  # None: COUNT(*) of the list
    )


@strawberry.type
class AccountRequestQueries:
    @strawberry.field(
        description="Account requests the viewer may see, filtered and sorted (newest "
        "change first by default). Cursors name positions, so rows inserted while "
        "paging do not shift them.",
        permission_classes=[IsAuthenticated],
    )
    async def account_requests(
        self,
        info: Info,
        filter: FilterArgument = None,
        order_by: Annotated[
            AccountRequestOrder | None,
            strawberry.argument(description="Sort key and direction (UPDATED_AT DESC)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AccountRequest]:
        return await list_requests(
            info, request_filter(filter), order_by, PageArgs(first, after, last, before)
        )

    @strawberry.field(
        description="How many requests the viewer may see, per status (the same filter).",
        permission_classes=[IsAuthenticated],
    )
    async def account_request_counts(
        self, info: Info, filter: FilterArgument = None
    ) -> AccountRequestCounts:
        viewer = info.context.viewer
        spec = request_filter(filter)
        # One statement on the maintained tally where it is exact (a viewer who sees every
        # request, a filter on its keys only); otherwise counted on the requests.
        counts = await requests.tallied_by_status(spec, viewer)
        if counts is None:
            query = await requests.filter_requests(
                requests.visible_account_requests(viewer), spec, viewer
            )
            counts = await requests.count_by_status(query)
        return AccountRequestCounts(
            total=sum(counts.values()),
            by_status=[StatusCount(status=s, count=n) for s, n in counts.items()],
        )
