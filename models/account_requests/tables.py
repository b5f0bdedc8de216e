"""The tables of account requests and their timeline, with their statuses and kinds."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from models.base import TimestampedModel
from models.directory.accounts import Account, Contact
from models.directory.users import User
from models.request_types import AccountRequestType


class RequestStatus(str, Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class RequestSource(str, Enum):
    STAFF = "STAFF"
    PORTAL = "PORTAL"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"


class EventKind(str, Enum):
    CREATED = "CREATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    ASSIGNED = "ASSIGNED"
    NOTE_CHANGED = "NOTE_CHANGED"
    CONTACT_CHANGED = "CONTACT_CHANGED"
    TYPE_CHANGED = "TYPE_CHANGED"
    ACCOUNT_CHANGED = "ACCOUNT_CHANGED"
    ITEM_LINKED = "ITEM_LINKED"
    ITEM_UNLINKED = "ITEM_UNLINKED"
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_UPDATED = "PHOTO_UPDATED"
    PHOTO_REMOVED = "PHOTO_REMOVED"
    FOR_DATE_CHANGED = "FOR_DATE_CHANGED"
    INTERNAL_CHANGED = "INTERNAL_CHANGED"


class AccountRequest(TimestampedModel):
    """A piece of work raised by or for a customer account."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="account_requests", on_delete=fields.RESTRICT
    )
    account_id: int
    type: fields.ForeignKeyRelation[AccountRequestType] = fields.ForeignKeyField(
        "models.AccountRequestType", related_name="requests", on_delete=fields.RESTRICT
    )
    type_id: int
    status = fields.CharEnumField(RequestStatus, max_length=32, default=RequestStatus.OPEN)
    status_rank = fields.SmallIntField(default=0)
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned_requests", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="account_requests", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    note = fields.TextField(default="")
    source = fields.CharEnumField(RequestSource, max_length=32)
    # Staff only: never shown in the customer portal (its timeline, lists or counts).
    internal = fields.BooleanField(default=False, db_default=False)
    # The day the request is for (the calendar's date); null on rows older than the
    # column, which read as their creation day.
    for_date = fields.DateField(null=True)
    created_by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_requests", null=True, on_delete=fields.SET_NULL
    )
    created_by_user_id: int | None
    created_by_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="created_requests", null=True, on_delete=fields.SET_NULL
    )
    created_by_contact_id: int | None

    class Meta:
        table = "account_requests"
        indexes = (
            ("status", "updated_at"),
            ("assignee_id", "status"),
            ("account_id", "created_at"),
            ("updated_at", "id"),
            ("created_at", "id"),
            ("account_id", "for_date"),
        )


class AccountRequestEvent(Model):
    """One entry of a request's timeline: who changed what, from what, to what."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[AccountRequest] = fields.ForeignKeyField(
        "models.AccountRequest", related_name="events", on_delete=fields.CASCADE
    )
    request_id: int
    kind = fields.CharEnumField(EventKind, max_length=32)
    actor_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="request_events", null=True, on_delete=fields.SET_NULL
    )
    actor_user_id: int | None
    actor_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="request_events", null=True, on_delete=fields.SET_NULL
    )
    actor_contact_id: int | None
    before = fields.TextField(null=True)
    after = fields.TextField(null=True)
    # False for events about photos the portal does not show.
    visible_in_portal = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_request_events"
        indexes = (("request_id", "id"),)
