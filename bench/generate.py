"""Build the benchmark's rows, in chunks: the same for a given `now` and size (random seed 9).

The default size (Size()): 2,000 accounts (a site and a contact each), 30 users, 8
request types, 100,000 account requests with 1-3 timeline events each, 20,000
service requests (a job for each approved one) and the company settings. Larger
sizes (Size.of(n)) keep the accounts, users and types, and scale the rest: n
requests, n / 5 service requests, and a notification for each assignment
(ACCOUNT_REQUEST_ASSIGNED, drawn from a second random stream so that the default
size stays exactly what SEED_VERSION 2 seeded). bench.seed copies the chunks into
PostgreSQL as they come, so memory stays flat whatever the size.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from argon2 import PasswordHasher

from bench.common import ADMIN_EMAIL

ACCOUNTS = 2_000
ACCOUNT_REQUESTS = 100_000
SERVICE_REQUESTS = 20_000
REQUEST_TYPES = (
    "Billing question",
    "Address change",
    "New site",
    "Contract renewal",
    "Credit request",
    "Complaint",
    "Contact update",
    "Other",
)
# (role, how many users hold it); the first ADMIN is the bench viewer.
STAFF = (("ADMIN", 3), ("DISPATCHER", 6), ("TECHNICIAN", 15), ("ACCOUNT_MANAGER", 6))
STATUSES = ("OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "COMPLETED", "CANCELLED")
STATUS_WEIGHTS = (34, 20, 9, 27, 10)
SR_STATUSES = ("PENDING", "APPROVED", "DECLINED")
SR_WEIGHTS = (85, 10, 5)
SERVICE_TYPES = ("REPAIR", "MAINTENANCE", "INSTALLATION", "INSPECTION", "EMERGENCY", "OTHER")
_PLACES = (
    "Springfield:IL Portland:OR Austin:TX Madison:WI Boulder:CO Raleigh:NC Tucson:AZ Albany:NY"
)
CITIES = tuple(tuple(place.split(":")) for place in _PLACES.split())
FIRST = ("Ada", "Ben", "Cleo", "Dev", "Emma", "Farid", "Gita", "Hugo", "Iris", "Jon", "Kim", "Lea")
LAST = ("Meyer", "Novak", "Okafor", "Perez", "Quinn", "Rossi", "Sato", "Tran", "Ueda", "Vogel")
WORDS = (
    *("Logistics", "Bakery", "Clinic", "Foods", "Motors"),
    *("Print", "Hotel", "Dental", "Labs", "Outfitters"),
)
NOTES = (
    "Customer asks for a copy of the last three invoices.",
    "Please update the billing address to the new head office.",
    "New warehouse opens next month; needs a site and a first visit.",
    "Renewal of the maintenance contract, same terms as last year if possible.",
    "Asked to raise the credit limit before the seasonal order.",
    "The technician left the site without testing the unit; customer unhappy.",
    "Replace the main contact: the previous one left the company.",
    "Called about the schedule of the quarterly inspection.",
)
SR_TEXTS = (
    "The walk-in freezer is warm since this morning.",
    "Yearly maintenance of both rooftop units.",
    "Install the new dishwasher delivered on Monday.",
    "Inspection before the health audit next week.",
    "Water on the floor near the boiler, please come today.",
    "Door sensor beeps all night.",
)
DAY = 86_400.0
CHUNK = 50_000  # account requests (with their events) per chunk

# One table's rows of a chunk: (table, columns, rows).
Chunk = tuple[str, list[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Size:
    requests: int = ACCOUNT_REQUESTS
    accounts: int = ACCOUNTS
    service_requests: int = SERVICE_REQUESTS
    notifications: bool = False  # one per assignment; off at the default size (SEED_VERSION 2)

    @classmethod
    def of(cls, requests: int) -> Size:
        """The default size for 100,000 requests; otherwise proportionate to `requests`."""
        if requests == ACCOUNT_REQUESTS:
            return cls()
        return cls(requests, ACCOUNTS, max(1, requests // 5), notifications=True)

    @property
    def label(self) -> str:
        """100k, 1m, 250k, 12345."""
        for unit, suffix in ((1_000_000, "m"), (1_000, "k")):
            if self.requests % unit == 0:
                return f"{self.requests // unit}{suffix}"
        return str(self.requests)


class Rows:
    """Generated rows per table not yet handed out (in insertion order, which respects
    foreign keys), and how many each table has had in all."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        self.totals: dict[str, int] = {}

    def add(self, table: str, **values: Any) -> int:
        """Append one row; returns how many rows the table has had in all."""
        if table not in self.tables:
            self.tables[table] = (list(values), [])
        self.tables[table][1].append(tuple(values.values()))
        self.totals[table] = total = self.totals.get(table, 0) + 1
        return total

    def count(self, table: str) -> int:
        return self.totals.get(table, 0)

    def drain(self) -> Iterator[Chunk]:
        """The rows added since the last drain, table by table."""
        for table, (columns, rows) in self.tables.items():
            if rows:
                yield table, columns, rows[:]
                rows.clear()

    def ago(self, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(min_days * DAY, max_days * DAY))

    def between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()


def account_name(pk: int) -> str:
    return f"{WORDS[pk % len(WORDS)]} {LAST[pk % len(LAST)]} {pk:04d}"


def user_name(pk: int) -> str:
    return f"{FIRST[pk % len(FIRST)]} {LAST[pk % len(LAST)]} {pk}"


def stream(now: datetime, size: Size | None = None, seed: int = 9) -> Iterator[Chunk]:
    """All rows, in chunks of about CHUNK requests, in an order that respects foreign keys."""
    size = size or Size()
    rng = random.Random(seed)
    out = Rows(now, rng)
    by_role = _staff(out)
    sla_of = _accounts(out, by_role["ACCOUNT_MANAGER"], size.accounts)
    for pk, name in enumerate(REQUEST_TYPES, start=1):
        created = out.ago(400, 390)
        out.add(
            "account_request_types",
            id=pk,
            created_at=created,
            updated_at=created,
            name=name,
            description="",
            is_active=True,
            portal_available=pk % 2 == 0,
            default_assignee_id=None,
        )
    yield from out.drain()
    notices = random.Random(seed + 1) if size.notifications else None
    for _ in _account_requests(out, by_role["TECHNICIAN"] + by_role["DISPATCHER"], size, notices):
        yield from out.drain()
    for _ in _service_requests(out, by_role, sla_of, size.service_requests):
        yield from out.drain()
    out.add(
        "company_settings",
        id=1,
        created_at=now,
        updated_at=now,
        service_requests_enabled=True,
        managers_may_create_on_behalf=False,
        default_sla_hours=48,
        max_photo_bytes=15 * 1024 * 1024,
        allowed_photo_types=orjson.dumps(["image/jpeg", "image/png", "image/heic"]).decode(),
        max_photos_per_request=50,
        credit_team_id=None,
    )
    yield from out.drain()


def _staff(out: Rows) -> dict[str, list[int]]:
    password = PasswordHasher().hash("bench-password-not-used")
    by_role: dict[str, list[int]] = {}
    for role, count in STAFF:
        for n in range(count):
            pk = out.count("users") + 1
            created = out.ago(400, 300)
            out.add(
                "users",
                id=pk,
                created_at=created,
                updated_at=created,
                name=user_name(pk),
                email=ADMIN_EMAIL if pk == 1 else f"{role.lower()}{n + 1}@docket.test",
                login=f"user{pk}",
                employee_id=f"E{pk:04d}",
                phone=None,
                mobile=None,
                password_hash=password,
                is_active=True,
            )
            out.add("user_roles", id=pk, role=role, user_id=pk)
            by_role.setdefault(role, []).append(pk)
    return by_role


def _accounts(out: Rows, managers: list[int], accounts: int) -> dict[int, int | None]:
    """Accounts with one site and one contact each (same key); their SLA hours."""
    rng = out.rng
    sla_of: dict[int, int | None] = {}
    for pk in range(1, accounts + 1):
        created = out.ago(360, 200)
        sla_of[pk] = rng.choice((4, 8, 24, 48)) if rng.random() < 0.3 else None
        out.add(
            "accounts",
            id=pk,
            created_at=created,
            updated_at=created,
            name=account_name(pk),
            number=f"A-{pk:05d}",
            is_active=True,
            default_sla_hours=sla_of[pk],
            credit_limit=Decimal(rng.randrange(1_000, 50_000)) if rng.random() < 0.4 else None,
            manager_id=rng.choice(managers) if rng.random() < 0.7 else None,
            parent_id=rng.randrange(1, 101) if pk > 100 and rng.random() < 0.1 else None,
        )
        city, region = CITIES[pk % len(CITIES)]
        out.add(
            "sites",
            id=pk,
            created_at=created,
            updated_at=created,
            name=f"{city} site",
            street=f"{rng.randrange(1, 999)} Main Street",
            city=city,
            region=region,
            postal_code="12345",
            country="US",
            is_active=True,
            account_id=pk,
        )
        first, last = rng.choice(FIRST), rng.choice(LAST)
        out.add(
            "contacts",
            id=pk,
            created_at=created,
            updated_at=created,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}{pk}@customer{pk}.test",
            phone="+1 555 0100",
            title="Office manager",
            portal_access=False,
            portal_email=None,
            password_hash=None,
            account_id=pk,
        )
    return sla_of


def _account_requests(
    out: Rows, workers: list[int], size: Size, notices: random.Random | None
) -> Iterator[None]:
    """Requests (about a third OPEN, changed over six months), each with 1-3 events;
    yields after each CHUNK of them."""
    rng = out.rng
    for pk in range(1, size.requests + 1):
        if pk % CHUNK == 0:
            yield
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        updated = out.ago(180)
        created = updated - timedelta(seconds=rng.uniform(0, 30 * DAY))
        account = rng.randrange(1, size.accounts + 1)
        assignee = rng.choice(workers) if rng.random() < 0.7 else None
        contact = account if rng.random() < 0.8 else None
        portal = contact is not None and rng.random() < 0.25
        author = None if portal else rng.choice(workers)
        out.add(
            "account_requests",
            id=pk,
            created_at=created,
            updated_at=updated,
            status=status,
            status_rank=STATUSES.index(status),
            note=rng.choice(NOTES),
            source="PORTAL" if portal else "STAFF",
            account_id=account,
            assignee_id=assignee,
            contact_id=contact,
            created_by_contact_id=contact if portal else None,
            created_by_user_id=author,
            type_id=rng.randrange(1, len(REQUEST_TYPES) + 1),
        )
        changes: list[tuple[str, str | None, str, datetime]] = [("CREATED", None, "OPEN", created)]
        if assignee is not None:
            changes.append(("ASSIGNED", None, str(assignee), out.between(created, updated)))
        if status != "OPEN":
            changes.append(("STATUS_CHANGED", "OPEN", status, updated))
        for kind, before, after, at in changes:
            first = kind == "CREATED"
            out.add(
                "account_request_events",
                id=out.count("account_request_events") + 1,
                kind=kind,
                before=before,
                after=after,
                created_at=at,
                actor_contact_id=contact if portal and first else None,
                actor_user_id=author if first else 1,
                request_id=pk,
            )
            if kind == "ASSIGNED" and notices is not None and assignee is not None:
                _notify(out, notices, pk, account, assignee, at)


def _notify(
    out: Rows, rng: random.Random, request: int, account: int, user: int, at: datetime
) -> None:
    """What models.account_requests.timeline tells the assignee (the admin assigned it)."""
    label = f"request #{request} of {account_name(account)}"
    read = rng.random() < 0.8
    out.add(
        "notifications",
        id=out.count("notifications") + 1,
        kind="ACCOUNT_REQUEST_ASSIGNED",
        title=f"Assigned to you: {label}",
        body=f"{user_name(1)} assigned {label} to you.",
        subject_type="AccountRequest",
        subject_id=request,
        created_at=at,
        read_at=at + timedelta(seconds=rng.uniform(60, 3 * DAY)) if read else None,
        contact_id=None,
        user_id=user,
    )


def _service_requests(
    out: Rows, by_role: dict[str, list[int]], sla_of: dict[int, int | None], count: int
) -> Iterator[None]:
    """Service requests of the last 60 days, mostly PENDING; approved ones have a job;
    yields after each CHUNK of them."""
    rng = out.rng
    reviewers = by_role["DISPATCHER"] + by_role["ADMIN"]
    for pk in range(1, count + 1):
        if pk % CHUNK == 0:
            yield
        status = rng.choices(SR_STATUSES, SR_WEIGHTS)[0]
        submitted = out.ago(60)
        account = rng.randrange(1, len(sla_of) + 1)
        kind = rng.choice(SERVICE_TYPES)
        urgency = "URGENT" if rng.random() < 0.2 else "NORMAL"
        preferred: date | None = None
        if rng.random() < 0.5:
            preferred = (submitted + timedelta(days=rng.randrange(1, 14))).date()
        decided = out.between(submitted, out.now) if status != "PENDING" else None
        reviewer = rng.choice(reviewers) if decided else None
        text = rng.choice(SR_TEXTS)
        out.add(
            "service_requests",
            id=pk,
            created_at=submitted,
            updated_at=decided or submitted,
            service_type=kind,
            description=text,
            urgency=urgency,
            preferred_date=preferred,
            submitted_at=submitted,
            status=status,
            decided_at=decided,
            decline_reason="Outside our service area." if status == "DECLINED" else None,
            account_id=account,
            contact_id=account,
            decided_by_id=reviewer,
            site_id=account,
        )
        if status != "APPROVED" or decided is None:
            continue
        technician = rng.choice(by_role["TECHNICIAN"]) if rng.random() < 0.5 else None
        out.add(
            "jobs",
            id=out.count("jobs") + 1,
            created_at=decided,
            updated_at=decided,
            service_type=kind,
            description=text,
            scheduled_start=None,
            scheduled_end=None,
            priority="HIGH" if urgency == "URGENT" else "MEDIUM",
            sla_due_at=decided + timedelta(hours=sla_of[account] or 48),
            skills="[]",
            parts="[]",
            asset_ids="[]",
            status="ASSIGNED" if technician else "READY_FOR_ASSIGNMENT",
            cancel_reason=None,
            account_id=account,
            assignee_id=technician,
            created_by_id=reviewer,
            site_id=account,
            service_request_id=pk,
        )
