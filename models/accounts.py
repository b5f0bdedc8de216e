"""Customer accounts, their sites and contacts, and the operations on them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import notifications
from models.base import TimestampedModel
from models.errors import DomainError, DomainErrors, ErrorCode, not_found
from models.passwords import check_strength, hash_password
from models.permissions import Permission, Role
from models.users import User, UserRole, signs_in_as
from models.validation import clean_email, clean_text, optional_text, search_term
from models.viewer import Viewer, require, require_staff


class Account(TimestampedModel):
    """A customer. Inactive accounts refuse request work (ACCOUNT_INACTIVE)."""

    name = fields.CharField(max_length=200, unique=True)
    number = fields.CharField(max_length=50, unique=True)
    is_active = fields.BooleanField(default=True)
    parent: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    manager: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="managed_accounts", null=True, on_delete=fields.SET_NULL
    )
    manager_id: int | None
    default_sla_hours = fields.IntField(null=True)
    credit_limit = fields.DecimalField(max_digits=14, decimal_places=2, null=True)

    children: fields.ReverseRelation[Account]
    sites: fields.ReverseRelation[Site]
    contacts: fields.ReverseRelation[Contact]

    class Meta:
        table = "accounts"
        ordering = ["name", "id"]


class Site(TimestampedModel):
    """A service location (address) of an account."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sites", on_delete=fields.CASCADE
    )
    account_id: int
    name = fields.CharField(max_length=200)
    street = fields.CharField(max_length=200, default="")
    city = fields.CharField(max_length=100, default="")
    region = fields.CharField(max_length=100, default="")
    postal_code = fields.CharField(max_length=20, default="")
    country = fields.CharField(max_length=2, default="")
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "sites"
        ordering = ["name", "id"]


class Contact(TimestampedModel):
    """A person of an account. With portal access they sign in by e-mail."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="contacts", on_delete=fields.CASCADE
    )
    account_id: int
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    title = fields.CharField(max_length=100, null=True)
    portal_access = fields.BooleanField(default=False)
    # Set only while portal access is on: one portal login per address, enforced
    # by the database so two concurrent grants cannot both win.
    portal_email = fields.CharField(max_length=254, null=True, unique=True)
    password_hash = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "contacts"
        ordering = ["name", "id"]


# --- visibility: every path to an account goes through these ---------------


def visible_accounts(viewer: Viewer) -> QuerySet[Account]:
    """Accounts the viewer may see, scoped inside the SQL query."""
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return Account.all()
    if viewer.can(Permission.VIEW_OWN_ACCOUNTS):
        return managed_accounts(viewer)
    if viewer.contact is not None:
        return Account.filter(id=viewer.contact.account_id)
    return Account.filter(id__in=[])


MANAGED_DEPTH = 3


def managed_accounts(viewer: Viewer) -> QuerySet[Account]:
    """The accounts a manager looks after, with their sub-accounts (three levels down)."""
    if viewer.user_id is None:
        return Account.filter(id__in=[])
    match = Q(manager_id=viewer.user_id)
    path = "parent"
    for _ in range(MANAGED_DEPTH):
        condition: dict[str, Any] = {f"{path}__manager_id": viewer.user_id}
        match |= Q(**condition)
        path += "__parent"
    return Account.filter(match)


def visible_sites(viewer: Viewer) -> QuerySet[Site]:
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return Site.all()
    if viewer.can(Permission.VIEW_OWN_ACCOUNTS):
        return Site.filter(account_id__in=Subquery(managed_accounts(viewer).values("id")))
    if viewer.contact is not None:
        return Site.filter(account_id=viewer.contact.account_id)
    return Site.filter(id__in=[])


def visible_contacts(viewer: Viewer) -> QuerySet[Contact]:
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return Contact.all()
    if viewer.can(Permission.VIEW_OWN_ACCOUNTS):
        return Contact.filter(account_id__in=Subquery(managed_accounts(viewer).values("id")))
    if viewer.contact is not None:
        return Contact.filter(account_id=viewer.contact.account_id)
    return Contact.filter(id__in=[])


async def visible_account(viewer: Viewer, account_id: int, field: str = "accountId") -> Account:
    account = await visible_accounts(viewer).get_or_none(id=account_id)
    if account is None:
        raise not_found(field, "account")
    return account


def editable_accounts(viewer: Viewer) -> QuerySet[Account]:
    """Accounts whose sites and contacts the viewer may change."""
    if viewer.can(Permission.MANAGE_ACCOUNTS):
        return Account.all()
    if viewer.can(Permission.EDIT_OWN_ACCOUNTS):
        return managed_accounts(viewer)
    return Account.filter(id__in=[])


async def _editable_account(viewer: Viewer, account_id: int, field: str) -> Account:
    require(viewer, Permission.MANAGE_ACCOUNTS, Permission.EDIT_OWN_ACCOUNTS)
    if not await editable_accounts(viewer).filter(id=account_id).exists():
        if await visible_accounts(viewer).filter(id=account_id).exists():
            raise DomainError(ErrorCode.FORBIDDEN, "You may not change this account.", field)
        raise not_found(field, "account")
    # Lock by key alone: PostgreSQL refuses FOR UPDATE across the outer joins
    # that find a manager's sub-accounts.
    return await Account.select_for_update().get(id=account_id)


def ensure_active(account: Account, field: str = "accountId") -> None:
    """Request work refuses inactive accounts with one clear code."""
    if not account.is_active:
        raise DomainError(
            ErrorCode.ACCOUNT_INACTIVE, f"The account {account.name} is inactive.", field
        )


# --- lists -----------------------------------------------------------------


class AccountOrderField(str, Enum):
    NAME = "NAME"
    NUMBER = "NUMBER"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@dataclass
class AccountFilter:
    search: str | None = None
    is_active: bool | None = None
    manager_ids: list[int] | None = None
    without_manager: bool | None = None
    parent_ids: list[int] | None = None
    top_level_only: bool | None = None


def filter_accounts(query: QuerySet[Account], spec: AccountFilter) -> QuerySet[Account]:
    if term := search_term(spec.search):
        query = query.filter(Q(name__icontains=term) | Q(number__icontains=term))
    if spec.is_active is not None:
        query = query.filter(is_active=spec.is_active)
    if spec.manager_ids is not None:
        query = query.filter(manager_id__in=spec.manager_ids)
    if spec.without_manager is not None:
        query = query.filter(manager_id__isnull=spec.without_manager)
    if spec.parent_ids is not None:
        query = query.filter(parent_id__in=spec.parent_ids)
    if spec.top_level_only:
        query = query.filter(parent_id__isnull=True)
    return query


def order_accounts(
    query: QuerySet[Account], field: AccountOrderField, descending: bool
) -> QuerySet[Account]:
    column = {
        AccountOrderField.NAME: "name",
        AccountOrderField.NUMBER: "number",
        AccountOrderField.CREATED_AT: "created_at",
        AccountOrderField.UPDATED_AT: "updated_at",
    }[field]
    sign = "-" if descending else ""
    return query.order_by(f"{sign}{column}", f"{sign}id")


# --- account operations -------------------------------------------------------


@dataclass
class AccountData:
    name: str | None = None
    number: str | None = None
    parent_id: int | None = None
    clear_parent: bool = False
    default_sla_hours: int | None = None
    clear_default_sla_hours: bool = False
    credit_limit: Decimal | None = None
    clear_credit_limit: bool = False


async def _check_account(account: Account | None, data: AccountData) -> list[DomainError]:
    problems: list[DomainError] = []
    for field, value in (("name", data.name), ("number", data.number)):
        if value is None:
            continue
        clash = Account.filter(**{field: value})
        if account is not None:
            clash = clash.exclude(id=account.id)
        if await clash.exists():
            problems.append(
                DomainError(ErrorCode.DUPLICATE, f"Another account has this {field}.", field)
            )
    if data.default_sla_hours is not None and not 1 <= data.default_sla_hours <= 24 * 365:
        problems.append(
            DomainError(
                ErrorCode.INVALID,
                "defaultSlaHours must be between 1 and 8760.",
                "defaultSlaHours",
            )
        )
    if data.credit_limit is not None and not _valid_credit_limit(data.credit_limit):
        problems.append(
            DomainError(
                ErrorCode.INVALID,
                f"creditLimit must be between 0 and {MAX_CREDIT_LIMIT}, with at most two decimals.",
                "creditLimit",
            )
        )
    if data.parent_id is not None:
        problems.extend(await _check_parent(account, data.parent_id))
    return problems


async def _check_parent(account: Account | None, parent_id: int) -> list[DomainError]:
    parent = await Account.get_or_none(id=parent_id)
    if parent is None:
        return [not_found("parentId", "account")]
    if account is not None and await _is_descendant_or_self(parent.id, account.id):
        return [
            DomainError(ErrorCode.CYCLE, "An account cannot be placed under itself.", "parentId")
        ]
    moving = account is None or account.parent_id != parent.id
    # No active account may sit below an inactive one (deactivation cascades down).
    if moving and not parent.is_active and (account is None or account.is_active):
        return [
            DomainError(
                ErrorCode.ACCOUNT_INACTIVE,
                f"The parent account {parent.name} is inactive.",
                "parentId",
            )
        ]
    return []


# Account.credit_limit is DECIMAL(14, 2).
MAX_CREDIT_LIMIT = Decimal("999999999999.99")
_CENTS = Decimal("0.01")


def _valid_credit_limit(value: Decimal) -> bool:
    # NaN and Infinity parse as Decimals too; the bound keeps quantize() in range.
    return value.is_finite() and 0 <= value <= MAX_CREDIT_LIMIT and value == value.quantize(_CENTS)


def _cents(value: Decimal | None) -> Decimal | None:
    """Store and echo money with two decimals, so "1500" reads back as "1500.00"."""
    return None if value is None else value.quantize(_CENTS)


async def _is_descendant_or_self(candidate_id: int, ancestor_id: int) -> bool:
    """Walk up from candidate: does the chain reach ancestor?"""
    seen: set[int] = set()
    current: int | None = candidate_id
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        current = await Account.filter(id=current).first().values_list("parent_id", flat=True)  # type: ignore[assignment]
    return False


async def _next_number() -> str:
    last = cast(
        "int | None", await Account.all().order_by("-id").first().values_list("id", flat=True)
    )
    candidate = (last or 0) + 1
    while await Account.filter(number=f"A-{candidate:05d}").exists():
        candidate += 1
    return f"A-{candidate:05d}"


async def create_account(viewer: Viewer, data: AccountData) -> Account:
    require(viewer, Permission.MANAGE_ACCOUNTS)
    data.name = clean_text(data.name, "name", 200)
    data.number = optional_text(data.number, "number", 50) or None
    problems = await _check_account(None, data)
    if problems:
        raise DomainErrors(problems)
    return await Account.create(
        name=data.name,
        number=data.number or await _next_number(),
        parent_id=data.parent_id,
        default_sla_hours=data.default_sla_hours,
        credit_limit=_cents(data.credit_limit),
    )


async def update_account(viewer: Viewer, account_id: int, data: AccountData) -> Account:
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("id", "account")
    if data.name is not None:
        data.name = clean_text(data.name, "name", 200)
    if data.number is not None:
        data.number = clean_text(data.number, "number", 50)
    problems = await _check_account(account, data)
    if problems:
        raise DomainErrors(problems)
    if data.name is not None:
        account.name = data.name
    if data.number is not None:
        account.number = data.number
    if data.clear_parent:
        account.parent_id = None
    elif data.parent_id is not None:
        account.parent_id = data.parent_id
    if data.clear_default_sla_hours:
        account.default_sla_hours = None
    elif data.default_sla_hours is not None:
        account.default_sla_hours = data.default_sla_hours
    if data.clear_credit_limit:
        account.credit_limit = None
    elif data.credit_limit is not None:
        account.credit_limit = _cents(data.credit_limit)
    await account.save()
    return account


async def descendant_ids(account_id: int) -> list[int]:
    """Every sub-account below `account_id`, at any depth (one query per level)."""
    found: list[int] = []
    level = [account_id]
    while level:
        level = cast(
            "list[int]", await Account.filter(parent_id__in=level).values_list("id", flat=True)
        )
        level = [child for child in level if child not in found and child != account_id]
        found.extend(level)
    return found


async def set_account_active(viewer: Viewer, account_id: int, active: bool) -> Account:
    """Deactivating an account deactivates its sub-accounts too; activating does not."""
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("id", "account")
    if active and account.parent_id is not None:
        parent = await Account.get(id=account.parent_id)
        if not parent.is_active:
            raise DomainError(
                ErrorCode.ACCOUNT_INACTIVE,
                f"Activate the parent account {parent.name} first.",
                "active",
            )
    account.is_active = active
    await account.save()
    if not active:
        children = await descendant_ids(account.id)
        if children:
            await Account.filter(id__in=children).update(is_active=False)
    return account


@dataclass
class ManagerChange:
    account: Account
    previous_manager_id: int | None


async def set_account_manager(
    viewer: Viewer, account_id: int, manager_id: int | None
) -> ManagerChange:
    """Give an account to a user holding ACCOUNT_MANAGER (or to nobody)."""
    require(viewer, Permission.MANAGE_ACCOUNTS)
    account = await Account.select_for_update().get_or_none(id=account_id)
    if account is None:
        raise not_found("accountId", "account")
    manager = None
    if manager_id is not None:
        manager = await User.get_or_none(id=manager_id)
        if manager is None:
            raise not_found("managerId", "user")
        if not manager.is_active:
            raise DomainError(ErrorCode.USER_INACTIVE, "This user is inactive.", "managerId")
        if not await UserRole.filter(user_id=manager_id, role=Role.ACCOUNT_MANAGER).exists():
            raise DomainError(
                ErrorCode.NOT_ACCOUNT_MANAGER,
                f"{manager.name} does not hold the ACCOUNT_MANAGER role.",
                "managerId",
            )
    previous = account.manager_id
    account.manager_id = manager_id
    await account.save()
    if previous != manager_id:
        await _tell_managers(viewer, account, previous, manager)
    return ManagerChange(account=account, previous_manager_id=previous)


async def _tell_managers(
    viewer: Viewer, account: Account, previous_id: int | None, manager: User | None
) -> None:
    """The new manager learns of the account, the previous one that it was taken away.

    Nobody is told of their own doing.
    """
    facts = {
        "account_name": account.name,
        "account_number": account.number,
        "assigned_by": viewer.user.name if viewer.user else "Docket",
        "new_manager": manager.name if manager else "no one",
    }
    if manager is not None and manager.id != viewer.user_id:
        await notifications.notify(
            [notifications.Recipient(user=manager)],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_ASSIGNED,
                title=f"You now manage {account.name}",
                body=f"{facts['assigned_by']} made you the account manager of {account.name}.",
                subject_type="Account",
                subject_id=account.id,
                mail_template="account_assigned",
                mail_context=facts,
            ),
        )
    previous = await User.get_or_none(id=previous_id) if previous_id is not None else None
    if previous is not None and previous.id != viewer.user_id:
        await notifications.notify(
            [notifications.Recipient(user=previous)],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_UNASSIGNED,
                title=f"{account.name} was given to {facts['new_manager']}",
                body=f"{facts['assigned_by']} gave {account.name} to {facts['new_manager']}. "
                "You no longer manage it.",
                subject_type="Account",
                subject_id=account.id,
                mail_template="account_unassigned",
                mail_context=facts,
            ),
        )


async def unassign_manager(user_id: int) -> int:
    """Release every account of a manager who left or lost the role."""
    return await Account.filter(manager_id=user_id).update(manager_id=None)


# --- sites ---------------------------------------------------------------------


@dataclass
class SiteData:
    name: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    is_active: bool | None = None


_SITE_LIMITS = {"street": 200, "city": 100, "region": 100, "postal_code": 20}


def _apply_site(site: Site, data: SiteData) -> None:
    if data.name is not None:
        site.name = clean_text(data.name, "name", 200)
    for attr, limit in _SITE_LIMITS.items():
        value = getattr(data, attr)
        if value is not None:
            setattr(site, attr, optional_text(value, _camel(attr), limit))
    if data.country is not None:
        country = data.country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise DomainError(ErrorCode.INVALID, "Use a two-letter ISO country code.", "country")
        site.country = country
    if data.is_active is not None:
        site.is_active = data.is_active


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def create_site(viewer: Viewer, account_id: int, data: SiteData) -> Site:
    account = await _editable_account(viewer, account_id, "accountId")
    site = Site(account_id=account.id, name="")
    if data.name is None:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    _apply_site(site, data)
    await site.save()
    return site


async def update_site(viewer: Viewer, site_id: int, data: SiteData) -> Site:
    require_staff(viewer)
    site = await visible_sites(viewer).select_for_update().get_or_none(id=site_id)
    if site is None:
        raise not_found("id", "site")
    await _editable_account(viewer, site.account_id, "id")
    _apply_site(site, data)
    await site.save()
    return site


# --- contacts ---------------------------------------------------------------------


@dataclass
class ContactData:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    portal_access: bool | None = None
    password: str | None = None


async def _portal_email_taken(email: str, contact_id: int | None) -> bool:
    clash = Contact.filter(portal_email=email)
    if contact_id is not None:
        clash = clash.exclude(id=contact_id)
    # Staff sign in by e-mail or login name and are looked up first, so either
    # would shadow the contact's portal login.
    return await clash.exists() or await User.filter(signs_in_as(email)).exists()


async def _apply_contact(contact: Contact, data: ContactData) -> bool:
    """Apply changes; True when existing portal sessions must end."""
    if data.name is not None:
        contact.name = clean_text(data.name, "name", 200)
    if data.email is not None:
        contact.email = clean_email(data.email, "email") if data.email.strip() else None
    if data.phone is not None:
        contact.phone = optional_text(data.phone, "phone", 50) or None
    if data.title is not None:
        contact.title = optional_text(data.title, "title", 100) or None
    end_sessions = False
    if data.password is not None:
        check_strength(data.password, email=contact.email or "")
        contact.password_hash = await hash_password(data.password)
        end_sessions = True
    if data.portal_access is not None:
        end_sessions = end_sessions or (contact.portal_access and not data.portal_access)
        contact.portal_access = data.portal_access
    if contact.portal_access:
        if not contact.email:
            raise DomainError(ErrorCode.REQUIRED, "Portal access needs an e-mail.", "email")
        if not contact.password_hash:
            raise DomainError(ErrorCode.REQUIRED, "Portal access needs a password.", "password")
        if await _portal_email_taken(contact.email, contact.id):
            raise DomainError(
                ErrorCode.DUPLICATE, "This e-mail already signs in to Docket.", "email"
            )
        end_sessions = end_sessions or (
            contact.portal_email is not None and contact.portal_email != contact.email
        )
        contact.portal_email = contact.email
    else:
        contact.portal_email = None
    return end_sessions


async def create_contact(viewer: Viewer, account_id: int, data: ContactData) -> Contact:
    account = await _editable_account(viewer, account_id, "accountId")
    if data.name is None:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    contact = Contact(account_id=account.id, name="")
    await _apply_contact(contact, data)
    await contact.save()
    return contact


async def update_contact(viewer: Viewer, contact_id: int, data: ContactData) -> Contact:
    from models import auth

    require_staff(viewer)
    contact = await visible_contacts(viewer).select_for_update().get_or_none(id=contact_id)
    if contact is None:
        raise not_found("id", "contact")
    await _editable_account(viewer, contact.account_id, "id")
    end_sessions = await _apply_contact(contact, data)
    await contact.save()
    if end_sessions:
        await auth.revoke_tokens(contact_id=contact.id)
    return contact
