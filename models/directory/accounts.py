"""The tables of customers: accounts, their sites (service locations) and contacts."""

from __future__ import annotations

from tortoise import fields

from models.base import TimestampedModel
from models.directory.users import User


class Account(TimestampedModel):
    """A customer. Inactive accounts refuse request work (ACCOUNT_INACTIVE)."""

    name = fields.CharField(max_length=200, unique=True)
    number = fields.CharField(max_length=50, unique=True)
    is_active = fields.BooleanField(default=True)
    parent: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    manager: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="managed_accounts", null=True, on_delete=fields.SET_NULL
    )
    manager_id: int | None
    default_sla_hours = fields.IntField(null=True)
    credit_limit = fields.DecimalField(max_digits=14, decimal_places=2, null=True)

    children: fields.ReverseRelation[Account]
    sites: fields.ReverseRelation[Site]
    contacts: fields.ReverseRelation[Contact]

    class Meta:
        table = "accounts"
        ordering = ["name", "id"]


class Site(TimestampedModel):
    """A service location (address) of an account."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sites", on_delete=fields.CASCADE
    )
    account_id: int
    name = fields.CharField(max_length=200)
    street = fields.CharField(max_length=200, default="")
    city = fields.CharField(max_length=100, default="")
    region = fields.CharField(max_length=100, default="")
    postal_code = fields.CharField(max_length=20, default="")
    country = fields.CharField(max_length=2, default="")
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "sites"
        ordering = ["name", "id"]


class Contact(TimestampedModel):
    """A person of an account. With portal access they sign in by e-mail."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="contacts", on_delete=fields.CASCADE
    )
    account_id: int
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    title = fields.CharField(max_length=100, null=True)
    portal_access = fields.BooleanField(default=False)
    # Set only while portal access is on: one portal login per address, enforced
    # by the database so two concurrent grants cannot both win.
    portal_email = fields.CharField(max_length=254, null=True, unique=True)
    password_hash = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "contacts"
        ordering = ["name", "id"]
