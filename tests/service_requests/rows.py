"""Service requests written straight to the table, for tests that need many of them at
chosen times and statuses (lists, ordering, paging); what they check goes through the API."""

from __future__ import annotations

from datetime import date, datetime

from models import service_requests as sr
from models.accounts import Account, Site


async def request_row(
    account: Account,
    site: Site,
    *,
    service_type: sr.ServiceType = sr.ServiceType.REPAIR,
    urgency: sr.Urgency = sr.Urgency.NORMAL,
    status: sr.ServiceRequestStatus = sr.ServiceRequestStatus.PENDING,
    submitted_at: datetime | None = None,
    preferred_date: date | None = None,
    description: str = "Please come by",
) -> sr.ServiceRequest:
    """A request written straight to the table (lists need many, at chosen times)."""
    row = await sr.ServiceRequest.create(
        account_id=account.id,
        site_id=site.id,
        service_type=service_type,
        urgency=urgency,
        status=status,
        preferred_date=preferred_date,
        description=description,
    )
    if submitted_at is not None:
        await sr.ServiceRequest.filter(id=row.id).update(submitted_at=submitted_at)
        row.submitted_at = submitted_at
    return row
