from tortoise import migrations
from tortoise.migrations import operations as ops
from models.webhooks.tables import WebhookEventType
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_idempotency_keys')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='WebhookDelivery',
            name='event_type',
            field=fields.CharEnumField(description='ACCOUNT_REQUEST_CREATED: ACCOUNT_REQUEST_CREATED\nACCOUNT_REQUEST_UPDATED: ACCOUNT_REQUEST_UPDATED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_CREATED: JOB_CREATED\nJOB_CANCELLED: JOB_CANCELLED\nCREDIT_REQUEST_DECIDED: CREDIT_REQUEST_DECIDED\nCREDIT_LIMIT_CROSSED: CREDIT_LIMIT_CROSSED\nPHOTO_ADDED: PHOTO_ADDED\nPING: PING', enum_type=WebhookEventType, max_length=40),
        ),
    ]
