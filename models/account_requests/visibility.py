"""Which requests and timeline events a viewer may see, and who may edit or reopen."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import accounts
from models.account_requests.tables import AccountRequest, AccountRequestEvent
from models.permissions import Permission
from models.viewer import Viewer


def visible_account_requests(viewer: Viewer) -> QuerySet[AccountRequest]:
    """Requests the viewer may see: scoped in SQL through the accounts they may see.

    Staff who see only some accounts see the requests of the accounts they manage,
    and every request assigned to them, whichever its account.
    """
    if viewer.can(Permission.VIEW_ALL_ACCOUNTS):
        return AccountRequest.all()
    if viewer.is_staff:
        return AccountRequest.filter(
            Q(account_id__in=Subquery(accounts.role_visible_accounts(viewer).values("id")))
            | Q(assignee_id=viewer.user_id)
        )
    if viewer.is_authenticated:
        return AccountRequest.filter(
            account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
        )
    return AccountRequest.filter(id__in=[])


def visible_events(viewer: Viewer) -> QuerySet[AccountRequestEvent]:
    """Timeline events of the requests the viewer may see (the portal's share for contacts)."""
    events = AccountRequestEvent.filter(
        request_id__in=Subquery(visible_account_requests(viewer).values("id"))
    )
    return events.filter(visible_in_portal=True) if viewer.is_contact else events


async def manages_account(viewer: Viewer, account_id: int) -> bool:
    """An account manager working the requests of one of their accounts."""
    return viewer.can(Permission.EDIT_OWN_ACCOUNT_REQUESTS) and (
        await accounts.managed_accounts(viewer).filter(id=account_id).exists()
    )


async def may_edit(viewer: Viewer, request: AccountRequest) -> bool:
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    if viewer.can(Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS) and (
        request.assignee_id is not None and request.assignee_id == viewer.user_id
    ):
        return True
    return await manages_account(viewer, request.account_id)


async def may_reopen(viewer: Viewer, request: AccountRequest) -> bool:
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    return await manages_account(viewer, request.account_id)
