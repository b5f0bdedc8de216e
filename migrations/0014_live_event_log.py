"""The live event log (issue 24): published events kept for subscriptions that resume."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LiveEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=200)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_events', 'app': 'models', 'indexes': [Index(fields=['channel', 'id'])], 'pk_attr': 'id', 'table_description': 'One published event, in commit order (`id`), for a retention window.'},
            bases=['Model'],
        ),
    ]
