"""Accounts, sites and contacts: the types, and the items and requests an account shows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.context import Info
from fastpath import related
from models import accounts
from models.linked_items import KINDS, AppointmentStatus, InvoiceStatus, ItemKind, TaskStatus
from schema import item_enums  # noqa: F401  (registers the enums first)
from schema.nodes import NodeConverter, register_node, rows_of_loader
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import encode_id
from schema.relay.offset_paging import list_slice, paginate_list, paginate_slice
from schema.users import User

if TYPE_CHECKING:
    from schema.account_requests.types import AccountRequest
    from schema.credit_accounts import CreditAccountRequest
    from schema.linked_items.types import Appointment, CreditMemo, Invoice, ServiceRecord, Task

# The domains above accounts: their types are named lazily, their rows converted
# through the node registry (schema.nodes), so nothing here imports them.
AccountRequestType = Annotated["AccountRequest", strawberry.lazy("schema.account_requests.types")]
TaskType = Annotated["Task", strawberry.lazy("schema.linked_items.types")]
AppointmentType = Annotated["Appointment", strawberry.lazy("schema.linked_items.types")]
ServiceRecordType = Annotated["ServiceRecord", strawberry.lazy("schema.linked_items.types")]
InvoiceType = Annotated["Invoice", strawberry.lazy("schema.linked_items.types")]
CreditMemoType = Annotated["CreditMemo", strawberry.lazy("schema.linked_items.types")]
CreditRequestType = Annotated["CreditAccountRequest", strawberry.lazy("schema.credit_accounts")]

_account_request: NodeConverter[AccountRequest] = NodeConverter("AccountRequest")
_credit_request: NodeConverter[CreditAccountRequest] = NodeConverter("CreditAccountRequest")
_items: dict[ItemKind, NodeConverter[Any]] = {
    kind: NodeConverter(spec.type_name) for kind, spec in KINDS.items()
}


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
    account: Account | None = related(
        "account_id", "accounts_by_id", description="The account this site belongs to."
    )

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
    account: Account | None = related(
        "account_id", "accounts_by_id", description="The account this contact belongs to."
    )

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
    parent: Account | None = related(
        "parent_id", "accounts_by_id", description="The parent account, for a sub-account."
    )
    manager: User | None = related(
        "manager_id", "users_by_id", description="The account manager looking after this account."
    )

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
        args = PageArgs(first, after, last, before)
        loaders = info.context.loaders
        window = list_slice(args)
        if window is None:  # `last`: the page depends on the total, read them all
            rows = await loaders.account_requests_by_account_id.load(self.pk)
            return paginate_list([_account_request(row) for row in rows], args)
        rows = await loaders.account_request_slices.load((self.pk, *window))

        async def count() -> int:
            return await loaders.account_request_counts_by_account_id.load(self.pk)

        return paginate_slice([_account_request(row) for row in rows], args, count)

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
        rows = await info.context.loaders.credit_requests_by_account_id.load(self.pk)
        return [_credit_request(row) for row in rows]

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
        return await _account_items(
            info, self.pk, ItemKind.TASK, status, PageArgs(first, after, last, before)
        )

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
        return await _account_items(
            info, self.pk, ItemKind.APPOINTMENT, status, PageArgs(first, after, last, before)
        )

    @strawberry.field(description="Service records of this account, newest first.")
    async def service_records(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ServiceRecordType]:
        return await _account_items(
            info, self.pk, ItemKind.SERVICE_RECORD, None, PageArgs(first, after, last, before)
        )

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
        return await _account_items(
            info, self.pk, ItemKind.INVOICE, status, PageArgs(first, after, last, before)
        )

    @strawberry.field(description="Credit memos of this account, newest first.")
    async def credit_memos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[CreditMemoType]:
        return await _account_items(
            info, self.pk, ItemKind.CREDIT_MEMO, None, PageArgs(first, after, last, before)
        )

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


async def _account_items(
    info: Info, account_id: int, kind: ItemKind, status: object, args: PageArgs
) -> Connection[Any]:
    """One account's items of one kind (Account.tasks, .invoices ...), newest first."""
    rows = await info.context.loaders.items_by_account_id[kind].load(account_id)
    if status is not None:
        rows = [row for row in rows if getattr(row, "status", None) == status]
    return paginate_list([_items[kind](row) for row in rows], args)


async def _load_accounts(info: Info, ids: list[int]) -> list[accounts.Account | None]:
    return await info.context.loaders.accounts_by_id.load_many(ids)


async def _load_sites(info: Info, ids: list[int]) -> list[accounts.Site | None]:
    return await info.context.loaders.sites_by_id.load_many(ids)


async def _load_contacts(info: Info, ids: list[int]) -> list[accounts.Contact | None]:
    return await info.context.loaders.contacts_by_id.load_many(ids)


register_node("Account", _load_accounts, Account.from_row, rows=rows_of_loader("accounts_by_id"))
register_node("Site", _load_sites, Site.from_row, rows=rows_of_loader("sites_by_id"))
register_node("Contact", _load_contacts, Contact.from_row, rows=rows_of_loader("contacts_by_id"))
