"""Account requests: the workflow, who may do what, the timeline, and the lists."""

from models.account_requests.creation import create_request
from models.account_requests.edits import has_linked_items, update_request
from models.account_requests.lists import (
    ORDER_COLUMNS,
    RequestFilter,
    RequestOrderField,
    count_by_status,
    filter_requests,
)
from models.account_requests.portal import (
    STAFF_ONLY_KINDS,
    portal_share,
    shown_in_portal,
    summary,
)
from models.account_requests.rules import (
    CLOSED,
    NOTE_LENGTH,
    STATUS_RANK,
    TRANSITIONS,
    RequestData,
    for_date_of,
    next_statuses,
)
from models.account_requests.tables import (
    AccountRequest,
    AccountRequestEvent,
    EventKind,
    RequestSource,
    RequestStatus,
)
from models.account_requests.tallies import (
    AccountRequestTally,
    tallied_by_status,
    tallied_count,
    tallied_rows,
)
from models.account_requests.timeline import (
    announce_assignment,
    announce_update,
    publish_change,
    record_event,
    request_channel,
)
from models.account_requests.visibility import (
    managed_among,
    may_edit,
    may_reopen,
    sees_every_request,
    visible_account_requests,
    visible_events,
)
from models.assignees import ELIGIBLE_ASSIGNEES, check_assignee

__all__ = [
    "CLOSED",
    "ELIGIBLE_ASSIGNEES",
    "NOTE_LENGTH",
    "ORDER_COLUMNS",
    "STAFF_ONLY_KINDS",
    "STATUS_RANK",
    "TRANSITIONS",
    "AccountRequest",
    "AccountRequestEvent",
    "AccountRequestTally",
    "EventKind",
    "RequestData",
    "RequestFilter",
    "RequestOrderField",
    "RequestSource",
    "RequestStatus",
    "announce_assignment",
    "announce_update",
    "check_assignee",
    "count_by_status",
    "create_request",
    "filter_requests",
    "for_date_of",
    "has_linked_items",
    "managed_among",
    "may_edit",
    "may_reopen",
    "next_statuses",
    "portal_share",
    "publish_change",
    "record_event",
    "request_channel",
    "sees_every_request",
    "shown_in_portal",
    "summary",
    "tallied_by_status",
    "tallied_count",
    "tallied_rows",
    "update_request",
    "visible_account_requests",
    "visible_events",
]
