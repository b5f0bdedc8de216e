"""The service requests and jobs lists, and the review queue."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import requires
from models import service_requests as sr
from models.permissions import Permission
from schema.relay.connections import After, Before, Connection, First, Last, PageArgs
from schema.relay.ids import keys_for
from schema.relay.keyset_paging import paginate_sorted
from schema.relay.ordering import OrderDirection
from schema.service_requests.filters import (
    JobFilter,
    JobOrder,
    JobOrderField,
    ServiceRequestFilter,
    ServiceRequestOrder,
    ServiceRequestOrderField,
)
from schema.service_requests.permissions import CanReview, CanReviewOrPortal
from schema.service_requests.types import Job, ServiceRequest, ServiceRequestQueue

# Keyset cursors need a sort value on every row: nullable columns are not offered.
_REQUEST_ORDER: dict[ServiceRequestOrderField, tuple[str, type]] = {
    ServiceRequestOrderField.SUBMITTED_AT: ("submitted_at", datetime),
    ServiceRequestOrderField.URGENCY: ("urgency", str),  # NORMAL before URGENT
}

_JOB_ORDER: dict[JobOrderField, tuple[str, type]] = {
    JobOrderField.CREATED_AT: ("created_at", datetime),
    JobOrderField.UPDATED_AT: ("updated_at", datetime),
}


def _sort_value(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


@strawberry.type
class ServiceRequestQueries:
    @strawberry.field(
        description="Service requests: reviewers see all, a portal contact its own "
        "account's (My Service Requests). Newest first by default.",
        permission_classes=[CanReviewOrPortal],
    )
    async def service_requests(
        self,
        info: Info,
        filter: Annotated[
            ServiceRequestFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        order_by: Annotated[
            ServiceRequestOrder | None,
            strawberry.argument(description="Sort key and direction (SUBMITTED_AT DESC)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ServiceRequest]:
        viewer = info.context.viewer
        spec = filter or ServiceRequestFilter()
        wanted = sr.ServiceRequestFilter(
            statuses=spec.statuses,
            urgencies=spec.urgencies,
            service_types=spec.service_types,
            account_ids=keys_for(spec.account_ids, "Account"),
            submitted_after=spec.submitted_after,
            submitted_before=spec.submitted_before,
        )
        query = sr.filter_service_requests(sr.visible_service_requests(viewer), wanted)
        order = order_by or ServiceRequestOrder(field=ServiceRequestOrderField.SUBMITTED_AT)
        column, kind = _REQUEST_ORDER[ServiceRequestOrderField(order.field)]
        return await paginate_sorted(
            query,
            PageArgs(first, after, last, before),
            ServiceRequest.from_row,
            column=column,
            value_type=kind,
            descending=order.direction is OrderDirection.DESC,
            value_of=lambda row: _sort_value(getattr(row, column)),
            info=info,
            count=sr.tallied_count(wanted, viewer),  # None: COUNT(*) of the list
        )

    @strawberry.field(description="The review queue (reviewers).", permission_classes=[CanReview])
    async def service_request_queue(self) -> ServiceRequestQueue:
        return ServiceRequestQueue(pending_count=await sr.pending_count())

    @strawberry.field(
        description="Jobs: reviewers see all, technicians the jobs assigned to them.",
        permission_classes=[
            requires(Permission.REVIEW_SERVICE_REQUESTS, Permission.VIEW_ASSIGNED_JOBS)
        ],
    )
    async def jobs(
        self,
        info: Info,
        filter: Annotated[JobFilter | None, strawberry.argument(description="Conditions.")] = None,
        order_by: Annotated[
            JobOrder | None, strawberry.argument(description="Sort (CREATED_AT DESC).")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Job]:
        spec = filter or JobFilter()
        query = sr.filter_jobs(
            sr.visible_jobs(info.context.viewer),
            sr.JobFilter(
                statuses=spec.statuses,
                priorities=spec.priorities,
                account_ids=keys_for(spec.account_ids, "Account"),
                assignee_ids=keys_for(spec.assignee_ids, "User"),
            ),
        )
        order = order_by or JobOrder(field=JobOrderField.CREATED_AT)
        column, kind = _JOB_ORDER[JobOrderField(order.field)]
        return await paginate_sorted(
            query,
            PageArgs(first, after, last, before),
            Job.from_row,
            column=column,
            value_type=kind,
            descending=order.direction is OrderDirection.DESC,
            value_of=lambda row: _sort_value(getattr(row, column)),
            info=info,
        )
