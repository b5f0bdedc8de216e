"""The table of photos: an image on an account request, its bytes in object storage."""

from __future__ import annotations

from enum import Enum

from tortoise import fields

from models import account_requests as requests
from models.base import TimestampedModel
from models.directory.accounts import Contact
from models.directory.users import User

DESCRIPTION_LENGTH = 2_000

FILENAME_LENGTH = 255


class PhotoStatus(str, Enum):
    PENDING = "PENDING"
    READY = "READY"


class Photo(TimestampedModel):
    """An image on an account request, stored in object storage under a generated key."""

    request: fields.ForeignKeyRelation[requests.AccountRequest] = fields.ForeignKeyField(
        "models.AccountRequest", related_name="photos", on_delete=fields.CASCADE
    )
    request_id: int
    status = fields.CharEnumField(PhotoStatus, max_length=16, default=PhotoStatus.PENDING)
    key = fields.CharField(max_length=200, unique=True)
    thumbnail_key = fields.CharField(max_length=220, null=True)
    filename = fields.CharField(max_length=FILENAME_LENGTH)
    content_type = fields.CharField(max_length=64)
    byte_size = fields.BigIntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    description = fields.TextField(default="")
    display_in_portal = fields.BooleanField(default=False)
    uploaded_by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="uploaded_photos", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_user_id: int | None
    uploaded_by_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="uploaded_photos", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_contact_id: int | None
    upload_expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "photos"
        indexes = (("request_id", "status", "id"), ("status", "created_at"))
