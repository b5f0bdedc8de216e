"""Idempotency keys: the first answer to a keyed mutation request, kept for a day.

A row is written in the same transaction as the mutation it answers (`api.idempotency`
opens it): inserted first, so a second request with the same key waits on the unique
index until the first commits, then finds the answer; updated with the answer before
the commit. A row is therefore never seen without its answer. Rows whose day has
passed count as absent and are purged by housekeeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models.clock import now
from models.viewer import Viewer

LIFETIME = timedelta(hours=24)
KEY_LENGTH = 255


class IdempotencyKey(Model):
    """The answer to the first request sent with one key by one signed-in person."""

    id = fields.BigIntField(primary_key=True)
    owner = fields.CharField(max_length=32, description="user:<id> or contact:<id>")
    key = fields.CharField(max_length=KEY_LENGTH)
    fingerprint = fields.CharField(max_length=64, description="sha256 of the request")
    status_code = fields.SmallIntField(default=200)
    response = fields.TextField(default="", description="The answer's body, as it was sent")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("owner", "key"),)


class KeyTaken(Exception):
    """Another request holds this key (its transaction committed while we waited)."""


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status_code: int
    body: bytes


def owner_of(viewer: Viewer) -> str | None:
    """Whom keys are scoped to: the signed-in staff user or portal contact, else None."""
    if viewer.user is not None:
        return f"user:{viewer.user.id}"
    if viewer.contact is not None:
        return f"contact:{viewer.contact.id}"
    return None


async def stored_answer(owner: str, key: str) -> StoredAnswer | None:
    """The answer kept for this key, unless there is none or its day has passed."""
    row = await IdempotencyKey.get_or_none(owner=owner, key=key, expires_at__gt=now())
    if row is None:
        return None
    return StoredAnswer(row.fingerprint, row.status_code, row.response.encode())


async def claim(owner: str, key: str, fingerprint: str) -> IdempotencyKey:
    """Take the key, inside the caller's transaction (which must end after KeyTaken:
    on PostgreSQL a unique violation aborts it). An expired row gives way."""
    at = now()
    await IdempotencyKey.filter(owner=owner, key=key, expires_at__lte=at).delete()
    try:
        return await IdempotencyKey.create(
            owner=owner, key=key, fingerprint=fingerprint, created_at=at, expires_at=at + LIFETIME
        )
    except IntegrityError as error:
        raise KeyTaken() from error


async def record(row: IdempotencyKey, status_code: int, body: bytes) -> None:
    """Keep the answer on the claimed row (still inside the claiming transaction)."""
    await IdempotencyKey.filter(id=row.id).update(status_code=status_code, response=body.decode())


async def purge_expired() -> int:
    """Delete the keys whose day has passed; safe to run from several processes."""
    deleted: int = await IdempotencyKey.filter(expires_at__lte=now()).delete()
    return deleted
