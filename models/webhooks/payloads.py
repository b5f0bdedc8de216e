"""The `data` of each event: global IDs (as the GraphQL `id` fields) and the few
fields a receiver acts on. A receiver that needs more asks the API by ID."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from models.ids import global_id

if TYPE_CHECKING:
    from models.account_requests.tables import AccountRequest
    from models.credit_accounts.tables import CreditAccountRequest
    from models.directory.accounts import Account
    from models.photos.tables import Photo
    from models.service_requests.tables import Job, ServiceRequest


def gid(type_name: str, pk: int | None) -> str | None:
    return global_id(type_name, pk) if pk is not None else None


def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def account_request(request: AccountRequest, **extra: Any) -> dict[str, Any]:
    return {
        "accountRequest": {
            "id": gid("AccountRequest", request.id),
            "accountId": gid("Account", request.account_id),
            "typeId": gid("AccountRequestType", request.type_id),
            "status": request.status.value,
            "source": request.source.value,
            "internal": request.internal,
            "assigneeId": gid("User", request.assignee_id),
            "contactId": gid("Contact", request.contact_id),
        },
        **extra,
    }


def service_request(request: ServiceRequest, job_id: int | None = None) -> dict[str, Any]:
    return {
        "serviceRequest": {
            "id": gid("ServiceRequest", request.id),
            "accountId": gid("Account", request.account_id),
            "siteId": gid("Site", request.site_id),
            "contactId": gid("Contact", request.contact_id),
            "status": request.status.value,
            "serviceType": request.service_type.value,
            "urgency": request.urgency.value,
            "preferredDate": _time(request.preferred_date),
            "declineReason": request.decline_reason,
            "jobId": gid("Job", job_id),
        }
    }


def job(row: Job) -> dict[str, Any]:
    return {
        "job": {
            "id": gid("Job", row.id),
            "serviceRequestId": gid("ServiceRequest", row.service_request_id),
            "accountId": gid("Account", row.account_id),
            "siteId": gid("Site", row.site_id),
            "status": row.status.value,
            "priority": row.priority.value,
            "serviceType": row.service_type.value,
            "scheduledStart": _time(row.scheduled_start),
            "scheduledEnd": _time(row.scheduled_end),
            "slaDueAt": _time(row.sla_due_at),
            "cancelReason": row.cancel_reason,
        }
    }


def credit_request(request: CreditAccountRequest) -> dict[str, Any]:
    return {
        "creditAccountRequest": {
            "id": gid("CreditAccountRequest", request.id),
            "accountId": gid("Account", request.account_id),
            "status": request.status.value,
            "requestedLimit": _money(request.requested_limit),
            "previousLimit": _money(request.previous_limit),
            "decidedById": gid("User", request.decided_by_id),
            "decidedAt": _time(request.decided_at),
        }
    }


def credit_limit(account: Account, balance: Decimal, level: str) -> dict[str, Any]:
    return {
        "account": {
            "id": gid("Account", account.id),
            "creditLimit": _money(account.credit_limit),
            "balance": _money(balance),
        },
        "level": level,
    }


def photo(row: Photo) -> dict[str, Any]:
    return {
        "photo": {
            "id": gid("Photo", row.id),
            "accountRequestId": gid("AccountRequest", row.request_id),
            "contentType": row.content_type,
            "byteSize": row.byte_size,
            "displayInPortal": row.display_in_portal,
        }
    }
