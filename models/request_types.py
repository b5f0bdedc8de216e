"""Account request types: set up by admins, chosen for every new request."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import fields
from tortoise.queryset import QuerySet

from models.assignees import check_assignee
from models.base import TimestampedModel
from models.directory.users import User
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require


class AccountRequestType(TimestampedModel):
    """A kind of account request. Inactive types stay on old requests only."""

    name = fields.CharField(max_length=100, unique=True)
    description = fields.TextField(default="")
    is_active = fields.BooleanField(default=True)
    portal_available = fields.BooleanField(default=False)
    default_assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="default_for_types", null=True, on_delete=fields.SET_NULL
    )
    default_assignee_id: int | None

    class Meta:
        table = "account_request_types"
        ordering = ["name", "id"]


def visible_types(viewer: Viewer) -> QuerySet[AccountRequestType]:
    """Staff see every type; portal contacts see the active portal types only."""
    if viewer.is_staff:
        return AccountRequestType.all()
    if viewer.is_contact:
        return AccountRequestType.filter(is_active=True, portal_available=True)
    return AccountRequestType.filter(id__in=[])


@dataclass
class TypeData:
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None
    portal_available: bool | None = None
    default_assignee_id: int | None = None
    clear_default_assignee: bool = False


async def _apply(row: AccountRequestType, data: TypeData) -> None:
    if data.name is not None:
        row.name = clean_text(data.name, "name", 100)
        # "Billing" and "billing" would read as one type in every picker.
        clash = AccountRequestType.filter(name__iexact=row.name)
        if row.id is not None:
            clash = clash.exclude(id=row.id)
        if await clash.exists():
            raise DomainError(ErrorCode.DUPLICATE, "Another type has this name.", "name")
    if data.description is not None:
        row.description = optional_text(data.description, "description", 2000) or ""
    if data.is_active is not None:
        row.is_active = data.is_active
    if data.portal_available is not None:
        row.portal_available = data.portal_available
    if data.clear_default_assignee:
        row.default_assignee_id = None
    elif data.default_assignee_id is not None:
        await check_assignee(data.default_assignee_id, "defaultAssigneeId")
        row.default_assignee_id = data.default_assignee_id


async def create_type(viewer: Viewer, data: TypeData) -> AccountRequestType:
    require(viewer, Permission.MANAGE_SETUP)
    if data.name is None:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    row = AccountRequestType(name="")
    await _apply(row, data)
    await row.save()
    return row


async def update_type(viewer: Viewer, type_id: int, data: TypeData) -> AccountRequestType:
    require(viewer, Permission.MANAGE_SETUP)
    row = await AccountRequestType.select_for_update().get_or_none(id=type_id)
    if row is None:
        raise not_found("id", "request type")
    await _apply(row, data)
    await row.save()
    return row
