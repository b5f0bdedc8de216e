from tortoise import migrations
from tortoise.migrations import operations as ops
from models.account_requests import EventKind
from models.photos import PhotoStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_credit_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=PhotoStatus.PENDING, description='PENDING: PENDING\nREADY: READY', enum_type=PhotoStatus, max_length=16)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('thumbnail_key', fields.CharField(null=True, max_length=220)),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=64)),
                ('byte_size', fields.BigIntField()),
                ('width', fields.IntField(null=True)),
                ('height', fields.IntField(null=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('display_in_portal', fields.BooleanField(default=False)),
                ('uploaded_by_user', fields.ForeignKeyField('models.User', source_field='uploaded_by_user_id', null=True, db_constraint=True, to_field='id', related_name='uploaded_photos', on_delete=OnDelete.SET_NULL)),
                ('uploaded_by_contact', fields.ForeignKeyField('models.Contact', source_field='uploaded_by_contact_id', null=True, db_constraint=True, to_field='id', related_name='uploaded_photos', on_delete=OnDelete.SET_NULL)),
                ('upload_expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'photos', 'app': 'models', 'indexes': [Index(fields=['request_id', 'status', 'id']), Index(fields=['status', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An image on an account request, stored in object storage under a generated key.'},
            bases=['TimestampedModel'],
        ),
        ops.AlterField(
            model_name='AccountRequestEvent',
            name='kind',
            field=fields.CharEnumField(description='CREATED: CREATED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nNOTE_CHANGED: NOTE_CHANGED\nCONTACT_CHANGED: CONTACT_CHANGED\nTYPE_CHANGED: TYPE_CHANGED\nACCOUNT_CHANGED: ACCOUNT_CHANGED\nITEM_LINKED: ITEM_LINKED\nITEM_UNLINKED: ITEM_UNLINKED\nPHOTO_ADDED: PHOTO_ADDED\nPHOTO_UPDATED: PHOTO_UPDATED\nPHOTO_REMOVED: PHOTO_REMOVED', enum_type=EventKind, max_length=32),
        ),
        ops.AddField(
            model_name='AccountRequestEvent',
            name='visible_in_portal',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
