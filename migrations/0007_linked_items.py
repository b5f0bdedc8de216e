from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from models.account_requests import EventKind
from models.linked_items import AppointmentStatus, InvoiceStatus, TaskStatus
from models.notifications import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_job_assigned_kind')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Appointment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='appointments', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='appointments', on_delete=OnDelete.SET_NULL)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='appointments', on_delete=OnDelete.SET_NULL)),
                ('notes', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=AppointmentStatus.PENDING, description='PENDING: PENDING\nCOMPLETED: COMPLETED\nCANCELLED: CANCELLED', enum_type=AppointmentStatus, max_length=16)),
            ],
            options={'table': 'appointments', 'app': 'models', 'indexes': [Index(fields=['account_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A visit booked with an account, at one of its sites.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='CreditMemo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='credit_memos', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(unique=True, max_length=50)),
                ('issued_on', fields.DateField()),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('reason', fields.TextField(unique=False)),
            ],
            options={'table': 'credit_memos', 'app': 'models', 'indexes': [Index(fields=['account_id', 'issued_on'])], 'pk_attr': 'id', 'table_description': 'A credit given to an account.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(unique=True, max_length=50)),
                ('issued_on', fields.DateField()),
                ('due_on', fields.DateField()),
                ('total', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('amount_paid', fields.DecimalField(default=Decimal('0.00'), max_digits=14, decimal_places=2)),
                ('status', fields.CharEnumField(default=InvoiceStatus.OPEN, description='OPEN: OPEN\nPAID: PAID\nVOID: VOID', enum_type=InvoiceStatus, max_length=16)),
            ],
            options={'table': 'invoices', 'app': 'models', 'indexes': [Index(fields=['account_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An invoice of an account. Money is exact (two decimals).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='RequestAppointment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='appointment_links', on_delete=OnDelete.CASCADE)),
                ('appointment', fields.ForeignKeyField('models.Appointment', source_field='appointment_id', db_constraint=True, to_field='id', related_name='request_links', on_delete=OnDelete.CASCADE)),
                ('linked_by', fields.ForeignKeyField('models.User', source_field='linked_by_id', null=True, db_constraint=True, to_field='id', related_name='appointment_links', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_appointments', 'app': 'models', 'unique_together': (('request', 'appointment'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RequestCreditMemo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='credit_memo_links', on_delete=OnDelete.CASCADE)),
                ('credit_memo', fields.ForeignKeyField('models.CreditMemo', source_field='credit_memo_id', db_constraint=True, to_field='id', related_name='request_links', on_delete=OnDelete.CASCADE)),
                ('linked_by', fields.ForeignKeyField('models.User', source_field='linked_by_id', null=True, db_constraint=True, to_field='id', related_name='credit_memo_links', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_credit_memos', 'app': 'models', 'unique_together': (('request', 'credit_memo'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RequestInvoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='invoice_links', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='request_links', on_delete=OnDelete.CASCADE)),
                ('linked_by', fields.ForeignKeyField('models.User', source_field='linked_by_id', null=True, db_constraint=True, to_field='id', related_name='invoice_links', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_invoices', 'app': 'models', 'unique_together': (('request', 'invoice'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.SET_NULL)),
                ('service_date', fields.DateField()),
                ('description', fields.TextField(unique=False)),
                ('performed_by', fields.ForeignKeyField('models.User', source_field='performed_by_id', null=True, db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'service_records', 'app': 'models', 'indexes': [Index(fields=['account_id', 'service_date'])], 'pk_attr': 'id', 'table_description': 'Work that was done for an account, on a date, at a site.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='RequestServiceRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='service_record_links', on_delete=OnDelete.CASCADE)),
                ('service_record', fields.ForeignKeyField('models.ServiceRecord', source_field='service_record_id', db_constraint=True, to_field='id', related_name='request_links', on_delete=OnDelete.CASCADE)),
                ('linked_by', fields.ForeignKeyField('models.User', source_field='linked_by_id', null=True, db_constraint=True, to_field='id', related_name='service_record_links', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_service_records', 'app': 'models', 'unique_together': (('request', 'service_record'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Task',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.SET_NULL)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=TaskStatus.OPEN, description='OPEN: OPEN\nDONE: DONE', enum_type=TaskStatus, max_length=16)),
            ],
            options={'table': 'tasks', 'app': 'models', 'indexes': [Index(fields=['account_id', 'status'])], 'pk_attr': 'id', 'table_description': 'Something to do for an account.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='RequestTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.AccountRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='task_links', on_delete=OnDelete.CASCADE)),
                ('task', fields.ForeignKeyField('models.Task', source_field='task_id', db_constraint=True, to_field='id', related_name='request_links', on_delete=OnDelete.CASCADE)),
                ('linked_by', fields.ForeignKeyField('models.User', source_field='linked_by_id', null=True, db_constraint=True, to_field='id', related_name='task_links', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_request_tasks', 'app': 'models', 'unique_together': (('request', 'task'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AccountRequestEvent',
            name='kind',
            field=fields.CharEnumField(description='CREATED: CREATED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nNOTE_CHANGED: NOTE_CHANGED\nCONTACT_CHANGED: CONTACT_CHANGED\nTYPE_CHANGED: TYPE_CHANGED\nACCOUNT_CHANGED: ACCOUNT_CHANGED\nITEM_LINKED: ITEM_LINKED\nITEM_UNLINKED: ITEM_UNLINKED', enum_type=EventKind, max_length=32),
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_ASSIGNED: JOB_ASSIGNED\nITEM_ASSIGNED: ITEM_ASSIGNED', enum_type=NotificationKind, max_length=64),
        ),
    ]
