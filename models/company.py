"""Company settings: one row, read by every domain that has a switch or a limit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from tortoise import fields
from tortoise.queryset import QuerySet

from fastpath.statements import Select, by_ids
from models.base import TimestampedModel
from models.directory.users import Team
from models.errors import DomainError, ErrorCode, not_found
from models.permissions import Permission
from models.viewer import Viewer, require

DEFAULT_PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic"]


def default_photo_types() -> list[str]:
    return list(DEFAULT_PHOTO_TYPES)


class CompanySettings(TimestampedModel):
    """The company-wide switches and limits (always the row with id 1)."""

    service_requests_enabled = fields.BooleanField(default=True)
    managers_may_create_on_behalf = fields.BooleanField(default=False)
    credit_team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="+", null=True, on_delete=fields.SET_NULL
    )
    credit_team_id: int | None
    default_sla_hours = fields.IntField(null=True)
    max_photo_bytes = fields.IntField(default=15 * 1024 * 1024)
    allowed_photo_types: list[str] = fields.JSONField(default=default_photo_types)
    max_photos_per_request = fields.IntField(default=50)
    # Database defaults too: these columns were added to a table that has its row.
    currency = fields.CharField(max_length=3, default="USD", db_default="USD")
    credit_warning_percent = fields.IntField(default=80, db_default=80)
    # "Allow Account Manager to Create Requests": gates every request a manager raises.
    managers_may_create_requests = fields.BooleanField(default=True, db_default=True)
    # IANA name; "today", overdue and the times in mail and notification texts use it.
    time_zone = fields.CharField(max_length=64, default="UTC", db_default="UTC")

    class Meta:
        table = "company_settings"


# The one setting every job draft reads, without the rest of the row (its JSON).
_SLA_HOURS = Select(CompanySettings, '"id" IN ({})', columns=("id", "default_sla_hours"))


async def default_sla_hours() -> int | None:
    """The company's default SLA hours (the settings row made first if need be)."""
    found = await _SLA_HOURS.records([1])
    if found:
        hours: int | None = found[0]["default_sla_hours"]
        return hours
    return (await get_settings()).default_sla_hours


# The zone alone: "today" and the times in texts need it, not the rest of the row.
_TIME_ZONE = Select(CompanySettings, '"id" IN ({})', columns=("id", "time_zone"))


async def time_zone_name() -> str:
    """The company's IANA time zone name ("UTC" while no settings row exists yet)."""
    found = await _TIME_ZONE.records([1])
    name: str = found[0]["time_zone"] if found else "UTC"
    return name


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names this machine knows (read once: the scan takes ~0.1 s)."""
    return frozenset(available_timezones()) | {"UTC"}


def settings_rows() -> QuerySet[CompanySettings]:
    """The settings row as a query (none until `get_settings` first made it)."""
    return CompanySettings.filter(id=1)


async def get_settings() -> CompanySettings:
    """The settings row, created with defaults the first time anyone asks."""
    found = await by_ids(CompanySettings).first([1])
    if found is not None:
        return found
    row, _ = await CompanySettings.get_or_create(id=1)
    return row


@dataclass
class SettingsData:
    service_requests_enabled: bool | None = None
    managers_may_create_on_behalf: bool | None = None
    managers_may_create_requests: bool | None = None
    credit_team_id: int | None = None
    clear_credit_team: bool = False
    default_sla_hours: int | None = None
    clear_default_sla_hours: bool = False
    max_photo_bytes: int | None = None
    allowed_photo_types: list[str] | None = None
    max_photos_per_request: int | None = None
    currency: str | None = None
    credit_warning_percent: int | None = None
    time_zone: str | None = None


async def update_settings(viewer: Viewer, data: SettingsData) -> CompanySettings:
    require(viewer, Permission.MANAGE_SETUP)
    await get_settings()
    row = await CompanySettings.select_for_update().get(id=1)
    if data.service_requests_enabled is not None:
        row.service_requests_enabled = data.service_requests_enabled
    if data.managers_may_create_on_behalf is not None:
        row.managers_may_create_on_behalf = data.managers_may_create_on_behalf
    if data.managers_may_create_requests is not None:
        row.managers_may_create_requests = data.managers_may_create_requests
    if data.clear_credit_team:
        row.credit_team_id = None
    elif data.credit_team_id is not None:
        if not await Team.filter(id=data.credit_team_id).exists():
            raise not_found("creditTeamId", "team")
        row.credit_team_id = data.credit_team_id
    if data.clear_default_sla_hours:
        row.default_sla_hours = None
    elif data.default_sla_hours is not None:
        _in_range(data.default_sla_hours, 1, 24 * 365, "defaultSlaHours")
        row.default_sla_hours = data.default_sla_hours
    if data.max_photo_bytes is not None:
        _in_range(data.max_photo_bytes, 1024, 100 * 1024 * 1024, "maxPhotoBytes")
        row.max_photo_bytes = data.max_photo_bytes
    if data.allowed_photo_types is not None:
        unknown = set(data.allowed_photo_types) - set(DEFAULT_PHOTO_TYPES)
        if unknown or not data.allowed_photo_types:
            raise DomainError(
                ErrorCode.INVALID,
                f"Choose among {', '.join(DEFAULT_PHOTO_TYPES)}.",
                "allowedPhotoTypes",
            )
        row.allowed_photo_types = sorted(set(data.allowed_photo_types))
    if data.max_photos_per_request is not None:
        _in_range(data.max_photos_per_request, 1, 1000, "maxPhotosPerRequest")
        row.max_photos_per_request = data.max_photos_per_request
    if data.currency is not None:
        code = data.currency.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise DomainError(
                ErrorCode.INVALID, "Use a three-letter ISO currency code.", "currency"
            )
        row.currency = code
    if data.credit_warning_percent is not None:
        _in_range(data.credit_warning_percent, 1, 100, "creditWarningPercent")
        row.credit_warning_percent = data.credit_warning_percent
    if data.time_zone is not None:
        row.time_zone = _time_zone(data.time_zone)
    await row.save()
    return row


def _time_zone(name: str) -> str:
    cleaned = name.strip()
    if cleaned not in time_zone_names():
        raise DomainError(
            ErrorCode.INVALID,
            "Use an IANA time zone name, such as America/Denver or Europe/Paris.",
            "timeZone",
        )
    return cleaned


def _in_range(value: int, low: int, high: int, field: str) -> None:
    if not low <= value <= high:
        raise DomainError(ErrorCode.INVALID, f"{field} must be between {low} and {high}.", field)
