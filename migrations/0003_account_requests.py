from tortoise import migrations
from tortoise.migrations import operations as ops
from models.account_requests import EventKind, RequestSource, RequestStatus
from models.notifications import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_notifications_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountRequestType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('is_active', fields.BooleanField(default=True)),
                ('portal_available', fields.BooleanField(default=False)),
                ('default_assignee', fields.ForeignKeyField('models.User', source_field='default_assignee_id', null=True, db_constraint=True, to_field='id', related_name='default_for_types', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'account_request_types', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A kind of account request. Inactive types stay on old requests only.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='AccountRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='account_requests', on_delete=OnDelete.RESTRICT)),
                ('type', fields.ForeignKeyField('models.AccountRequestType', source_field='type_id', db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=RequestStatus.OPEN, description='OPEN: OPEN\nIN_PROGRESS: IN_PROGRESS\nWAITING_ON_CUSTOMER: WAITING_ON_CUSTOMER\nCOMPLETED: COMPLETED\nCANCELLED: CANCELLED', enum_type=RequestStatus, max_length=32)),
                ('status_rank', fields.SmallIntField(default=0)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_requests', on_delete=OnDelete.SET_NULL)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='account_requests', on_delete=OnDelete.SET_NULL)),
                ('note', fields.TextField(default='', unique=False)),
                ('source', fields.CharEnumField(description='STAFF: STAFF\nPORTAL: PORTAL\nACCOUNT_MANAGER: ACCOUNT_MANAGER', enum_type=RequestSource, max_length=32)),
                ('created_by_user', fields.ForeignKeyField('models.User', source_field='created_by_user_id', null=True, db_constraint=True, to_field='id', related_name='created_requests', on_delete=OnDelete.SET_NULL)),
                ('created_by_contact', fields.ForeignKeyField('models.Contact', source_field='created_by_contact_id', null=True, db_constraint=True, to_field='id', related_name='created_requests', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'account_requests', 'app': 'models', 'indexes': [Index(fields=['status', 'updated_at']), Index(fields=['assignee_id', 'status']), Index(fields=['account_id', 'created_at']), Index(fields=['updated_at', 'id']), Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': 'A piece of work raised by or for a customer account.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='AccountRequestEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CREATED: CREATED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nNOTE_CHANGED: NOTE_CHANGED\nCONTACT_CHANGED: CONTACT_CHANGED\nTYPE_CHANGED: TYPE_CHANGED\nACCOUNT_CHANGED: ACCOUNT_CHANGED', enum_type=EventKind, max_length=32)),
                ('actor_user', fields.ForeignKeyField('models.User', source_field='actor_user_id', null=True, db_constraint=True, to_field='id', related_name='request_events', on_delete=OnDelete.SET_NULL)),
                ('actor_contact', fields.ForeignKeyField('models.Contact', source_field='actor_contact_id', null=True, db_constraint=True, to_field='id', related_name='request_events', on_delete=OnDelete.SET_NULL)),
                ('before', fields.TextField(null=True, unique=False)),
                ('after', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_events', 'app': 'models', 'indexes': [Index(fields=['request_id', 'id'])], 'pk_attr': 'id', 'table_description': "One entry of a request's timeline: who changed what, from what, to what."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED', enum_type=NotificationKind, max_length=64),
        ),
    ]
