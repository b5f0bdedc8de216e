from tortoise import migrations
from tortoise.migrations import operations as ops
from models.access.tables import GrantPurpose
from models.account_requests.tables import EventKind
from models.notifications import NotificationKind
from models.service_requests.tables import SlaRule
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_photos')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purpose', fields.CharEnumField(description='INVITATION: INVITATION\nPASSWORD_RESET: PASSWORD_RESET', enum_type=GrantPurpose, max_length=32)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='access_grants', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='access_grants', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_grants', 'app': 'models', 'indexes': [Index(fields=['user_id', 'purpose']), Index(fields=['contact_id', 'purpose'])], 'pk_attr': 'id', 'table_description': "A link sent by mail. Only the token's HMAC is stored, and using it once spends it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notification_preferences', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_ASSIGNED: JOB_ASSIGNED\nITEM_ASSIGNED: ITEM_ASSIGNED\nCREDIT_REQUESTED: CREDIT_REQUESTED\nCREDIT_DECIDED: CREDIT_DECIDED\nCREDIT_LIMIT_WARNING: CREDIT_LIMIT_WARNING\nCREDIT_LIMIT_EXCEEDED: CREDIT_LIMIT_EXCEEDED\nACCOUNT_REQUEST_RAISED: ACCOUNT_REQUEST_RAISED\nCREDIT_REQUEST_ASSIGNED: CREDIT_REQUEST_ASSIGNED', enum_type=NotificationKind, max_length=64)),
                ('in_app', fields.BooleanField(default=True)),
                ('email', fields.BooleanField(default=True)),
            ],
            options={'table': 'notification_preferences', 'app': 'models', 'unique_together': (('user_id', 'kind'),), 'pk_attr': 'id', 'table_description': 'How one staff user wants one kind of notification: in the app, by e-mail, both or neither.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AccountRequest',
            name='for_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='AccountRequest',
            name='internal',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddIndex(
            model_name='AccountRequest',
            index=Index(fields=['account_id', 'for_date']),
        ),
        ops.AlterField(
            model_name='AccountRequestEvent',
            name='kind',
            field=fields.CharEnumField(description='CREATED: CREATED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nNOTE_CHANGED: NOTE_CHANGED\nCONTACT_CHANGED: CONTACT_CHANGED\nTYPE_CHANGED: TYPE_CHANGED\nACCOUNT_CHANGED: ACCOUNT_CHANGED\nITEM_LINKED: ITEM_LINKED\nITEM_UNLINKED: ITEM_UNLINKED\nPHOTO_ADDED: PHOTO_ADDED\nPHOTO_UPDATED: PHOTO_UPDATED\nPHOTO_REMOVED: PHOTO_REMOVED\nFOR_DATE_CHANGED: FOR_DATE_CHANGED\nINTERNAL_CHANGED: INTERNAL_CHANGED', enum_type=EventKind, max_length=32),
        ),
        ops.AddField(
            model_name='CompanySettings',
            name='managers_may_create_requests',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='CompanySettings',
            name='time_zone',
            field=fields.CharField(default='UTC', db_default='UTC', max_length=64),
        ),
        ops.AddField(
            model_name='CreditAccountRequest',
            name='assignee',
            field=fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_credit_requests', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='CreditAccountRequest',
            index=Index(fields=['assignee_id', 'status']),
        ),
        ops.AddField(
            model_name='Job',
            name='requested_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Job',
            name='sla_rule',
            field=fields.CharEnumField(null=True, description='GIVEN: GIVEN\nACCOUNT_DEFAULT: ACCOUNT_DEFAULT\nCOMPANY_DEFAULT: COMPANY_DEFAULT\nNONE: NONE', enum_type=SlaRule, max_length=32),
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_ASSIGNED: JOB_ASSIGNED\nITEM_ASSIGNED: ITEM_ASSIGNED\nCREDIT_REQUESTED: CREDIT_REQUESTED\nCREDIT_DECIDED: CREDIT_DECIDED\nCREDIT_LIMIT_WARNING: CREDIT_LIMIT_WARNING\nCREDIT_LIMIT_EXCEEDED: CREDIT_LIMIT_EXCEEDED\nACCOUNT_REQUEST_RAISED: ACCOUNT_REQUEST_RAISED\nCREDIT_REQUEST_ASSIGNED: CREDIT_REQUEST_ASSIGNED', enum_type=NotificationKind, max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='archived_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
