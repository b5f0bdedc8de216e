"""Who may see and decide credit requests, and which ones they see."""

from __future__ import annotations

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models import accounts
from models.credit_accounts.tables import CreditAccountRequest
from models.credit_accounts.team import credit_team_ids
from models.permissions import Permission, Role
from models.viewer import Viewer


async def may_decide(viewer: Viewer) -> bool:
    if viewer.can(Permission.DECIDE_CREDIT_ACCOUNT):
        return True
    _, members = await credit_team_ids()
    return viewer.user_id is not None and viewer.user_id in members


async def may_view(viewer: Viewer) -> bool:
    """Admins, project managers, accounting, and the credit team see credit requests."""
    if not viewer.is_staff:
        return False
    if viewer.roles & {Role.ADMIN, Role.PROJECT_MANAGER, Role.ACCOUNTING}:
        return True
    return await may_decide(viewer)


async def visible_credit_requests(viewer: Viewer) -> QuerySet[CreditAccountRequest]:
    known = credit_requests_by_role(viewer)
    if known is not None:
        return known
    return _of_visible_accounts(viewer) if await may_decide(viewer) else _none()


def credit_requests_by_role(viewer: Viewer) -> QuerySet[CreditAccountRequest] | None:
    """`visible_credit_requests` where the viewer's roles alone decide it; None where it
    takes a read of the credit team."""
    if not viewer.is_staff:
        return _none()
    if viewer.roles & {Role.ADMIN, Role.PROJECT_MANAGER, Role.ACCOUNTING}:
        return _of_visible_accounts(viewer)
    if viewer.can(Permission.DECIDE_CREDIT_ACCOUNT):
        return _of_visible_accounts(viewer)
    return None


def _none() -> QuerySet[CreditAccountRequest]:
    return CreditAccountRequest.filter(id__in=[])


def _of_visible_accounts(viewer: Viewer) -> QuerySet[CreditAccountRequest]:
    if accounts.sees_every_account(viewer):
        return CreditAccountRequest.all()  # every request belongs to an account (its key)
    return CreditAccountRequest.filter(
        account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
    )
