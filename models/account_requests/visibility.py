"""Which requests and timeline events a viewer may see, and who may edit or reopen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, cast

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import accounts
from models.account_requests.portal import STAFF_ONLY_KINDS
from models.account_requests.tables import AccountRequest, AccountRequestEvent
from models.permissions import Permission
from models.viewer import Viewer


def sees_every_request(viewer: Viewer) -> bool:
    """Is the viewer's visible set the whole table (`visible_account_requests`)?"""
    return viewer.can(Permission.VIEW_ALL_ACCOUNTS)


def visible_account_requests(viewer: Viewer) -> QuerySet[AccountRequest]:
    """Requests the viewer may see: scoped in SQL through the accounts they may see.

    Staff who see only some accounts see the requests of the accounts they manage,
    and every request assigned to them, whichever its account.
    """
    if sees_every_request(viewer):
        return AccountRequest.all()
    if viewer.is_staff:
        return AccountRequest.filter(
            Q(account_id__in=Subquery(accounts.role_visible_accounts(viewer).values("id")))
            | Q(assignee_id=viewer.user_id)
        )
    if viewer.is_authenticated:  # a portal contact: never an internal request
        return AccountRequest.filter(
            account_id__in=Subquery(accounts.visible_accounts(viewer).values("id")),
            internal=False,
        )
    return AccountRequest.filter(id__in=[])


def visible_events(viewer: Viewer) -> QuerySet[AccountRequestEvent]:
    """Timeline events of the requests the viewer may see (for contacts, the portal's share
    as far as SQL can tell: `portal.portal_share` sorts out links to staff-only items)."""
    if sees_every_request(viewer) and not viewer.is_contact:
        return AccountRequestEvent.all()  # every event belongs to a request (its key)
    events = AccountRequestEvent.filter(
        request_id__in=Subquery(visible_account_requests(viewer).values("id"))
    )
    if viewer.is_contact:
        return events.filter(visible_in_portal=True).exclude(kind__in=list(STAFF_ONLY_KINDS))
    return events


async def manages_account(viewer: Viewer, account_id: int) -> bool:
    """An account manager working the requests of one of their accounts."""
    return viewer.can(Permission.EDIT_OWN_ACCOUNT_REQUESTS) and (
        await accounts.managed_accounts(viewer).filter(id=account_id).exists()
    )


async def may_edit(viewer: Viewer, request: AccountRequest) -> bool:
    if edits_without_managing(viewer, request):
        return True
    return await manages_account(viewer, request.account_id)


async def may_reopen(viewer: Viewer, request: AccountRequest) -> bool:
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    return await manages_account(viewer, request.account_id)


class Editable(Protocol):
    """What the edit rules read of a request."""

    account_id: int
    assignee_id: int | None


def edits_without_managing(viewer: Viewer, request: Editable) -> bool:
    """May the viewer edit the request whether or not they manage its account?"""
    if viewer.can(Permission.EDIT_ALL_ACCOUNT_REQUESTS):
        return True
    return viewer.can(Permission.EDIT_ASSIGNED_ACCOUNT_REQUESTS) and (
        request.assignee_id is not None and request.assignee_id == viewer.user_id
    )


async def managed_among(viewer: Viewer, account_ids: Iterable[int]) -> frozenset[int]:
    """Which of these accounts the viewer works as their account manager (one query,
    none for a viewer without that right): `manages_account` for a whole list."""
    wanted = sorted(set(account_ids))
    if not wanted or not viewer.can(Permission.EDIT_OWN_ACCOUNT_REQUESTS):
        return frozenset()
    found = (
        await accounts.managed_accounts(viewer).filter(id__in=wanted).values_list("id", flat=True)
    )
    return frozenset(int(pk) for pk in cast("list[int]", found))
