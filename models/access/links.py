"""The links themselves: issued with a random token, stored as its HMAC, spent once.

A person holds at most one live link per purpose: a new invitation or reset ends the
earlier one, and setting a password ends them all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from models import outbox
from models.access.tables import AccessGrant, GrantPurpose
from models.clock import now
from models.directory.accounts import Contact
from models.directory.users import User
from models.errors import DomainError, ErrorCode

LIFETIMES = {
    GrantPurpose.INVITATION: timedelta(days=7),
    GrantPurpose.PASSWORD_RESET: timedelta(hours=1),
}
# How the mails word each lifetime.
VALID_FOR = {GrantPurpose.INVITATION: "7 days", GrantPurpose.PASSWORD_RESET: "one hour"}
TEMPLATES = {GrantPurpose.INVITATION: "invitation", GrantPurpose.PASSWORD_RESET: "password_reset"}
# The web app's page that reads the token from the fragment (never sent to a server).
PAGE = "/set-password#token="
# Tokens are 43 characters; anything far longer is no token of ours.
MAX_TOKEN_LENGTH = 200
INVALID_LINK = (
    "This link does not work any more: it was used already, it expired, or it was "
    "never sent. Ask for a new one."
)


@dataclass(frozen=True)
class Holder:
    """The staff user or portal contact a link is for, with the address they sign in with."""

    user: User | None = None
    contact: Contact | None = None

    @property
    def email(self) -> str:
        if self.user is not None:
            return self.user.email
        assert self.contact is not None and self.contact.portal_email is not None
        return self.contact.portal_email

    @property
    def name(self) -> str:
        person = self.user or self.contact
        assert person is not None
        return person.name


def digest(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _mine(holder: Holder) -> dict[str, int]:
    if holder.user is not None:
        return {"user_id": holder.user.id}
    assert holder.contact is not None
    return {"contact_id": holder.contact.id}


async def send_link(
    holder: Holder,
    purpose: GrantPurpose,
    *,
    secret: str,
    app_url: str,
    facts: dict[str, str] | None = None,
) -> None:
    """Issue a link for `holder` (ending their earlier one of this purpose) and queue
    its mail, in the caller's transaction."""
    issued_at = now()
    await AccessGrant.filter(
        **_mine(holder), purpose=purpose, used_at__isnull=True, expires_at__gt=issued_at
    ).update(expires_at=issued_at)
    token = secrets.token_urlsafe(32)
    await AccessGrant.create(
        purpose=purpose,
        token_hash=digest(token, secret),
        user_id=holder.user.id if holder.user else None,
        contact_id=holder.contact.id if holder.contact else None,
        expires_at=issued_at + LIFETIMES[purpose],
    )
    await outbox.queue_email(
        to=holder.email,
        template=TEMPLATES[purpose],
        context={
            "name": holder.name,
            "email": holder.email,
            "link": f"{app_url}{PAGE}{token}",
            "valid_for": VALID_FOR[purpose],
            **(facts or {}),
        },
    )


async def spend(token: str, *, secret: str) -> AccessGrant:
    """The live grant of `token`, spent now (once, even when two uses race)."""
    invalid = DomainError(ErrorCode.INVALID_TOKEN, INVALID_LINK, "token")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid
    at = now()
    grant = await AccessGrant.get_or_none(token_hash=digest(token, secret))
    if grant is None or grant.used_at is not None or grant.expires_at <= at:
        raise invalid
    # The conditional update is the spending: of two concurrent uses, one changes the row.
    if not await AccessGrant.filter(id=grant.id, used_at__isnull=True).update(used_at=at):
        raise invalid
    return grant


async def end_links(holder: Holder) -> None:
    """Every live link of `holder` stops working (their password was just set)."""
    at = now()
    await AccessGrant.filter(**_mine(holder), used_at__isnull=True, expires_at__gt=at).update(
        expires_at=at
    )
