"""The live feed of one account request."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from models import account_requests as requests
from models.errors import InputError
from schema import live
from schema.account_requests.types import AccountRequest
from schema.relay.ids import decode_as
from schema.resume import AFTER_DESCRIPTION


@strawberry.type
class AccountRequestSubscriptions:
    @strawberry.subscription(
        description="The request after every change, for anyone allowed to see it; each "
        "event's cursor is in the `next` payload's `extensions.cursor`, to pass as `after` "
        "when reconnecting.",
        permission_classes=[IsAuthenticated],
    )
    async def account_request_updated(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The request to follow.")],
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> AsyncGenerator[AccountRequest, None]:
        context = info.context
        key = decode_as(id, "AccountRequest") or 0
        if not await requests.visible_account_requests(context.viewer).filter(id=key).exists():
            raise InputError("No account request with this ID.")
        async for _ in live.messages(info, "updated", requests.request_channel(key), after=after):
            # Re-read and re-check: the request may have moved out of the viewer's sight.
            row = await requests.visible_account_requests(context.viewer).get_or_none(id=key)
            if row is not None:
                yield AccountRequest.from_row(row)
