"""Sign-in: bearer tokens (random, stored hashed, revocable) and login throttling."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from fastpath.statements import Statement, aliased_columns, aliased_model
from models.clock import now
from models.directory.accounts import Account, Contact
from models.directory.users import EMAIL_LENGTH, User, role_map, signs_in_as
from models.errors import DomainError, ErrorCode
from models.events import contact_channel, publish_after_commit, user_channel
from models.passwords import verify_password
from models.permissions import Role
from models.remembered import Remembered, forget, holds, recall, remember
from models.viewer import Viewer

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# One message for unknown e-mail, wrong password and throttling alike, so the
# answer never tells whether an address has an account.
BAD_CREDENTIALS = "The e-mail or password is not right."
THROTTLED = "Too many failed sign-ins for this e-mail. Try again in 15 minutes."


class AuthToken(Model):
    """A bearer token. Only its HMAC is stored, so a database leak gives no sessions."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    contact_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_tokens"


class LoginAttempt(Model):
    """A failed sign-in, kept to throttle guessing per e-mail."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempts"


def _digest(token: str, secret: str) -> str:
    # hmac.digest: the one-shot HMAC in C, what hmac.new(...).hexdigest() gives without
    # building the HMAC object and its two hash objects (a few us of every request).
    return hmac.digest(secret.encode(), token.encode(), "sha256").hex()


@dataclass
class SignIn:
    token: str
    expires_at: datetime
    viewer: Viewer


def _address(email: str) -> str:
    """The throttling key of a sign-in: trimmed, lower case, no longer than the column."""
    # Longer input cannot be anyone's address, but must still count as a failure.
    return email.strip().lower()[:EMAIL_LENGTH]


async def _find(address: str) -> tuple[User | None, Contact | None]:
    """The active-or-not staff user, else the portal contact, signing in as `address`."""
    # E-mails and login names are unique across both columns (models.users).
    user = await User.filter(signs_in_as(address)).first()
    if user is not None:
        return user, None
    return None, await Contact.get_or_none(portal_email=address, portal_access=True)


async def reserve_attempt(email: str) -> None:
    """Count a sign-in as failed before its password is checked, and commit that at once.

    Read first and written after the check, forty guesses sent together all read
    "fewer than five" and all got checked. So the count and the new attempt are
    one step (one e-mail at a time: an advisory lock on PostgreSQL; SQLite runs
    one write transaction at a time), every guess in flight already counts, and a
    successful sign-in clears the attempts (`login`). Raises when throttled.
    """
    address = _address(email)
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [address]
            )
        since = now() - FAILURE_WINDOW
        if await LoginAttempt.filter(email=address, created_at__gte=since).count() >= MAX_FAILURES:
            raise DomainError(ErrorCode.TOO_MANY_ATTEMPTS, THROTTLED, "email")
        await LoginAttempt.create(email=address)


async def login(email: str, password: str, *, secret: str, lifetime: timedelta) -> SignIn:
    """Check the credentials of a staff user or portal contact and issue a token. The
    attempt was counted first (`reserve_attempt`); a failure leaves it counted."""
    address = _address(email)
    user, contact = await _find(address) if address == email.strip().lower() else (None, None)
    password_hash = user.password_hash if user else contact.password_hash if contact else None
    valid = await verify_password(password_hash, password)
    if not valid or (user is not None and not user.is_active):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, BAD_CREDENTIALS, "password")
    if contact is not None and not await _account_active(contact.account_id):
        raise DomainError(
            ErrorCode.ACCOUNT_INACTIVE, "Your account is inactive. Please contact us.", "email"
        )
    await LoginAttempt.filter(email=address).delete()
    return await issue_token(user=user, contact=contact, secret=secret, lifetime=lifetime)


async def issue_token(
    *, user: User | None, contact: Contact | None, secret: str, lifetime: timedelta
) -> SignIn:
    """A new session for a user or contact whose credentials were checked."""
    token = secrets.token_urlsafe(32)
    expires_at = now() + lifetime
    row = await AuthToken.create(
        token_hash=_digest(token, secret),
        user_id=user.id if user else None,
        contact_id=contact.id if contact else None,
        expires_at=expires_at,
    )
    return SignIn(token=token, expires_at=expires_at, viewer=await _viewer(row.id, user, contact))


async def _viewer(token_id: int, user: User | None, contact: Contact | None) -> Viewer:
    roles = frozenset((await role_map([user.id]))[user.id]) if user else frozenset()
    return Viewer(user=user, contact=contact, roles=roles, token_id=token_id)


# Signing in runs on every request: one statement, written once per dialect
# (fastpath.statements). The token, its user if active, its contact if it has
# portal access and an active account, and the user's roles, in one row.
_ROLE_LISTS = {"postgres": "string_agg(r.\"role\", ',')", "sqlite": "group_concat(r.\"role\", ',')"}


def _sign_in_sql(dialect: str) -> str:
    roles = f'(SELECT {_ROLE_LISTS[dialect]} FROM "user_roles" r WHERE r."user_id" = u."id")'
    return (
        'SELECT t."id" AS "token_id",t."user_id" AS "token_user_id",'
        f"{aliased_columns(User, 'u')},{aliased_columns(Contact, 'c')},"
        f'a."id" AS "a_id",{roles} AS "roles"'
        ' FROM "auth_tokens" t'
        ' LEFT JOIN "users" u ON u."id" = t."user_id" AND u."is_active" = {}'
        ' LEFT JOIN "contacts" c ON c."id" = t."contact_id" AND c."portal_access" = {}'
        ' LEFT JOIN "accounts" a ON a."id" = c."account_id" AND a."is_active" = {}'
        ' WHERE t."token_hash" = {} AND t."revoked_at" IS NULL AND t."expires_at" > {}'
        " LIMIT 1"
    )


_SIGN_IN = Statement(AuthToken, _sign_in_sql)
_USER = aliased_model(User, "u")
_CONTACT = aliased_model(Contact, "c")
_ROLES = {role.value: role for role in Role}


def _roles(listed: str | None) -> frozenset[Role]:
    return frozenset(_ROLES[role] for role in listed.split(",")) if listed else frozenset()


async def authenticate(token: str, *, secret: str) -> Viewer | None:
    """The viewer behind a bearer token, or None if it is unknown, expired or revoked,
    or its user is inactive, or its contact has no portal access or an inactive account."""
    digest = _digest(token, secret)
    viewer = await _sign_in(digest)
    remember(digest, viewer)
    return viewer


async def _sign_in(digest: str) -> Viewer | None:
    found = await _SIGN_IN.records(True, True, True, digest, now())
    if not found:
        return None
    row = found[0]
    if row["token_user_id"] is not None:
        user = _USER(row)
        if user is None:
            return None
        return Viewer(user=user, roles=_roles(row["roles"]), token_id=row["token_id"])
    if row["a_id"] is None:  # no contact with portal access, or its account is inactive
        return None
    return Viewer(contact=_CONTACT(row), token_id=row["token_id"])


async def _account_active(account_id: int) -> bool:
    return await Account.filter(id=account_id, is_active=True).exists()


async def token_alive(token_id: int) -> bool:
    """Is this token still usable? Long-lived sockets ask this to end revoked sessions."""
    return await AuthToken.filter(
        id=token_id, revoked_at__isnull=True, expires_at__gt=now()
    ).exists()


async def token_expiry(token_id: int | None) -> datetime | None:
    """When this token stops working by itself (None if it already has or is unknown)."""
    if token_id is None:
        return None
    row = await AuthToken.filter(id=token_id, revoked_at__isnull=True).only("expires_at").first()
    return row.expires_at if row is not None else None


async def logout(viewer: Viewer) -> None:
    if viewer.token_id is not None:
        await AuthToken.filter(id=viewer.token_id).update(revoked_at=now())
        _sessions_changed(viewer.user_id, viewer.contact.id if viewer.contact else None)


def _sessions_changed(user_id: int | None, contact_id: int | None) -> None:
    # Open subscriptions of this person re-check their token when they hear this.
    if user_id is not None:
        publish_after_commit(user_channel(user_id), type="session")
    if contact_id is not None:
        publish_after_commit(contact_channel(contact_id), type="session")


def permissions_changed(user_id: int) -> None:
    """A user's roles changed: their open subscriptions re-check what they may see."""
    _sessions_changed(user_id, None)


async def revoke_tokens(*, user_id: int | None = None, contact_id: int | None = None) -> int:
    """End every session of a user or contact (deactivation, password change)."""
    query = AuthToken.filter(revoked_at__isnull=True)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    elif contact_id is not None:
        query = query.filter(contact_id=contact_id)
    else:
        raise ValueError("revoke_tokens needs a user_id or a contact_id")
    revoked = await query.update(revoked_at=now())
    _sessions_changed(user_id, contact_id)
    return revoked


async def purge_expired() -> int:
    """Forget dead tokens and old failed attempts (run by the worker)."""
    cutoff = now() - timedelta(days=1)
    dead = await AuthToken.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)).delete()
    await LoginAttempt.filter(created_at__lt=now() - FAILURE_WINDOW).delete()
    return dead


def recalled(token: str, *, secret: str) -> Remembered | None:
    """The viewer remembered for this token (`models.remembered`), unconfirmed."""
    return recall(_digest(token, secret))


async def still_signed_in(remembered: Remembered) -> bool:
    """Does the remembered viewer still hold? A fresh sign-in, kept if it does not."""
    viewer = await _sign_in(remembered.digest)
    if holds(remembered, viewer):
        return True
    forget(remembered.digest)
    remember(remembered.digest, viewer)
    return False
