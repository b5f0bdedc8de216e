from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notifications import NotificationKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_notification_kinds')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_ASSIGNED: ACCOUNT_ASSIGNED\nACCOUNT_UNASSIGNED: ACCOUNT_UNASSIGNED\nACCOUNT_REQUEST_ASSIGNED: ACCOUNT_REQUEST_ASSIGNED\nACCOUNT_REQUEST_UNASSIGNED: ACCOUNT_REQUEST_UNASSIGNED\nSERVICE_REQUEST_SUBMITTED: SERVICE_REQUEST_SUBMITTED\nSERVICE_REQUEST_APPROVED: SERVICE_REQUEST_APPROVED\nSERVICE_REQUEST_DECLINED: SERVICE_REQUEST_DECLINED\nJOB_ASSIGNED: JOB_ASSIGNED', enum_type=NotificationKind, max_length=64),
        ),
    ]
