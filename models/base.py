"""The abstract base every Docket table inherits."""

from tortoise import fields
from tortoise.models import Model


class TimestampedModel(Model):
    """A row with an integer key and creation / last-change times (UTC)."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True
