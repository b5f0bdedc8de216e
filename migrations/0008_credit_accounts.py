from tortoise import migrations
from tortoise.migrations import operations as ops
from models.credit_accounts import CreditLevel, CreditRequestStatus
from models.notifications import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_linked_items')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditAccountRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='credit_requests', on_delete=OnDelete.RESTRICT)),
                ('requested_limit', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('previous_limit', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('note', fields.TextField(default='', unique=False)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='credit_requests', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=CreditRequestStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nREJECTED: REJECTED', enum_type=CreditRequestStatus, max_length=16)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='credit_decisions', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'credit_account_requests', 'app': 'models', 'indexes': [Index(fields=['account_id', 'status']), Index(fields=['status', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A request for a credit limit on an account, decided once.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='CreditStanding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='credit_standing', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(default=CreditLevel.WITHIN, description='WITHIN: WITHIN\nWARNING: WARNING\nOVER: OVER', enum_type=CreditLevel, max_length=16)),
            ],
            options={'table': 'credit_standings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The last alert level of an account, so each crossing is told once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoicePayment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.CASCADE)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('paid_on', fields.DateField()),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='recorded_payments', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invoice_payments', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One payment received against an invoice.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CompanySettings',
            name='credit_warning_percent',
            field=fields.IntField(default=80, db_default=80),
        ),
        ops.AddField(
            model_name='CompanySettings',
            name='currency',
            field=fields.CharField(default='USD', db_default='USD', max_length=3),
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_ASSIGNED: JOB_ASSIGNED\nITEM_ASSIGNED: ITEM_ASSIGNED\nCREDIT_REQUESTED: CREDIT_REQUESTED\nCREDIT_DECIDED: CREDIT_DECIDED\nCREDIT_LIMIT_WARNING: CREDIT_LIMIT_WARNING\nCREDIT_LIMIT_EXCEEDED: CREDIT_LIMIT_EXCEEDED', enum_type=NotificationKind, max_length=64),
        ),
    ]
