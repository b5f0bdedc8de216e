"""Delegating a pending credit request to a member of the credit team.

The credit team's leader (or an admin) hands a request to one member, who is told;
any member or admin may still decide it. An assignee always sees what they are given:
one who could not (no longer on the team, or not seeing the account) is refused.
"""

from __future__ import annotations

from models import company, notifications
from models.credit_accounts.tables import CreditAccountRequest, CreditRequestStatus
from models.credit_accounts.team import credit_team_ids
from models.credit_accounts.visibility import visible_credit_requests
from models.directory.accounts import Account
from models.directory.users import User, role_map
from models.errors import DomainError, ErrorCode, Forbidden, not_found
from models.permissions import Role
from models.viewer import Viewer, require_staff


async def may_delegate(viewer: Viewer) -> bool:
    """Admins and the leader of the credit team named in company settings."""
    if not viewer.is_staff:
        return False
    if viewer.has_role(Role.ADMIN):
        return True
    leader, _ = await credit_team_ids()
    return leader is not None and viewer.user_id == leader


async def assign(viewer: Viewer, request_id: int, assignee_id: int | None) -> CreditAccountRequest:
    """Give a pending request to a credit team member (None: back to unassigned)."""
    require_staff(viewer)
    if not await may_delegate(viewer):
        raise Forbidden("Only the credit team's leader and admins delegate credit requests.")
    request = await (await visible_credit_requests(viewer)).get_or_none(id=request_id)
    if request is None:
        raise not_found("requestId", "credit account request")
    if request.status is not CreditRequestStatus.PENDING:
        raise _decided()
    assignee = await _eligible(request, assignee_id) if assignee_id is not None else None
    # Conditional, like a decision: a request decided meanwhile is not delegated.
    changed = await CreditAccountRequest.filter(
        id=request.id, status=CreditRequestStatus.PENDING
    ).update(assignee_id=assignee_id)
    if changed != 1:
        raise _decided()
    before = request.assignee_id
    await request.refresh_from_db()
    if assignee is not None and assignee.id != before and assignee.id != viewer.user_id:
        await _tell_assignee(viewer, request, assignee)
    return request


def _decided() -> DomainError:
    return DomainError(
        ErrorCode.ALREADY_DECIDED,
        "This credit request was already decided: there is nothing to delegate.",
        "requestId",
    )


async def _eligible(request: CreditAccountRequest, user_id: int) -> User:
    """A credit team member (or its leader), active, who will see the request."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found("assigneeId", "user")
    leader, members = await credit_team_ids()
    if user.id not in members and user.id != leader:
        raise DomainError(
            ErrorCode.ASSIGNEE_NOT_ELIGIBLE,
            f"{user.name} is not a member of the credit team.",
            "assigneeId",
        )
    if not user.is_active:
        raise DomainError(ErrorCode.USER_INACTIVE, f"{user.name} is inactive.", "assigneeId")
    roles = frozenset((await role_map([user.id]))[user.id])
    sees = (
        await (await visible_credit_requests(Viewer(user=user, roles=roles)))
        .filter(id=request.id)
        .exists()
    )
    if not sees:
        raise DomainError(
            ErrorCode.ASSIGNEE_NOT_ELIGIBLE,
            f"{user.name} cannot see this request's account.",
            "assigneeId",
        )
    return user


async def _tell_assignee(viewer: Viewer, request: CreditAccountRequest, user: User) -> None:
    account = await Account.get(id=request.account_id)
    currency = (await company.get_settings()).currency
    limit = f"{request.requested_limit} {currency}"
    delegator = viewer.user.name if viewer.user else "Docket"
    await notifications.notify(
        [notifications.Recipient(user=user)],
        notifications.Message(
            kind=notifications.NotificationKind.CREDIT_REQUEST_ASSIGNED,
            title=f"Credit request for {account.name} is yours to decide",
            body=f"{delegator} gave you the credit request of {limit} for {account.name}.",
            subject_type="CreditAccountRequest",
            subject_id=request.id,
            mail_template="credit_request_assigned",
            mail_context={
                "account_name": account.name,
                "limit": limit,
                "assigned_by": delegator,
                "note": request.note or "(no note)",
            },
        ),
    )
