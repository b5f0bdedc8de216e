"""The tables of credit: requests for a limit, alert standings, invoice payments."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from models.base import TimestampedModel
from models.directory.accounts import Account
from models.directory.users import User
from models.linked_items import Invoice


class CreditRequestStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class CreditLevel(str, Enum):
    """Where a balance stands against its limit; alerts fire when it rises."""

    WITHIN = "WITHIN"
    WARNING = "WARNING"
    OVER = "OVER"


class CreditAccountRequest(TimestampedModel):
    """A request for a credit limit on an account, decided once."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="credit_requests", on_delete=fields.RESTRICT
    )
    account_id: int
    requested_limit = fields.DecimalField(max_digits=14, decimal_places=2)
    previous_limit = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    note = fields.TextField(default="")
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="credit_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    status = fields.CharEnumField(
        CreditRequestStatus, max_length=16, default=CreditRequestStatus.PENDING
    )
    # The credit team member the request was delegated to (any member may still decide).
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned_credit_requests", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="credit_decisions", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(null=True)

    class Meta:
        table = "credit_account_requests"
        indexes = (("account_id", "status"), ("status", "created_at"), ("assignee_id", "status"))


class CreditStanding(Model):
    """The last alert level of an account, so each crossing is told once."""

    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="credit_standing", on_delete=fields.CASCADE
    )
    account_id: int
    level = fields.CharEnumField(CreditLevel, max_length=16, default=CreditLevel.WITHIN)

    class Meta:
        table = "credit_standings"


class InvoicePayment(Model):
    """One payment received against an invoice."""

    id = fields.IntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name="payments", on_delete=fields.CASCADE
    )
    invoice_id: int
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    paid_on = fields.DateField()
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_payments", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invoice_payments"
