"""Single-use, time-limited links that let a person set a password."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from models.directory.accounts import Contact
from models.directory.users import User


class GrantPurpose(str, Enum):
    INVITATION = "INVITATION"  # a new staff user or portal contact sets a first password
    PASSWORD_RESET = "PASSWORD_RESET"  # someone who forgot it sets a new one


class AccessGrant(Model):
    """A link sent by mail. Only the token's HMAC is stored, and using it once spends it."""

    id = fields.IntField(primary_key=True)
    purpose = fields.CharEnumField(GrantPurpose, max_length=32)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="access_grants", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="access_grants", null=True, on_delete=fields.CASCADE
    )
    contact_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_grants"
        indexes = (("user_id", "purpose"), ("contact_id", "purpose"))
