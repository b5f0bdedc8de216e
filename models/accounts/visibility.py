"""Which accounts, sites and contacts a viewer may see or change: every path goes through here."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.directory.accounts import Account, Contact, Site
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.viewer import Viewer, require


def sees_every_account(viewer: Viewer) -> bool:
    """Is the viewer's visible set of accounts, and of their sites and contacts, the
    whole table (`visible_accounts`, `visible_sites`, `visible_contacts`)?"""
    return viewer.can(Permission.VIEW_ALL_ACCOUNTS)


def visible_accounts(viewer: Viewer) -> QuerySet[Account]:
    """Accounts the viewer may see, scoped inside the SQL query.

    Staff who see only some accounts see those they manage, and the accounts of the
    requests, tasks and appointments assigned to them: an assignee can always open
    what their work is about (read only: changing the account stays the manager's).
    """
    if sees_every_account(viewer):
        return Account.all()
    if viewer.is_staff:
        return Account.filter(
            Q(id__in=Subquery(managed_accounts(viewer).values("id")))
            | Q(id__in=Subquery(assigned_work_accounts(viewer).values("id")))
        )
    if viewer.contact is not None:
        return Account.filter(id=viewer.contact.account_id)
    return Account.filter(id__in=[])


def role_visible_accounts(viewer: Viewer) -> QuerySet[Account]:
    """The accounts a staff viewer sees by role alone (all, or those they manage):
    the accounts they may be given work on."""
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return Account.all()
    if viewer.can(Permission.VIEW_OWN_ACCOUNTS):
        return managed_accounts(viewer)
    return Account.filter(id__in=[])


def assigned_work_accounts(viewer: Viewer) -> QuerySet[Account]:
    """Accounts with a request, task or appointment assigned to the viewer."""
    if viewer.user_id is None:
        return Account.filter(id__in=[])
    mine = viewer.user_id
    return Account.filter(
        Q(id__in=Subquery(Account.filter(account_requests__assignee_id=mine).values("id")))
        | Q(id__in=Subquery(Account.filter(tasks__assignee_id=mine).values("id")))
        | Q(id__in=Subquery(Account.filter(appointments__assignee_id=mine).values("id")))
    )


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
    if sees_every_account(viewer):
        return Site.all()
    if viewer.is_staff:
        return Site.filter(account_id__in=Subquery(visible_accounts(viewer).values("id")))
    if viewer.contact is not None:
        return Site.filter(account_id=viewer.contact.account_id)
    return Site.filter(id__in=[])


def visible_contacts(viewer: Viewer) -> QuerySet[Contact]:
    if sees_every_account(viewer):
        return Contact.all()
    if viewer.is_staff:
        return Contact.filter(account_id__in=Subquery(visible_accounts(viewer).values("id")))
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


async def editable_account(viewer: Viewer, account_id: int, field: str) -> Account:
    """The account, locked, if the viewer may change its sites and contacts."""
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
