"""Loaders for service requests, their jobs, and the company settings row."""

from __future__ import annotations

from fastpath.batch import BatchLoader
from fastpath.once import Once
from loaders.base import rows_by_id, rows_by_unique
from models import company, service_requests
from models.viewer import Viewer


class ServiceRequestLoaders:
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
