"""Inviting people in: an admin invites a staff user, staff who may change an account's
contacts invite one of its portal contacts. The mail carries a link to choose a password."""

from __future__ import annotations

from models import accounts
from models.access.links import Holder, send_link
from models.access.tables import GrantPurpose
from models.accounts.visibility import editable_account
from models.directory.accounts import Account, Contact
from models.directory.users import User
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.viewer import Viewer, require


def _inviter(viewer: Viewer) -> dict[str, str]:
    return {"invited_by": viewer.user.name if viewer.user else "Docket"}


async def invite_user(viewer: Viewer, user_id: int, *, secret: str, app_url: str) -> User:
    """Mail a staff user a link to choose their password (admins)."""
    require(viewer, Permission.MANAGE_SETUP)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found("userId", "user")
    if user.archived_at is not None:
        raise DomainError(ErrorCode.USER_ARCHIVED, f"{user.name} was deleted.", "userId")
    if not user.is_active:
        raise DomainError(
            ErrorCode.USER_INACTIVE, f"{user.name} is inactive: activate them first.", "userId"
        )
    await send_link(
        Holder(user=user),
        GrantPurpose.INVITATION,
        secret=secret,
        app_url=app_url,
        facts=_inviter(viewer),
    )
    return user


async def invite_contact(viewer: Viewer, contact_id: int, *, secret: str, app_url: str) -> Contact:
    """Mail a portal contact a link to choose their password (who may change the
    account's contacts: admins, dispatchers, the account's manager)."""
    require(viewer, Permission.MANAGE_ACCOUNTS, Permission.EDIT_OWN_ACCOUNTS)
    contact = await accounts.visible_contacts(viewer).get_or_none(id=contact_id)
    if contact is None:
        raise not_found("contactId", "contact")
    await editable_account(viewer, contact.account_id, "contactId")
    account = await Account.get(id=contact.account_id)
    accounts.ensure_active(account, "contactId")
    if not contact.portal_access or not contact.portal_email:
        raise DomainError(
            ErrorCode.NO_PORTAL_ACCESS,
            f"{contact.name} has no portal access: give it first, then invite.",
            "contactId",
        )
    await send_link(
        Holder(contact=contact),
        GrantPurpose.INVITATION,
        secret=secret,
        app_url=app_url,
        facts=_inviter(viewer),
    )
    return contact
