"""Submitting a service request from the portal; the reviewers are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import accounts, company, manager_notices, notifications, zones
from models.directory.accounts import Account, Site
from models.directory.users import User, UserRole
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Role
from models.service_requests.queue import queue_changed
from models.service_requests.tables import DESCRIPTION_LENGTH, ServiceRequest, ServiceType, Urgency
from models.validation import clean_text
from models.viewer import Viewer
from models.webhooks import WebhookEventType, emit, payloads


@dataclass
class SubmitData:
    site_id: int
    service_type: ServiceType
    description: str
    urgency: Urgency = Urgency.NORMAL
    preferred_date: date | None = None


async def submit(viewer: Viewer, data: SubmitData, *, today: date | None = None) -> ServiceRequest:
    """A portal contact asks for service at one of its account's sites."""
    contact = viewer.contact
    if contact is None:
        raise DomainError(ErrorCode.FORBIDDEN, "Service requests come from the portal.")
    settings = await company.get_settings()
    if not settings.service_requests_enabled:
        raise DomainError(
            ErrorCode.SERVICE_REQUESTS_DISABLED,
            "Service requests are turned off at the moment. Please call us instead.",
        )
    account = await Account.get(id=contact.account_id)
    accounts.ensure_active(account, "siteId")
    site = await Site.get_or_none(id=data.site_id, account_id=account.id)
    if site is None:
        raise not_found("siteId", "site")
    description = clean_text(data.description, "description", DESCRIPTION_LENGTH)
    # "Today" of the company's zone: 18:00 in Denver is already tomorrow in UTC.
    day = today or zones.today_in(zones.zone_named(settings.time_zone))
    if data.preferred_date is not None and data.preferred_date < day:
        raise DomainError(
            ErrorCode.INVALID, "The preferred date cannot be in the past.", "preferredDate"
        )
    request = await ServiceRequest.create(
        account_id=account.id,
        site_id=site.id,
        contact_id=contact.id,
        service_type=data.service_type,
        description=description,
        urgency=data.urgency,
        preferred_date=data.preferred_date,
    )
    # Reviewers, and the account's managers (told of new work on their accounts).
    reviewers = await manager_notices.with_managers(await _reviewers(), account.id)
    await notifications.notify(
        [notifications.Recipient(user=user) for user in reviewers],
        notifications.Message(
            kind=notifications.NotificationKind.SERVICE_REQUEST_SUBMITTED,
            title=f"New {data.urgency.value.lower()} service request from {account.name}",
            body=f"{contact.name} asks for {data.service_type.value.lower()} at {site.name}: "
            f"{description[:200]}",
            subject_type="ServiceRequest",
            subject_id=request.id,
        ),
    )
    queue_changed()
    await emit(WebhookEventType.SERVICE_REQUEST_SUBMITTED, payloads.service_request(request))
    return request


async def _reviewers() -> list[User]:
    holders = UserRole.filter(role__in=[Role.ADMIN, Role.DISPATCHER]).values_list(
        "user_id", flat=True
    )
    return list(await User.filter(id__in=list(await holders), is_active=True))
