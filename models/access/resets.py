"""Forgotten passwords, and setting a password with a link (an invitation or a reset).

Asking for a reset answers the same whether or not the address has an account: the
mail goes out only when it has one, and the throttle counts every request alike, per
address and per client (failed-sign-in style rows, models.auth.LoginAttempt, under
their own keys, forgotten after FAILURE_WINDOW).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.access.links import Holder, end_links, send_link, spend
from models.access.tables import GrantPurpose
from models.auth import FAILURE_WINDOW, LoginAttempt, revoke_tokens
from models.clock import now
from models.directory.accounts import Account, Contact
from models.directory.users import EMAIL_LENGTH, User
from models.errors import DomainError, ErrorCode
from models.passwords import check_strength, hash_password

RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 10
THROTTLED = "Too many password resets asked for. Try again in 15 minutes."
_ADDRESS_KEY = "reset:"
_CLIENT_KEY = "reset-client:"


@dataclass(frozen=True)
class PasswordSet:
    """Whose password a link set, and the address they now sign in with."""

    holder: Holder
    purpose: GrantPurpose


async def _take(key: str, limit: int) -> None:
    """Count one request under `key`, refusing the one past `limit` within the window."""
    async with in_transaction() as connection:  # the caller's, as a savepoint
        if connection.capabilities.dialect == "postgres":
            # Read and write as one step per key, so requests sent together all count
            # (the lock is held until the caller's transaction ends).
            await connection.execute_query(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [key]
            )
        since = now() - FAILURE_WINDOW
        if await LoginAttempt.filter(email=key, created_at__gte=since).count() >= limit:
            raise DomainError(ErrorCode.TOO_MANY_ATTEMPTS, THROTTLED, "email")
        await LoginAttempt.create(email=key)


async def _holder(address: str) -> Holder | None:
    """The active staff user, else the portal contact of an active account, of `address`."""
    user = await User.get_or_none(email=address, is_active=True, archived_at__isnull=True)
    if user is not None:
        return Holder(user=user)
    contact = await Contact.get_or_none(portal_email=address, portal_access=True)
    if contact is not None and await Account.filter(id=contact.account_id, is_active=True).exists():
        return Holder(contact=contact)
    return None


async def request_reset(email: str, client: str, *, secret: str, app_url: str) -> None:
    """Mail a reset link if `email` signs in to Docket; answer alike either way."""
    address = email.strip().lower()[: EMAIL_LENGTH - len(_ADDRESS_KEY)]
    await _take(f"{_CLIENT_KEY}{client}"[:EMAIL_LENGTH], RESETS_PER_CLIENT)
    await _take(f"{_ADDRESS_KEY}{address}", RESETS_PER_ADDRESS)
    holder = await _holder(address) if address == email.strip().lower() else None
    if holder is not None:
        await send_link(holder, GrantPurpose.PASSWORD_RESET, secret=secret, app_url=app_url)


async def set_password(token: str, password: str, *, secret: str) -> PasswordSet:
    """Spend a link and set the password it is for; earlier sessions and links end."""
    grant = await spend(token, secret=secret)
    holder = await _live_holder(grant.user_id, grant.contact_id)
    if holder is None:
        raise DomainError(ErrorCode.INVALID_TOKEN, "This link does not work any more.", "token")
    check_strength(password, email=holder.email)
    password_hash = await hash_password(password)
    if holder.user is not None:
        await User.filter(id=holder.user.id).update(password_hash=password_hash)
        await revoke_tokens(user_id=holder.user.id)
    else:
        assert holder.contact is not None
        await Contact.filter(id=holder.contact.id).update(password_hash=password_hash)
        await revoke_tokens(contact_id=holder.contact.id)
    await end_links(holder)
    # Failed sign-ins before the reset no longer hold the new password back.
    await LoginAttempt.filter(email=holder.email).delete()
    return PasswordSet(holder=holder, purpose=grant.purpose)


async def _live_holder(user_id: int | None, contact_id: int | None) -> Holder | None:
    """The person a link is for, while they may still sign in."""
    if user_id is not None:
        user = await User.get_or_none(id=user_id, is_active=True, archived_at__isnull=True)
        return Holder(user=user) if user else None
    contact = await Contact.get_or_none(id=contact_id, portal_access=True)
    if contact is None or not contact.portal_email:
        return None
    if not await Account.filter(id=contact.account_id, is_active=True).exists():
        return None
    return Holder(contact=contact)
