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
    if not await may_view(viewer):
        return CreditAccountRequest.filter(id__in=[])
    return CreditAccountRequest.filter(
        account_id__in=Subquery(accounts.visible_accounts(viewer).values("id"))
    )
