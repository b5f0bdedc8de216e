"""What the account mutations take: accounts, managers, sites and contacts."""

from __future__ import annotations

from decimal import Decimal

import strawberry


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
