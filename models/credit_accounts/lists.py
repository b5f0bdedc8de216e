"""Filtering the credit requests queue."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models.credit_accounts.tables import CreditAccountRequest, CreditRequestStatus
from models.viewer import Viewer


@dataclass
class CreditRequestFilter:
    statuses: list[CreditRequestStatus] | None = None
    account_ids: list[int] | None = None
    assignee_ids: list[int] | None = None
    assigned_to_me: bool = False
    unassigned: bool | None = None


def filter_credit_requests(
    query: QuerySet[CreditAccountRequest], spec: CreditRequestFilter, viewer: Viewer
) -> QuerySet[CreditAccountRequest]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.account_ids is not None:
        query = query.filter(account_id__in=spec.account_ids)
    if spec.assignee_ids is not None:
        query = query.filter(assignee_id__in=spec.assignee_ids)
    if spec.assigned_to_me:
        query = query.filter(assignee_id=viewer.user_id or 0)
    if spec.unassigned is not None:
        query = query.filter(assignee_id__isnull=spec.unassigned)
    return query
