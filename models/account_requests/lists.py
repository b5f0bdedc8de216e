"""Filtering, ordering and counting request lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import cast

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from models.account_requests.tables import AccountRequest, RequestSource, RequestStatus
from models.directory.accounts import Account
from models.validation import search_term
from models.viewer import Viewer


class RequestOrderField(str, Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    STATUS = "STATUS"
    ACCOUNT_NAME = "ACCOUNT_NAME"


# Each sort key: its column, and the type of its (never null) values.
ORDER_COLUMNS: dict[RequestOrderField, tuple[str, type]] = {
    RequestOrderField.CREATED_AT: ("created_at", datetime),
    RequestOrderField.UPDATED_AT: ("updated_at", datetime),
    RequestOrderField.STATUS: ("status_rank", int),
    RequestOrderField.ACCOUNT_NAME: ("account__name", str),
}


@dataclass
class RequestFilter:
    statuses: list[RequestStatus] | None = None
    type_ids: list[int] | None = None
    assignee_ids: list[int] | None = None
    account_ids: list[int] | None = None
    include_sub_accounts: bool = False
    sources: list[RequestSource] | None = None
    assigned_to_me: bool = False
    unassigned: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    search: str | None = None
    internal: bool | None = None


async def filter_requests(
    query: QuerySet[AccountRequest], spec: RequestFilter, viewer: Viewer
) -> QuerySet[AccountRequest]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.type_ids is not None:
        query = query.filter(type_id__in=spec.type_ids)
    if spec.assignee_ids is not None:
        query = query.filter(assignee_id__in=spec.assignee_ids)
    if spec.account_ids is not None:
        ids = set(spec.account_ids)
        level = list(ids)
        # Sub-accounts of every given account at once: one query per level, not per account.
        while spec.include_sub_accounts and level:
            children = await Account.filter(parent_id__in=level).values_list("id", flat=True)
            level = [child for child in cast("list[int]", children) if child not in ids]
            ids.update(level)
        query = query.filter(account_id__in=sorted(ids))
    if spec.sources is not None:
        query = query.filter(source__in=spec.sources)
    if spec.internal is not None:
        query = query.filter(internal=spec.internal)
    if spec.assigned_to_me:
        query = query.filter(assignee_id=viewer.user_id or 0)
    if spec.unassigned is not None:
        query = query.filter(assignee_id__isnull=spec.unassigned)
    if spec.created_after is not None:
        query = query.filter(created_at__gte=spec.created_after)
    if spec.created_before is not None:
        query = query.filter(created_at__lt=spec.created_before)
    if spec.updated_after is not None:
        query = query.filter(updated_at__gte=spec.updated_after)
    if spec.updated_before is not None:
        query = query.filter(updated_at__lt=spec.updated_before)
    if term := search_term(spec.search)[:200]:  # the first 200 characters, as always
        query = query.filter(await _search(term))
    return query


# More accounts than this named by one search: they stay a subquery (no list of
# thousands of parameters; such a search matches most requests anyway).
SEARCH_ACCOUNTS_LISTED = 1000


async def _search(term: str) -> Q:
    """Requests whose note or whose account's name holds `term`, any case.

    The accounts are looked up first, in a statement of their own: `account_id IN
    (...)` beside the note's LIKE lets PostgreSQL answer each side from an index
    (migration 0012's trigram indexes, the account_id index) where a join or a
    subquery in the OR scans every request."""
    accounts = Account.filter(name__icontains=term).order_by("id")
    ids = cast(
        "list[int]",
        await accounts.limit(SEARCH_ACCOUNTS_LISTED + 1).values_list("id", flat=True),
    )
    if len(ids) > SEARCH_ACCOUNTS_LISTED:
        return Q(note__icontains=term) | Q(account_id__in=Subquery(accounts.values("id")))
    if not ids:
        return Q(note__icontains=term)
    return Q(note__icontains=term) | Q(account_id__in=ids)


async def count_by_status(query: QuerySet[AccountRequest]) -> dict[RequestStatus, int]:
    # COUNT(*), not COUNT(id): an index holding the filter's columns and status answers
    # it alone (an index-only scan), without reading each row for its id.
    rows = await query.annotate(n=RawSQL("COUNT(*)")).group_by("status").values("status", "n")
    found = {RequestStatus(row["status"]): int(row["n"]) for row in rows}
    return {status: found.get(status, 0) for status in RequestStatus}
