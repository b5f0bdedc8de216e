"""The `accounts` list."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from models import accounts
from schema.accounts.filters import AccountFilter, AccountOrder
from schema.accounts.types import Account
from schema.relay.connections import After, Before, Connection, First, Last, PageArgs
from schema.relay.ids import keys_for
from schema.relay.offset_paging import paginate
from schema.relay.ordering import OrderDirection


@strawberry.type
class AccountQueries:
    @strawberry.field(
        description="Accounts the viewer may see (staff: all or their own; a portal "
        "contact: its own), filtered and sorted.",
        permission_classes=[IsAuthenticated],
    )
    async def accounts(
        self,
        info: Info,
        filter: Annotated[
            AccountFilter | None,
            strawberry.argument(description="Conditions the accounts must all meet."),
        ] = None,
        order_by: Annotated[
            AccountOrder | None,
            strawberry.argument(description="Sort key and direction; by name when left out."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Account]:
        spec = filter or AccountFilter()
        query = accounts.filter_accounts(
            accounts.visible_accounts(info.context.viewer),
            accounts.AccountFilter(
                search=spec.search,
                is_active=spec.is_active,
                manager_ids=keys_for(spec.manager_ids, "User"),
                without_manager=spec.without_manager,
                parent_ids=keys_for(spec.parent_ids, "Account"),
                top_level_only=spec.top_level_only,
            ),
        )
        order = order_by or AccountOrder(field=accounts.AccountOrderField.NAME)
        query = accounts.order_accounts(
            query, accounts.AccountOrderField(order.field), order.direction is OrderDirection.DESC
        )
        return await paginate(
            query, PageArgs(first, after, last, before), Account.from_row, info=info
        )
