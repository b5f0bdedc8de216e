"""Account request rows for tests that start from a given state (update, lists, live).

Requests are written through the models so a test can begin at any status or
time; everything the test then checks goes through the API. `written_rows` counts
what a request leaves behind, for tests that check a refusal wrote nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from models import notifications, outbox
from models.account_requests import (
    STATUS_RANK,
    AccountRequest,
    AccountRequestEvent,
    RequestSource,
    RequestStatus,
)
from models.accounts import Account, Contact
from models.request_types import AccountRequestType
from models.users import User
from tests.ids import gid

_serial = itertools.count(1)


def request_gid(row: AccountRequest) -> str:
    """The global ID a client would have received for this request."""
    return gid("AccountRequest", row.id)


async def make_type(
    name: str | None = None,
    *,
    active: bool = True,
    portal: bool = False,
    default_assignee: User | None = None,
) -> AccountRequestType:
    return await AccountRequestType.create(
        name=name or f"Type {next(_serial)}",
        is_active=active,
        portal_available=portal,
        default_assignee_id=default_assignee.id if default_assignee else None,
    )


async def make_request(
    account: Account,
    request_type: AccountRequestType | None = None,
    *,
    status: RequestStatus = RequestStatus.OPEN,
    assignee: User | None = None,
    contact: Contact | None = None,
    note: str = "",
    source: RequestSource = RequestSource.STAFF,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> AccountRequest:
    request_type = request_type or await make_type()
    row = await AccountRequest.create(
        account_id=account.id,
        type_id=request_type.id,
        status=status,
        status_rank=STATUS_RANK[status],
        assignee_id=assignee.id if assignee else None,
        contact_id=contact.id if contact else None,
        note=note,
        source=source,
    )
    stamps: dict[str, datetime] = {}
    if created_at is not None:
        stamps["created_at"] = created_at
    if updated_at is not None:
        stamps["updated_at"] = updated_at
    if stamps:
        # A queryset update leaves auto_now alone, so the given times stick.
        await AccountRequest.filter(id=row.id).update(**stamps)
        await row.refresh_from_db()
    return row


async def written_rows() -> tuple[int, int, int, int]:
    """Requests, timeline events, notifications and queued e-mails in the database."""
    return (
        await AccountRequest.all().count(),
        await AccountRequestEvent.all().count(),
        await notifications.Notification.all().count(),
        await outbox.OutboxEmail.all().count(),
    )


async def _type(
    name: str = "Billing",
    *,
    portal: bool = False,
    active: bool = True,
    assignee: User | None = None,
) -> AccountRequestType:
    return await AccountRequestType.create(
        name=name,
        portal_available=portal,
        is_active=active,
        default_assignee_id=assignee.id if assignee else None,
    )


S = RequestStatus


DAY0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)
