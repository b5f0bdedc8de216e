"""`docket seed-demo`: a small, realistic company to explore at once."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import accounts, company, users
from models.account_requests import STATUS_RANK, AccountRequest, RequestSource, RequestStatus
from models.account_requests.rules import default_assignee
from models.passwords import hash_password
from models.permissions import Role
from models.request_types import AccountRequestType
from models.service_requests import ServiceRequest, ServiceType, Urgency

DEMO_PASSWORD = "docket-demo-2026"

_STAFF = [
    ("Ada Admin", "admin@demo.docket", [Role.ADMIN]),
    ("Dan Dispatcher", "dispatch@demo.docket", [Role.DISPATCHER]),
    ("Tia Technician", "tech@demo.docket", [Role.TECHNICIAN]),
    ("Theo Technician", "tech2@demo.docket", [Role.TECHNICIAN]),
    ("Maya Manager", "manager@demo.docket", [Role.ACCOUNT_MANAGER]),
    ("Mo Manager", "manager2@demo.docket", [Role.ACCOUNT_MANAGER]),
    ("Pat Projects", "projects@demo.docket", [Role.PROJECT_MANAGER]),
    ("Alex Accounts", "accounting@demo.docket", [Role.ACCOUNTING]),
    ("Ari Accounts", "accounting2@demo.docket", [Role.ACCOUNTING]),
]

_ACCOUNTS = [
    ("Northwind Facilities", "Seattle", "WA", "US"),
    ("Contoso Property Group", "Portland", "OR", "US"),
    ("Fabrikam Logistics", "Tacoma", "WA", "US"),
    ("Tailspin Hotels", "Spokane", "WA", "US"),
    ("Wide World Waste", "Boise", "ID", "US"),
    ("Litware Offices", "Eugene", "OR", "US"),
    ("Proseware Clinics", "Salem", "OR", "US"),
    ("Adventure Works Retail", "Bellevue", "WA", "US"),
    ("Blue Yonder Schools", "Olympia", "WA", "US"),
    ("Coho Winery", "Walla Walla", "WA", "US"),
    ("Lucerne Publishing", "Vancouver", "WA", "US"),
    ("Margie's Travel", "Bend", "OR", "US"),
]


async def seed_demo() -> list[str]:
    """Create the demo company unless it exists; return the lines to print."""
    if await users.User.filter(email="admin@demo.docket").exists():
        return ["The demo company is already there.", *_logins()]
    password_hash = await hash_password(DEMO_PASSWORD)
    async with in_transaction():
        people: dict[str, users.User] = {}
        for name, email, roles in _STAFF:
            user = await users.User.create(
                name=name, email=email, login=email.split("@")[0], password_hash=password_hash
            )
            await users.set_roles(user, roles)
            people[email] = user
        await _teams(people)
        created = await _accounts(people, password_hash)
        await _requests(people, created)
        await _service_requests(created)
    return ["Created the demo company.", *_logins()]


async def _teams(people: dict[str, users.User]) -> None:
    credit = await users.Team.create(
        name="Accounting", leader_id=people["accounting@demo.docket"].id
    )
    field = await users.Team.create(
        name="Field Service", leader_id=people["dispatch@demo.docket"].id
    )
    for team, emails in (
        (credit, ["accounting@demo.docket", "accounting2@demo.docket"]),
        (field, ["dispatch@demo.docket", "tech@demo.docket", "tech2@demo.docket"]),
    ):
        await users.TeamMember.bulk_create(
            [users.TeamMember(team_id=team.id, user_id=people[e].id) for e in emails]
        )
    settings = await company.get_settings()
    settings.credit_team_id = credit.id
    # No company-wide SLA default: it is an admin's opt-in. A job inherits its
    # account's default SLA hours, else it has no SLA deadline.
    await settings.save()


async def _accounts(people: dict[str, users.User], password_hash: str) -> list[accounts.Account]:
    managers = [people["manager@demo.docket"], people["manager2@demo.docket"]]
    created: list[accounts.Account] = []
    for index, (name, city, region, country) in enumerate(_ACCOUNTS, start=1):
        account = await accounts.Account.create(
            name=name,
            number=f"A-{index:05d}",
            manager_id=managers[index % 2].id if index % 3 else None,
            default_sla_hours=24 if index % 4 == 0 else None,
        )
        created.append(account)
        await accounts.Site.create(
            account_id=account.id,
            name="Head office",
            street=f"{100 + index} Main St",
            city=city,
            region=region,
            postal_code=f"9{index:04d}",
            country=country,
        )
        await accounts.Site.create(
            account_id=account.id,
            name="Warehouse",
            street=f"{20 + index} Dock Rd",
            city=city,
            region=region,
            postal_code=f"9{index:04d}",
            country=country,
        )
        slug = name.split()[0].lower().replace("'", "")
        portal_email = f"{slug}@customer.demo"
        await accounts.Contact.create(
            account_id=account.id,
            name=f"{name.split()[0]} Facilities Lead",
            email=portal_email,
            title="Facilities lead",
            portal_access=True,
            portal_email=portal_email,
            password_hash=password_hash,
        )
        await accounts.Contact.create(
            account_id=account.id,
            name=f"{name.split()[0]} Accounts Payable",
            email=f"ap@{slug}.example",
            title="Accounts payable",
        )
    # Two sub-accounts, so the hierarchy shows in the explorer.
    for child, parent in ((created[3], created[0]), (created[7], created[0])):
        child.parent_id = parent.id
        await child.save()
    return created


_TYPES = [
    ("Billing question", "Questions about invoices, credits and payments.", True, "accounting"),
    ("Service issue", "Something on site is not working as it should.", True, "tech"),
    ("Contract change", "Changes to the services or terms of the account.", False, "manager"),
    ("Site access", "Keys, gate codes and access times for a site.", True, "dispatch"),
]

_NOTES = [
    "Invoice 1042 shows two visits; we had one.",
    "The loading dock door sensor keeps tripping.",
    "Please add Saturday pickups from next month.",
    "New gate code for the warehouse: ask the front desk.",
    "Credit for the missed service on the 3rd?",
    "Compactor is louder than usual since Tuesday.",
]


async def _requests(people: dict[str, users.User], created: list[accounts.Account]) -> None:
    types = []
    for name, description, portal, who in _TYPES:
        assignee = people[f"{who}@demo.docket"]
        types.append(
            await AccountRequestType.create(
                name=name,
                description=description,
                portal_available=portal,
                default_assignee_id=assignee.id if assignee else None,
            )
        )
    statuses = [RequestStatus.OPEN, RequestStatus.IN_PROGRESS, RequestStatus.WAITING_ON_CUSTOMER]
    dispatcher = people["dispatch@demo.docket"]
    for index, account in enumerate(created[:6]):
        request_type = types[index % len(types)]
        status = statuses[index % len(statuses)]
        await AccountRequest.create(
            account_id=account.id,
            type_id=request_type.id,
            status=status,
            status_rank=STATUS_RANK[status],
            # The type's default assignee when they may see the account, as on creation.
            assignee_id=await default_assignee(request_type, account.id),
            note=_NOTES[index],
            source=RequestSource.STAFF,
            created_by_user_id=dispatcher.id,
        )


def _logins() -> list[str]:
    lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<28} {', '.join(r.value for r in roles)}" for _, email, roles in _STAFF]
    lines.append("  northwind@customer.demo      portal contact of Northwind Facilities")
    lines.append("  (every account has a portal contact: <first word>@customer.demo)")
    return lines


_SERVICE_REQUESTS = [
    ("REPAIR", "URGENT", "The loading dock door is stuck half open."),
    ("MAINTENANCE", "NORMAL", "Quarterly check of the compactor, please."),
    ("INSPECTION", "NORMAL", "Fire extinguishers are due for inspection next month."),
]


async def _service_requests(created: list[accounts.Account]) -> None:
    """A few pending portal requests, so the dispatchers' queue is not empty."""
    for account, (service_type, urgency, description) in zip(
        created, _SERVICE_REQUESTS, strict=False
    ):
        site = await accounts.Site.filter(account_id=account.id).order_by("id").first()
        contact = await accounts.Contact.filter(account_id=account.id, portal_access=True).first()
        assert site is not None and contact is not None
        await ServiceRequest.create(
            account_id=account.id,
            site_id=site.id,
            contact_id=contact.id,
            service_type=ServiceType(service_type),
            urgency=Urgency(urgency),
            description=description,
        )
