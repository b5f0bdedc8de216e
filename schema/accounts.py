"""Accounts, sites and contacts: types, the `accounts` list and their mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.permissions import CanEditAccounts, CanManageAccounts, IsAuthenticated
from models import accounts
from models.linked_items import AppointmentStatus, InvoiceStatus, ItemKind, TaskStatus
from schema import item_enums  # noqa: F401  (registers the enums first)
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node
from schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    PageArgs,
    encode_id,
    key_for,
    keys_for,
    paginate,
    paginate_list,
)

if TYPE_CHECKING:
    from schema.account_requests import AccountRequest
    from schema.credit_accounts import CreditAccountRequest
    from schema.linked_items import Appointment, CreditMemo, Invoice, ServiceRecord, Task
    from schema.users import User

UserType = Annotated["User", strawberry.lazy("schema.users")]
AccountRequestType = Annotated["AccountRequest", strawberry.lazy("schema.account_requests")]
TaskType = Annotated["Task", strawberry.lazy("schema.linked_items")]
AppointmentType = Annotated["Appointment", strawberry.lazy("schema.linked_items")]
ServiceRecordType = Annotated["ServiceRecord", strawberry.lazy("schema.linked_items")]
InvoiceType = Annotated["Invoice", strawberry.lazy("schema.linked_items")]
CreditMemoType = Annotated["CreditMemo", strawberry.lazy("schema.linked_items")]
CreditRequestType = Annotated["CreditAccountRequest", strawberry.lazy("schema.credit_accounts")]


@strawberry.type(description="A service location of an account.")
class Site(Node):
    name: str = strawberry.field(description="What the customer calls this place.")
    street: str = strawberry.field(description="Street and number.")
    city: str = strawberry.field(description="City.")
    region: str = strawberry.field(description="State, province or region.")
    postal_code: str = strawberry.field(description="Postal code.")
    country: str = strawberry.field(description="Two-letter ISO country code.")
    is_active: bool = strawberry.field(description="Inactive sites are kept for history.")
    created_at: datetime = strawberry.field(description="When the site was added.")
    account_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: accounts.Site) -> Site:
        return cls(
            id=strawberry.ID(encode_id("Site", row.id)),
            name=row.name,
            street=row.street,
            city=row.city,
            region=row.region,
            postal_code=row.postal_code,
            country=row.country,
            is_active=row.is_active,
            created_at=row.created_at,
            account_id=row.account_id,
        )

    @strawberry.field(description="The account this site belongs to.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.accounts_by_id.load(self.account_id)
        return Account.from_row(row) if row else None


@strawberry.type(description="A person of a customer account.")
class Contact(Node):
    name: str = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    title: str | None = strawberry.field(description="Job title.")
    portal_access: bool = strawberry.field(
        description="May sign in to the customer portal with e-mail and password."
    )
    created_at: datetime = strawberry.field(description="When the contact was added.")
    account_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: accounts.Contact) -> Contact:
        return cls(
            id=strawberry.ID(encode_id("Contact", row.id)),
            name=row.name,
            email=row.email,
            phone=row.phone,
            title=row.title,
            portal_access=row.portal_access,
            created_at=row.created_at,
            account_id=row.account_id,
        )

    @strawberry.field(description="The account this contact belongs to.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.accounts_by_id.load(self.account_id)
        return Account.from_row(row) if row else None


@strawberry.type(description="A customer account.")
class Account(Node):
    name: str = strawberry.field(description="Unique name of the customer.")
    number: str = strawberry.field(description="Unique account number.")
    is_active: bool = strawberry.field(
        description="Inactive accounts refuse request work (ACCOUNT_INACTIVE)."
    )
    default_sla_hours: int | None = strawberry.field(
        description="Hours to the SLA due of a new job, when the job gives none."
    )
    credit_limit: Decimal | None = strawberry.field(
        description="Credit limit in the company currency, if the account has credit."
    )
    created_at: datetime = strawberry.field(description="When the account was created.")
    updated_at: datetime = strawberry.field(description="When the account last changed.")
    parent_id: strawberry.Private[int | None]
    manager_id: strawberry.Private[int | None]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: accounts.Account) -> Account:
        return cls(
            id=strawberry.ID(encode_id("Account", row.id)),
            name=row.name,
            number=row.number,
            is_active=row.is_active,
            default_sla_hours=row.default_sla_hours,
            credit_limit=row.credit_limit,
            created_at=row.created_at,
            updated_at=row.updated_at,
            parent_id=row.parent_id,
            manager_id=row.manager_id,
            pk=row.id,
        )

    @strawberry.field(description="The parent account, for a sub-account.")
    async def parent(self, info: Info) -> Account | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.accounts_by_id.load(self.parent_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="The account manager looking after this account.")
    async def manager(self, info: Info) -> UserType | None:
        from schema.users import user_by_id

        return await user_by_id(info, self.manager_id)

    @strawberry.field(description="Sub-accounts directly below this account.")
    async def sub_accounts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Account]:
        rows = await info.context.loaders.sub_accounts_by_parent_id.load(self.pk)
        return paginate_list(
            [Account.from_row(r) for r in rows], PageArgs(first, after, last, before)
        )

    @strawberry.field(description="Service locations of this account, by name.")
    async def sites(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Site]:
        rows = await info.context.loaders.sites_by_account_id.load(self.pk)
        return paginate_list([Site.from_row(r) for r in rows], PageArgs(first, after, last, before))

    @strawberry.field(description="Requests of this account, newest first.")
    async def account_requests(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AccountRequestType]:
        from schema.account_requests import AccountRequest

        rows = await info.context.loaders.account_requests_by_account_id.load(self.pk)
        return paginate_list(
            [AccountRequest.from_row(row) for row in rows], PageArgs(first, after, last, before)
        )

    @strawberry.field(description="What the account's open invoices still owe.")
    async def balance(self, info: Info) -> Decimal:
        return (await info.context.loaders.balances_by_account_id.load(self.pk)).balance

    @strawberry.field(description="The part of the balance that is past due.")
    async def overdue_balance(self, info: Info) -> Decimal:
        return (await info.context.loaders.balances_by_account_id.load(self.pk)).overdue

    @strawberry.field(description="Credit limit minus balance (null without a credit limit).")
    async def available_credit(self, info: Info) -> Decimal | None:
        if self.credit_limit is None:
            return None
        balance = (await info.context.loaders.balances_by_account_id.load(self.pk)).balance
        return self.credit_limit - balance

    @strawberry.field(
        description="Credit requests of this account, newest first (those who may see them)."
    )
    async def credit_account_requests(self, info: Info) -> list[CreditRequestType]:
        from schema.credit_accounts import CreditAccountRequest

        rows = await info.context.loaders.credit_requests_by_account_id.load(self.pk)
        return [CreditAccountRequest.from_row(row) for row in rows]

    @strawberry.field(description="Tasks of this account, newest first (staff only).")
    async def tasks(
        self,
        info: Info,
        status: Annotated[
            TaskStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[TaskType]:
        from schema.linked_items import account_items

        return await account_items(
            info, self.pk, ItemKind.TASK, status, PageArgs(first, after, last, before)
        )  # type: ignore[return-value]

    @strawberry.field(description="Appointments of this account, newest first.")
    async def appointments(
        self,
        info: Info,
        status: Annotated[
            AppointmentStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AppointmentType]:
        from schema.linked_items import account_items

        return await account_items(
            info, self.pk, ItemKind.APPOINTMENT, status, PageArgs(first, after, last, before)
        )  # type: ignore[return-value]

    @strawberry.field(description="Service records of this account, newest first.")
    async def service_records(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ServiceRecordType]:
        from schema.linked_items import account_items

        return await account_items(
            info, self.pk, ItemKind.SERVICE_RECORD, None, PageArgs(first, after, last, before)
        )  # type: ignore[return-value]

    @strawberry.field(description="Invoices of this account, newest first.")
    async def invoices(
        self,
        info: Info,
        status: Annotated[
            InvoiceStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[InvoiceType]:
        from schema.linked_items import account_items

        return await account_items(
            info, self.pk, ItemKind.INVOICE, status, PageArgs(first, after, last, before)
        )  # type: ignore[return-value]

    @strawberry.field(description="Credit memos of this account, newest first.")
    async def credit_memos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[CreditMemoType]:
        from schema.linked_items import account_items

        return await account_items(
            info, self.pk, ItemKind.CREDIT_MEMO, None, PageArgs(first, after, last, before)
        )  # type: ignore[return-value]

    @strawberry.field(description="People of this account, by name.")
    async def contacts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contact]:
        rows = await info.context.loaders.contacts_by_account_id.load(self.pk)
        return paginate_list(
            [Contact.from_row(r) for r in rows], PageArgs(first, after, last, before)
        )


async def _load_accounts(info: Info, ids: list[int]) -> list[accounts.Account | None]:
    return await info.context.loaders.accounts_by_id.load_many(ids)


async def _load_sites(info: Info, ids: list[int]) -> list[accounts.Site | None]:
    return await info.context.loaders.sites_by_id.load_many(ids)


async def _load_contacts(info: Info, ids: list[int]) -> list[accounts.Contact | None]:
    return await info.context.loaders.contacts_by_id.load_many(ids)


register_node("Account", _load_accounts, Account.from_row)
register_node("Site", _load_sites, Site.from_row)
register_node("Contact", _load_contacts, Contact.from_row)


# --- the list -------------------------------------------------------------------

AccountOrderField = strawberry.enum(
    accounts.AccountOrderField, description="What to sort accounts by."
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="Narrow the accounts list; all given conditions must hold.")
class AccountFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name or number, any case."
    )
    is_active: bool | None = strawberry.field(default=None, description="Active or inactive.")
    manager_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts looked after by one of these users."
    )
    without_manager: bool | None = strawberry.field(
        default=None, description="True: accounts with no manager; false: with one."
    )
    parent_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Sub-accounts of these accounts."
    )
    top_level_only: bool | None = strawberry.field(
        default=None, description="Only accounts that have no parent."
    )


@strawberry.input(description="How to sort the accounts list.")
class AccountOrder:
    field: AccountOrderField = strawberry.field(description="The sort key.")  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.type
class AccountQueries:
    @strawberry.field(
        description="Accounts the viewer may see (staff: all or their own; a portal "
        "contact: its own), filtered and sorted.",
        permission_classes=[IsAuthenticated],
    )
    async def accounts(
        self,
        info: Info,
        filter: Annotated[
            AccountFilter | None,
            strawberry.argument(description="Conditions the accounts must all meet."),
        ] = None,
        order_by: Annotated[
            AccountOrder | None,
            strawberry.argument(description="Sort key and direction; by name when left out."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Account]:
        spec = filter or AccountFilter()
        query = accounts.filter_accounts(
            accounts.visible_accounts(info.context.viewer),
            accounts.AccountFilter(
                search=spec.search,
                is_active=spec.is_active,
                manager_ids=keys_for(spec.manager_ids, "User"),
                without_manager=spec.without_manager,
                parent_ids=keys_for(spec.parent_ids, "Account"),
                top_level_only=spec.top_level_only,
            ),
        )
        order = order_by or AccountOrder(field=accounts.AccountOrderField.NAME)
        query = accounts.order_accounts(
            query, accounts.AccountOrderField(order.field), order.direction is OrderDirection.DESC
        )
        return await paginate(query, PageArgs(first, after, last, before), Account.from_row)


# --- mutations ------------------------------------------------------------------


@strawberry.input(description="A new customer account.")
class CreateAccountInput:
    name: str = strawberry.field(description="Unique name.")
    number: str | None = strawberry.field(
        default=None, description="Unique number; generated (A-00042) when left out."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Make it a sub-account of this account."
    )
    default_sla_hours: int | None = strawberry.field(
        default=None, description="Hours to the SLA due of new jobs."
    )
    credit_limit: Decimal | None = strawberry.field(default=None, description="Credit limit.")


@strawberry.input(description="Changes to an account; fields left out stay as they are.")
class UpdateAccountInput:
    id: strawberry.ID = strawberry.field(description="The account to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    number: str | None = strawberry.field(default=strawberry.UNSET, description="New number.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New parent; null makes it a top-level account."
    )
    default_sla_hours: int | None = strawberry.field(
        default=strawberry.UNSET, description="New default SLA hours; null clears it."
    )
    credit_limit: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="New credit limit; null clears it."
    )


@strawberry.input(description="Activate or deactivate an account.")
class SetAccountActiveInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    active: bool = strawberry.field(
        description="False also deactivates every sub-account below it."
    )


@strawberry.input(description="Give an account to an account manager, or take it away.")
class SetAccountManagerInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    manager_id: strawberry.ID | None = strawberry.field(
        description="A user holding ACCOUNT_MANAGER; null leaves the account without one."
    )


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
    previous_manager: UserType | None = strawberry.field(
        description="Who looked after the account before, if anyone."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A new service location.")
class CreateSiteInput:
    account_id: strawberry.ID = strawberry.field(description="The account it belongs to.")
    name: str = strawberry.field(description="What the customer calls it.")
    street: str | None = strawberry.field(default=None, description="Street and number.")
    city: str | None = strawberry.field(default=None, description="City.")
    region: str | None = strawberry.field(default=None, description="State or region.")
    postal_code: str | None = strawberry.field(default=None, description="Postal code.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")


@strawberry.input(description="Changes to a site; fields left out stay as they are.")
class UpdateSiteInput:
    id: strawberry.ID = strawberry.field(description="The site to change.")
    name: str | None = strawberry.field(default=None, description="New name.")
    street: str | None = strawberry.field(default=None, description="Street and number.")
    city: str | None = strawberry.field(default=None, description="City.")
    region: str | None = strawberry.field(default=None, description="State or region.")
    postal_code: str | None = strawberry.field(default=None, description="Postal code.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")
    is_active: bool | None = strawberry.field(default=None, description="Active or not.")


@strawberry.type(description="Result of createSite.")
class CreateSitePayload:
    site: Site | None = strawberry.field(description="The new site.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateSite.")
class UpdateSitePayload:
    site: Site | None = strawberry.field(description="The changed site.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A new contact person.")
class CreateContactInput:
    account_id: strawberry.ID = strawberry.field(description="The account it belongs to.")
    name: str = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    title: str | None = strawberry.field(default=None, description="Job title.")
    portal_access: bool = strawberry.field(
        default=False, description="Let the contact sign in to the portal (needs e-mail, password)."
    )
    password: str | None = strawberry.field(default=None, description="Portal password.")


@strawberry.input(description="Changes to a contact; fields left out stay as they are.")
class UpdateContactInput:
    id: strawberry.ID = strawberry.field(description="The contact to change.")
    name: str | None = strawberry.field(default=None, description="Full name.")
    email: str | None = strawberry.field(default=None, description="E-mail; empty clears it.")
    phone: str | None = strawberry.field(default=None, description="Phone; empty clears it.")
    title: str | None = strawberry.field(default=None, description="Title; empty clears it.")
    portal_access: bool | None = strawberry.field(
        default=None, description="Turn portal access on or off; off ends their sessions."
    )
    password: str | None = strawberry.field(
        default=None, description="New portal password; ends their other sessions."
    )


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
        from schema.users import User

        viewer = info.context.viewer
        manager_id = None if input.manager_id is None else key_for(input.manager_id, "User")
        change, errors = await run_in_transaction(
            lambda: accounts.set_account_manager(
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
