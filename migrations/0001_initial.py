from tortoise import migrations
from tortoise.migrations import operations as ops
from models.company import default_photo_types
from models.permissions import Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'login_attempts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A failed sign-in, kept to throttle guessing per e-mail.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(max_length=200)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('login', fields.CharField(unique=True, max_length=100)),
                ('employee_id', fields.CharField(null=True, unique=True, max_length=50)),
                ('phone', fields.CharField(null=True, max_length=50)),
                ('mobile', fields.CharField(null=True, max_length=50)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A staff member who signs in with the primary e-mail (or login name).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('number', fields.CharField(unique=True, max_length=50)),
                ('is_active', fields.BooleanField(default=True)),
                ('parent', fields.ForeignKeyField('models.Account', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('manager', fields.ForeignKeyField('models.User', source_field='manager_id', null=True, db_constraint=True, to_field='id', related_name='managed_accounts', on_delete=OnDelete.SET_NULL)),
                ('default_sla_hours', fields.IntField(null=True)),
                ('credit_limit', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
            ],
            options={'table': 'accounts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A customer. Inactive accounts refuse request work (ACCOUNT_INACTIVE).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('phone', fields.CharField(null=True, max_length=50)),
                ('title', fields.CharField(null=True, max_length=100)),
                ('portal_access', fields.BooleanField(default=False)),
                ('portal_email', fields.CharField(null=True, unique=True, max_length=254)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
            ],
            options={'table': 'contacts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person of an account. With portal access they sign in by e-mail.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='AuthToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'auth_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token. Only its HMAC is stored, so a database leak gives no sessions.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Site',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sites', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('street', fields.CharField(default='', max_length=200)),
                ('city', fields.CharField(default='', max_length=100)),
                ('region', fields.CharField(default='', max_length=100)),
                ('postal_code', fields.CharField(default='', max_length=20)),
                ('country', fields.CharField(default='', max_length=2)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'sites', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A service location (address) of an account.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('leader', fields.ForeignKeyField('models.User', source_field='leader_id', null=True, db_constraint=True, to_field='id', related_name='led_teams', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'teams', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A group of staff with a leader (the credit team is one of them).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='CompanySettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('service_requests_enabled', fields.BooleanField(default=True)),
                ('managers_may_create_on_behalf', fields.BooleanField(default=False)),
                ('credit_team', fields.ForeignKeyField('models.Team', source_field='credit_team_id', null=True, db_constraint=True, to_field='id', related_name='+', on_delete=OnDelete.SET_NULL)),
                ('default_sla_hours', fields.IntField(null=True)),
                ('max_photo_bytes', fields.IntField(default=15728640)),
                ('allowed_photo_types', fields.JSONField(default=default_photo_types, encoder=JSON_DUMPS, decoder=loads)),
                ('max_photos_per_request', fields.IntField(default=50)),
            ],
            options={'table': 'company_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The company-wide switches and limits (always the row with id 1).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('models.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'team_members', 'app': 'models', 'unique_together': (('team', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='ADMIN: ADMIN\nDISPATCHER: DISPATCHER\nTECHNICIAN: TECHNICIAN\nACCOUNT_MANAGER: ACCOUNT_MANAGER\nPROJECT_MANAGER: PROJECT_MANAGER\nACCOUNTING: ACCOUNTING', enum_type=Role, max_length=32)),
            ],
            options={'table': 'user_roles', 'app': 'models', 'unique_together': (('user', 'role'),), 'pk_attr': 'id', 'table_description': 'One role held by one user.'},
            bases=['Model'],
        ),
    ]
