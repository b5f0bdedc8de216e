"""The review queue's live count."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from api.context import Info
from models import service_requests as sr
from schema import live
from schema.resume import AFTER_DESCRIPTION
from schema.service_requests.permissions import CanReview
from schema.service_requests.types import ServiceRequestQueue


async def _queue() -> ServiceRequestQueue:
    return ServiceRequestQueue(pending_count=await sr.pending_count())


@strawberry.type
class ServiceRequestSubscriptions:
    @strawberry.subscription(
        description="The review queue after every submission or decision (reviewers); "
        "each event's cursor is in the `next` payload's `extensions.cursor`, to pass as "
        "`after` when reconnecting.",
        permission_classes=[CanReview],
    )
    async def service_request_queue_changed(
        self,
        info: Info,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> AsyncGenerator[ServiceRequestQueue, None]:
        # One count, one execution and one encoding per event, process and
        # permission set, not one per subscriber: ServiceRequestQueue holds
        # nothing that depends on who looks.
        async for queue in live.shared_events(
            info, sr.QUEUE_CHANNEL, "queue", "queue", _queue, live.by_permissions, after
        ):
            yield queue
