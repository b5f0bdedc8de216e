"""The account mutations and their payloads: accounts, managers, sites and contacts."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import CanEditAccounts, CanManageAccounts
from models import accounts, notices_withdrawal
from schema.accounts.inputs import (
    CreateAccountInput,
    CreateContactInput,
    CreateSiteInput,
    SetAccountActiveInput,
    SetAccountManagerInput,
    UpdateAccountInput,
    UpdateContactInput,
    UpdateSiteInput,
)
from schema.accounts.types import Account, Contact, Site
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.users import User


@strawberry.type(description="Result of createAccount.")
class CreateAccountPayload:
    account: Account | None = strawberry.field(description="The new account.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateAccount.")
class UpdateAccountPayload:
    account: Account | None = strawberry.field(description="The changed account.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of setAccountActive.")
class SetAccountActivePayload:
    account: Account | None = strawberry.field(description="The changed account.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of setAccountManager.")
class SetAccountManagerPayload:
    account: Account | None = strawberry.field(description="The changed account.")
    previous_manager: User | None = strawberry.field(
        description="Who looked after the account before, if anyone."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createSite.")
class CreateSitePayload:
    site: Site | None = strawberry.field(description="The new site.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateSite.")
class UpdateSitePayload:
    site: Site | None = strawberry.field(description="The changed site.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of createContact.")
class CreateContactPayload:
    contact: Contact | None = strawberry.field(description="The new contact.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateContact.")
class UpdateContactPayload:
    contact: Contact | None = strawberry.field(description="The changed contact.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


def _account_data(
    value: CreateAccountInput | UpdateAccountInput,
) -> accounts.AccountData:
    data = accounts.AccountData()
    if value.name is not strawberry.UNSET:
        data.name = value.name
    if value.number is not strawberry.UNSET:
        data.number = value.number
    if value.parent_id is None:
        data.clear_parent = isinstance(value, UpdateAccountInput)
    elif value.parent_id is not strawberry.UNSET:
        data.parent_id = key_for(value.parent_id, "Account")
    if value.default_sla_hours is None:
        data.clear_default_sla_hours = True
    elif value.default_sla_hours is not strawberry.UNSET:
        data.default_sla_hours = value.default_sla_hours
    if value.credit_limit is None:
        data.clear_credit_limit = True
    elif value.credit_limit is not strawberry.UNSET:
        data.credit_limit = value.credit_limit
    return data


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Create a customer account.", permission_classes=[CanManageAccounts]
    )
    async def create_account(self, info: Info, input: CreateAccountInput) -> CreateAccountPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: accounts.create_account(viewer, _account_data(input))
        )
        return CreateAccountPayload(
            account=Account.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change an account's name, number, parent, SLA hours or credit limit.",
        permission_classes=[CanManageAccounts],
    )
    async def update_account(self, info: Info, input: UpdateAccountInput) -> UpdateAccountPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: accounts.update_account(
                viewer, key_for(input.id, "Account"), _account_data(input)
            ),
        )
        return UpdateAccountPayload(
            account=Account.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Activate or deactivate an account; deactivation cascades to sub-accounts.",
        permission_classes=[CanManageAccounts],
    )
    async def set_account_active(
        self, info: Info, input: SetAccountActiveInput
    ) -> SetAccountActivePayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: accounts.set_account_active(viewer, key_for(input.id, "Account"), input.active),
        )
        return SetAccountActivePayload(
            account=Account.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Give an account to an account manager (one per account).",
        permission_classes=[CanManageAccounts],
    )
    async def set_account_manager(
        self, info: Info, input: SetAccountManagerInput
    ) -> SetAccountManagerPayload:
        viewer = info.context.viewer
        manager_id = None if input.manager_id is None else key_for(input.manager_id, "User")
        change, errors = await run_in_transaction(
            lambda: notices_withdrawal.hand_over_account(
                viewer, key_for(input.account_id, "Account"), manager_id
            ),
        )
        if change is None:
            return SetAccountManagerPayload(account=None, previous_manager=None, user_errors=errors)
        previous = None
        if change.previous_manager_id is not None:
            row = await info.context.loaders.users_by_id.load(change.previous_manager_id)
            previous = User.from_row(row) if row else None
        return SetAccountManagerPayload(
            account=Account.from_row(change.account), previous_manager=previous, user_errors=[]
        )

    @strawberry.mutation(
        description="Add a service location.", permission_classes=[CanEditAccounts]
    )
    async def create_site(self, info: Info, input: CreateSiteInput) -> CreateSitePayload:
        viewer = info.context.viewer
        data = accounts.SiteData(
            name=input.name,
            street=input.street,
            city=input.city,
            region=input.region,
            postal_code=input.postal_code,
            country=input.country,
        )
        row, errors = await run_in_transaction(
            lambda: accounts.create_site(viewer, key_for(input.account_id, "Account"), data)
        )
        return CreateSitePayload(site=Site.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Change a service location.", permission_classes=[CanEditAccounts]
    )
    async def update_site(self, info: Info, input: UpdateSiteInput) -> UpdateSitePayload:
        viewer = info.context.viewer
        data = accounts.SiteData(
            name=input.name,
            street=input.street,
            city=input.city,
            region=input.region,
            postal_code=input.postal_code,
            country=input.country,
            is_active=input.is_active,
        )
        row, errors = await run_in_transaction(
            lambda: accounts.update_site(viewer, key_for(input.id, "Site"), data)
        )
        return UpdateSitePayload(site=Site.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Add a contact person.", permission_classes=[CanEditAccounts])
    async def create_contact(self, info: Info, input: CreateContactInput) -> CreateContactPayload:
        viewer = info.context.viewer
        data = accounts.ContactData(
            name=input.name,
            email=input.email,
            phone=input.phone,
            title=input.title,
            portal_access=input.portal_access,
            password=input.password,
        )
        row, errors = await run_in_transaction(
            lambda: accounts.create_contact(viewer, key_for(input.account_id, "Account"), data)
        )
        return CreateContactPayload(
            contact=Contact.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change a contact, including portal access and password.",
        permission_classes=[CanEditAccounts],
    )
    async def update_contact(self, info: Info, input: UpdateContactInput) -> UpdateContactPayload:
        viewer = info.context.viewer
        data = accounts.ContactData(
            name=input.name,
            email=input.email,
            phone=input.phone,
            title=input.title,
            portal_access=input.portal_access,
            password=input.password,
        )
        row, errors = await run_in_transaction(
            lambda: accounts.update_contact(viewer, key_for(input.id, "Contact"), data)
        )
        return UpdateContactPayload(
            contact=Contact.from_row(row) if row else None, user_errors=errors
        )
