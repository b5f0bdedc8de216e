"""Service requests written straight to the table, for tests that need many of them at
chosen times and statuses (lists, ordering, paging); what they check goes through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from models import outbox
from models import service_requests as sr
from models.accounts import Account, Site
from tests.factories import make_account, make_site


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


TOMORROW = date.today() + timedelta(days=1)


async def _jobs() -> list[sr.Job]:
    return await sr.Job.all()


async def _mails() -> list[outbox.OutboxEmail]:
    return await outbox.OutboxEmail.all().order_by("id")


T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


async def _mixed() -> dict[str, Any]:
    """Six requests over two accounts, spread over statuses, urgencies, types and days."""
    a = await make_account("Alpha")
    b = await make_account("Beta")
    sa, sb = await make_site(a), await make_site(b)
    S, U, T = sr.ServiceRequestStatus, sr.Urgency, sr.ServiceType
    specs = [
        (a, sa, S.PENDING, U.NORMAL, T.REPAIR, 0),
        (a, sa, S.APPROVED, U.URGENT, T.MAINTENANCE, 1),
        (a, sa, S.DECLINED, U.NORMAL, T.INSPECTION, 2),
        (b, sb, S.PENDING, U.URGENT, T.REPAIR, 3),
        (b, sb, S.PENDING, U.NORMAL, T.EMERGENCY, 4),
        (b, sb, S.DECLINED, U.URGENT, T.OTHER, 5),
    ]
    rows = [
        await request_row(
            account,
            site,
            status=status,
            urgency=urgency,
            service_type=kind,
            submitted_at=T0 + timedelta(days=day),
        )
        for account, site, status, urgency, kind, day in specs
    ]
    return {"a": a, "b": b, "ids": [row.id for row in rows]}
