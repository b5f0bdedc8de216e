"""Filtering service request and job lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from models.service_requests.tables import (
    Job,
    JobPriority,
    JobStatus,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceType,
    Urgency,
)


@dataclass
class ServiceRequestFilter:
    statuses: list[ServiceRequestStatus] | None = None
    urgencies: list[Urgency] | None = None
    service_types: list[ServiceType] | None = None
    account_ids: list[int] | None = None
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None


def filter_service_requests(
    query: QuerySet[ServiceRequest], spec: ServiceRequestFilter
) -> QuerySet[ServiceRequest]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.urgencies is not None:
        query = query.filter(urgency__in=spec.urgencies)
    if spec.service_types is not None:
        query = query.filter(service_type__in=spec.service_types)
    if spec.account_ids is not None:
        query = query.filter(account_id__in=spec.account_ids)
    if spec.submitted_after is not None:
        query = query.filter(submitted_at__gte=spec.submitted_after)
    if spec.submitted_before is not None:
        query = query.filter(submitted_at__lt=spec.submitted_before)
    return query


@dataclass
class JobFilter:
    statuses: list[JobStatus] | None = None
    priorities: list[JobPriority] | None = None
    account_ids: list[int] | None = None
    assignee_ids: list[int] | None = None


def filter_jobs(query: QuerySet[Job], spec: JobFilter) -> QuerySet[Job]:
    if spec.statuses is not None:
        query = query.filter(status__in=spec.statuses)
    if spec.priorities is not None:
        query = query.filter(priority__in=spec.priorities)
    if spec.account_ids is not None:
        query = query.filter(account_id__in=spec.account_ids)
    if spec.assignee_ids is not None:
        query = query.filter(assignee_id__in=spec.assignee_ids)
    return query
