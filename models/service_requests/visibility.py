"""Which service requests and jobs a viewer may see."""

from __future__ import annotations

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models import accounts
from models.permissions import Permission
from models.service_requests.tables import Job, ServiceRequest
from models.viewer import Viewer


def sees_every_service_request(viewer: Viewer) -> bool:
    return viewer.can(Permission.REVIEW_SERVICE_REQUESTS)


def visible_service_requests(viewer: Viewer) -> QuerySet[ServiceRequest]:
    """Reviewers see all; a portal contact its own account's; a manager their accounts'."""
    if sees_every_service_request(viewer):
        return ServiceRequest.all()
    if viewer.contact is not None:
        return ServiceRequest.filter(account_id=viewer.contact.account_id)
    if viewer.can(Permission.VIEW_OWN_ACCOUNTS):
        # A manager is told of each request on their accounts, so may open it (read only).
        managed = accounts.managed_accounts(viewer).values("id")
        return ServiceRequest.filter(account_id__in=Subquery(managed))
    return ServiceRequest.filter(id__in=[])


def visible_jobs(viewer: Viewer) -> QuerySet[Job]:
    """Reviewers see every job; technicians the jobs assigned to them."""
    if viewer.can(Permission.REVIEW_SERVICE_REQUESTS):
        return Job.all()
    if viewer.can(Permission.VIEW_ASSIGNED_JOBS):
        return Job.filter(assignee_id=viewer.user_id or 0)
    return Job.filter(id__in=[])
