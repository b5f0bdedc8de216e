from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notifications import NotificationKind
from models.service_requests import JobPriority, JobStatus, ServiceRequestStatus, ServiceType, Urgency
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_account_requests')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServiceRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='service_requests', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='service_requests', on_delete=OnDelete.RESTRICT)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='service_requests', on_delete=OnDelete.SET_NULL)),
                ('service_type', fields.CharEnumField(description='REPAIR: REPAIR\nMAINTENANCE: MAINTENANCE\nINSTALLATION: INSTALLATION\nINSPECTION: INSPECTION\nEMERGENCY: EMERGENCY\nOTHER: OTHER', enum_type=ServiceType, max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('urgency', fields.CharEnumField(default=Urgency.NORMAL, description='NORMAL: NORMAL\nURGENT: URGENT', enum_type=Urgency, max_length=16)),
                ('preferred_date', fields.DateField(null=True)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('status', fields.CharEnumField(default=ServiceRequestStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nDECLINED: DECLINED', enum_type=ServiceRequestStatus, max_length=16)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='decided_service_requests', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decline_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'service_requests', 'app': 'models', 'indexes': [Index(fields=['status', 'submitted_at']), Index(fields=['account_id', 'submitted_at'])], 'pk_attr': 'id', 'table_description': "A customer's request for service at one of its sites."},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('service_request', fields.OneToOneField('models.ServiceRequest', source_field='service_request_id', db_constraint=True, to_field='id', related_name='job', on_delete=OnDelete.RESTRICT)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.RESTRICT)),
                ('service_type', fields.CharEnumField(description='REPAIR: REPAIR\nMAINTENANCE: MAINTENANCE\nINSTALLATION: INSTALLATION\nINSPECTION: INSPECTION\nEMERGENCY: EMERGENCY\nOTHER: OTHER', enum_type=ServiceType, max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('scheduled_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('scheduled_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('priority', fields.CharEnumField(description='LOW: LOW\nMEDIUM: MEDIUM\nHIGH: HIGH\nEMERGENCY: EMERGENCY', enum_type=JobPriority, max_length=16)),
                ('sla_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('skills', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('parts', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('asset_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=JobStatus.READY_FOR_ASSIGNMENT, description='READY_FOR_ASSIGNMENT: READY_FOR_ASSIGNMENT\nASSIGNED: ASSIGNED\nCANCELLED: CANCELLED', enum_type=JobStatus, max_length=32)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.SET_NULL)),
                ('cancel_reason', fields.TextField(null=True, unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_jobs', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at']), Index(fields=['assignee_id', 'status'])], 'pk_attr': 'id', 'table_description': 'Work to do on site, created only by approving a service request.'},
            bases=['TimestampedModel'],
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED', enum_type=NotificationKind, max_length=64),
        ),
    ]
