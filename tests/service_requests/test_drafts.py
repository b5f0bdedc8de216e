"""`models.service_requests.drafts`: the Create Job form of many requests at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models import company
from models.company import CompanySettings
from models.service_requests import (
    JobDraft,
    JobPriority,
    ServiceType,
    SlaRule,
    Urgency,
    drafts,
)

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@dataclass
class Request:
    account_id: int
    urgency: Urgency = Urgency.NORMAL
    site_id: int = 7
    service_type: ServiceType = ServiceType.REPAIR
    description: str = "Leaking tap"
    preferred_date: date | None = None


def test_each_request_gets_its_accounts_sla_else_the_companys() -> None:
    # given requests of an account with 4 SLA hours, one without, and one not visible
    requests = [Request(1), Request(2, Urgency.URGENT), Request(1), Request(3)]
    # when their drafts are made at once
    made = drafts(requests, {1: 4, 2: None}, 24, AT, JobDraft)
    # then each has its account's SLA (else the company's) and its mapped priority
    assert [d and (d.sla_due_at, d.priority) for d in made] == [
        (AT + timedelta(hours=4), JobPriority.MEDIUM),
        (AT + timedelta(hours=24), JobPriority.HIGH),
        (AT + timedelta(hours=4), JobPriority.MEDIUM),
        None,
    ]
    assert made[0] is not None and made[0].site_id == 7 and made[0].description == "Leaking tap"
    # and says which rule gave it
    assert [d and d.sla_rule for d in made] == [
        SlaRule.ACCOUNT_DEFAULT,
        SlaRule.COMPANY_DEFAULT,
        SlaRule.ACCOUNT_DEFAULT,
        None,
    ]


def test_no_sla_anywhere_means_no_due() -> None:
    [draft] = drafts([Request(1, preferred_date=date(2026, 12, 24))], {1: None}, None, AT, JobDraft)
    assert draft is not None and draft.sla_due_at is None
    assert draft.sla_rule is SlaRule.NONE
    assert draft.booking_date == date(2026, 12, 24)


async def test_the_company_sla_hours_are_read_alone_and_the_row_made_if_missing() -> None:
    # given no settings row yet
    await CompanySettings.all().delete()
    # when the default SLA hours are asked for, then there are none, and the row exists
    assert await company.default_sla_hours() is None
    assert await CompanySettings.filter(id=1).exists()
    # and once set, they are read back
    await CompanySettings.filter(id=1).update(default_sla_hours=8)
    assert await company.default_sla_hours() == 8
