from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_live_event_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.CharField(description='user:<id> or contact:<id>', max_length=32)),
                ('key', fields.CharField(max_length=255)),
                ('fingerprint', fields.CharField(description='sha256 of the request', max_length=64)),
                ('status_code', fields.SmallIntField(default=200)),
                ('response', fields.TextField(default='', description="The answer's body, as it was sent", unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_keys', 'app': 'models', 'unique_together': (('owner', 'key'),), 'pk_attr': 'id', 'table_description': 'The answer to the first request sent with one key by one signed-in person.'},
            bases=['Model'],
        ),
    ]
