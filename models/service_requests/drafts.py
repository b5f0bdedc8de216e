"""The job draft (the pre-filled Create Job form) and the SLA it inherits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from fastpath import Written
from models import company
from models.clock import now
from models.directory.accounts import Account
from models.service_requests.tables import (
    Job,
    JobPriority,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceType,
    SlaRule,
    Urgency,
)

PRIORITY_OF_URGENCY = {Urgency.NORMAL: JobPriority.MEDIUM, Urgency.URGENT: JobPriority.HIGH}


def sla_hours(account_sla_hours: int | None, company_sla_hours: int | None) -> int | None:
    """The account's default SLA hours, else the company's (if an admin turned one on),
    else none."""
    return sla_of(account_sla_hours, company_sla_hours)[0]


def sla_of(
    account_sla_hours: int | None, company_sla_hours: int | None
) -> tuple[int | None, SlaRule]:
    """The SLA hours a job inherits and the rule that gave them: the account's default,
    else the company's default (off unless an admin turned it on), else no SLA."""
    if account_sla_hours is not None:
        return account_sla_hours, SlaRule.ACCOUNT_DEFAULT
    if company_sla_hours is not None:
        return company_sla_hours, SlaRule.COMPANY_DEFAULT
    return None, SlaRule.NONE


@dataclass(slots=True)
class JobDraft:
    account_id: int
    site_id: int
    service_type: ServiceType
    description: str
    booking_date: date | None
    priority: JobPriority
    sla_due_at: datetime | None
    sla_rule: SlaRule


D = TypeVar("D")


class DraftSource(Protocol):
    """What a draft reads of its request (a row, or its GraphQL object)."""

    account_id: int
    site_id: int
    service_type: ServiceType
    description: str
    preferred_date: date | None
    urgency: Urgency


def drafts(
    requests: Sequence[DraftSource],
    account_sla_hours: Mapping[int, int | None],
    company_sla_hours: int | None,
    at: datetime,
    make: Callable[..., D],
) -> list[D | None]:
    """What the Create Job form shows pre-filled for each request, with the SLA of
    approving `at`; None for a request whose account is not in `account_sla_hours`
    (not visible). The due time of each distinct number of hours is worked out once.

    `make` builds each draft from JobDraft's fields, by name: `JobDraft` itself, or the
    API's own type's maker, so a list's drafts are not built twice.
    """
    due: dict[int | None, datetime | None] = {}
    found: list[D | None] = []
    for request in requests:
        if request.account_id not in account_sla_hours:
            found.append(None)
            continue
        hours, rule = sla_of(account_sla_hours[request.account_id], company_sla_hours)
        if hours not in due:
            due[hours] = at + timedelta(hours=hours) if hours is not None else None
        found.append(
            make(
                account_id=request.account_id,
                site_id=request.site_id,
                service_type=request.service_type,
                description=request.description,
                booking_date=request.preferred_date,
                priority=PRIORITY_OF_URGENCY[request.urgency],
                sla_due_at=due[hours],
                sla_rule=rule,
            )
        )
    return found


async def draft_for(request: ServiceRequest, *, at: datetime | None = None) -> JobDraft:
    settings = await company.get_settings()
    account = await Account.get(id=request.account_id)
    hours = {account.id: account.default_sla_hours}
    [draft] = drafts([request], hours, settings.default_sla_hours, at or now(), JobDraft)
    assert draft is not None  # its own account is in `hours`
    return draft


def _table(model: type[Any]) -> str:
    return f'"{model._meta.db_table}"'


def _column(model: type[Any], name: str) -> Any:
    return model._meta.fields_map[name]


# The same draft written by the database, for the review queue's JSON lane (fastpath's
# `Written`): `drafts` above in SQL, the same rules, with the request's clock. Its
# inputs are a row only for a pending request whose account exists; the account's
# hours, else the company's (the settings row's, null while there is none, as
# `company.default_sla_hours` gives for a new row). Hours are bounded (1..8760) where
# they are set, so the due time stays within the years Python writes.
_PRIORITY = " ".join(
    f"WHEN '{urgency.value}' THEN '{priority.value}'"
    for urgency, priority in PRIORITY_OF_URGENCY.items()
)
DRAFT_SQL = Written(
    given=(
        'SELECT a."default_sla_hours" AS account_hours, c.hours AS company_hours,'
        ' coalesce(a."default_sla_hours", c.hours) AS hours'
        f" FROM {_table(Account)} a LEFT JOIN"
        f' (SELECT "default_sla_hours" AS hours FROM {_table(company.CompanySettings)}'
        ' WHERE "id" = 1) c ON true'
        ' WHERE a."id" = {row}."account_id"'
        f" AND {{row}}.\"status\" = '{ServiceRequestStatus.PENDING.value}'"
    ),
    values={
        # The keys of the draft's account and site (no field: they are only keys).
        "account_id": ('{row}."account_id"', None),
        "site_id": ('{row}."site_id"', None),
        "service_type": ('{row}."service_type"', _column(ServiceRequest, "service_type")),
        "description": ('{row}."description"', _column(ServiceRequest, "description")),
        "booking_date": ('{row}."preferred_date"', _column(ServiceRequest, "preferred_date")),
        "priority": (f'CASE {{row}}."urgency" {_PRIORITY} END', _column(Job, "priority")),
        "sla_due_at": (
            "CASE WHEN {given}.hours IS NULL THEN NULL"
            " ELSE {now} + make_interval(hours => {given}.hours) END",
            _column(Job, "sla_due_at"),
        ),
        "sla_rule": (
            f"CASE WHEN {{given}}.account_hours IS NOT NULL"
            f" THEN '{SlaRule.ACCOUNT_DEFAULT.value}'"
            f" WHEN {{given}}.company_hours IS NOT NULL THEN '{SlaRule.COMPANY_DEFAULT.value}'"
            f" ELSE '{SlaRule.NONE.value}' END",
            _column(Job, "sla_rule"),
        ),
    },
    columns=(
        "status",
        "account_id",
        "site_id",
        "service_type",
        "description",
        "preferred_date",
        "urgency",
    ),
    reads=(("accounts_by_id", Account),),
    clock=now,
)
