"""Loaders for service requests, their jobs, and the company settings row."""

from __future__ import annotations

from typing import ClassVar

from fastpath.batch import BatchLoader
from fastpath.once import Once
from loaders.base import WholeTable, rows_by_id, rows_by_unique
from models import company, service_requests
from models.viewer import Viewer


class ServiceRequestLoaders:
    WHOLE_TABLES: ClassVar[dict[str, WholeTable]] = {
        "service_requests_by_id": (
            service_requests.ServiceRequest,
            service_requests.sees_every_service_request,
        ),
    }

    def __init__(self, viewer: Viewer) -> None:
        self.service_requests_by_id: BatchLoader[int, service_requests.ServiceRequest | None] = (
            rows_by_id(lambda: service_requests.visible_service_requests(viewer))
        )
        # Scoped like `jobs` and `node(id:)`: a portal contact sees its request
        # APPROVED but never the job behind it; a technician only the jobs assigned.
        self.jobs_by_service_request_id: BatchLoader[int, service_requests.Job | None] = (
            rows_by_unique(lambda: service_requests.visible_jobs(viewer), "service_request_id")
        )
        # One value, read at most once per operation however many drafts need it.
        self.company_sla_hours: Once[int | None] = Once(company.default_sla_hours)
