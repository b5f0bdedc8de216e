"""Company settings: the switches and limits every domain reads."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import CanManageSetup, IsAuthenticated
from fastpath import ANSWERED, answer_rows, related
from models import company
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.users import Team


@strawberry.type(description="Company-wide switches and limits (set by admins).")
class CompanySettings:
    service_requests_enabled: bool = strawberry.field(
        description="Portal contacts may submit service requests."
    )
    managers_may_create_on_behalf: bool = strawberry.field(
        description="Account managers may create account requests on behalf of contacts."
    )
    managers_may_create_requests: bool = strawberry.field(
        description='"Allow Account Manager to Create Requests": account managers may create '
        "account requests at all (on their accounts); off, every request they raise is "
        "refused with MANAGER_CREATE_NOT_ALLOWED. On by default."
    )
    default_sla_hours: int | None = strawberry.field(
        description="The company-wide SLA default, an admin's opt-in: jobs of customers "
        "without default SLA hours get this many (slaRule COMPANY_DEFAULT). Null, the "
        "default: off, such jobs have no SLA deadline."
    )
    max_photo_bytes: int = strawberry.field(description="Largest photo upload, in bytes.")
    allowed_photo_types: list[str] = strawberry.field(description="Accepted photo MIME types.")
    max_photos_per_request: int = strawberry.field(description="Photos per account request.")
    currency: str = strawberry.field(description="The one currency of every amount (ISO code).")
    credit_warning_percent: int = strawberry.field(
        description="Warn when a balance reaches this share of the credit limit."
    )
    time_zone: str = strawberry.field(
        description='The company\'s time zone, an IANA name ("America/Denver"; "UTC" '
        'until an admin sets one): "today" (a preferred date in the past), overdue, and '
        "the times written in mail and notification texts follow it."
    )
    credit_team_id: strawberry.Private[int | None]
    credit_team: Team | None = related(
        "credit_team_id",
        "teams_by_id",
        description="The team that decides credit-account requests.",
    )

    @classmethod
    def from_row(cls, row: company.CompanySettings) -> CompanySettings:
        return cls(
            service_requests_enabled=row.service_requests_enabled,
            managers_may_create_on_behalf=row.managers_may_create_on_behalf,
            managers_may_create_requests=row.managers_may_create_requests,
            default_sla_hours=row.default_sla_hours,
            max_photo_bytes=row.max_photo_bytes,
            allowed_photo_types=list(row.allowed_photo_types),
            max_photos_per_request=row.max_photos_per_request,
            currency=row.currency,
            credit_warning_percent=row.credit_warning_percent,
            time_zone=row.time_zone,
            credit_team_id=row.credit_team_id,
        )


@strawberry.input(description="Changes to company settings; fields left out stay as they are.")
class UpdateCompanySettingsInput:
    service_requests_enabled: bool | None = strawberry.field(
        default=None, description="Allow portal service requests."
    )
    managers_may_create_on_behalf: bool | None = strawberry.field(
        default=None, description="Let account managers create requests for contacts."
    )
    managers_may_create_requests: bool | None = strawberry.field(
        default=None, description="Let account managers create account requests at all."
    )
    credit_team_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The credit team; null clears it."
    )
    default_sla_hours: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Turn the company-wide SLA default on (hours) or off (null).",
    )
    max_photo_bytes: int | None = strawberry.field(default=None, description="Largest photo.")
    allowed_photo_types: list[str] | None = strawberry.field(
        default=None, description="Accepted photo MIME types."
    )
    max_photos_per_request: int | None = strawberry.field(
        default=None, description="Photos per account request."
    )
    currency: str | None = strawberry.field(default=None, description="ISO currency code.")
    credit_warning_percent: int | None = strawberry.field(
        default=None, description="Credit warning threshold, 1 to 100 percent."
    )
    time_zone: str | None = strawberry.field(
        default=None,
        description="An IANA time zone name, e.g. America/Denver; any other name is "
        "refused (INVALID on timeZone).",
    )


@strawberry.type(description="Result of updateCompanySettings.")
class UpdateCompanySettingsPayload:
    company_settings: CompanySettings | None = strawberry.field(description="The new settings.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class CompanyQueries:
    @strawberry.field(
        description="Company settings. Portal contacts read them too (the portal hides its "
        "service request button while serviceRequestsEnabled is false); the credit "
        "team shows to staff only.",
        permission_classes=[IsAuthenticated],
    )
    async def company_settings(self, info: Info) -> CompanySettings:
        if await answer_rows(info, CompanySettings.from_row, company.settings_rows()):
            return ANSWERED  # written by the database (fastpath.json_roots)
        return CompanySettings.from_row(await company.get_settings())


@strawberry.type
class CompanyMutations:
    @strawberry.mutation(
        description="Change company settings (admins).", permission_classes=[CanManageSetup]
    )
    async def update_company_settings(
        self, info: Info, input: UpdateCompanySettingsInput
    ) -> UpdateCompanySettingsPayload:
        viewer = info.context.viewer
        team = input.credit_team_id
        sla = input.default_sla_hours
        data = company.SettingsData(
            service_requests_enabled=input.service_requests_enabled,
            managers_may_create_on_behalf=input.managers_may_create_on_behalf,
            managers_may_create_requests=input.managers_may_create_requests,
            credit_team_id=(
                key_for(team, "Team") if team not in (None, strawberry.UNSET) else None
            ),
            clear_credit_team=team is None,
            default_sla_hours=sla if sla not in (None, strawberry.UNSET) else None,
            clear_default_sla_hours=sla is None,
            max_photo_bytes=input.max_photo_bytes,
            allowed_photo_types=input.allowed_photo_types,
            max_photos_per_request=input.max_photos_per_request,
            currency=input.currency,
            credit_warning_percent=input.credit_warning_percent,
            time_zone=input.time_zone,
        )
        row, errors = await run_in_transaction(lambda: company.update_settings(viewer, data))
        return UpdateCompanySettingsPayload(
            company_settings=CompanySettings.from_row(row) if row else None, user_errors=errors
        )
