from tortoise import migrations
from tortoise.migrations import operations as ops
from models.service_requests.tables import ServiceRequestStatus, ServiceType, Urgency
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


# The tally's key of a service request row (see models/service_requests/tallies.py), kept
# as account_request_tallies is (migration 0011).
KEY = "status, urgency, service_type"

FILL = f"""
INSERT INTO service_request_tallies ({KEY}, n)
SELECT {KEY}, COUNT(*) FROM service_requests GROUP BY {KEY};
"""

# PostgreSQL: one trigger per statement, reading the statement's transition tables, so a
# bulk update writes each changed tally row once, in key order (concurrent writers lock
# the rows they share in the same order). An update that changes no key nets to zero
# and writes nothing. Rows that reach zero are removed. TRUNCATE empties the tally.
POSTGRES = f"""
CREATE FUNCTION service_request_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO service_request_tallies AS t ({KEY}, n)
        SELECT {KEY}, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO service_request_tallies AS t ({KEY}, n)
        SELECT {KEY}, -COUNT(*) FROM old_rows
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;
    ELSE
        INSERT INTO service_request_tallies AS t ({KEY}, n)
        SELECT k1, k2, k3, SUM(d) FROM (
            SELECT {KEY}, -1 FROM old_rows
            UNION ALL
            SELECT {KEY}, 1 FROM new_rows
        ) AS moves (k1, k2, k3, d)
        GROUP BY 1, 2, 3 HAVING SUM(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    DELETE FROM service_request_tallies
    WHERE n = 0 AND ({KEY}) IN (SELECT {KEY} FROM old_rows);
    RETURN NULL;
END
$$;

CREATE FUNCTION service_request_tallies_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM service_request_tallies;
    RETURN NULL;
END
$$;

CREATE TRIGGER service_request_tallies_insert AFTER INSERT ON service_requests
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION service_request_tallies_apply();

CREATE TRIGGER service_request_tallies_delete AFTER DELETE ON service_requests
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION service_request_tallies_apply();

CREATE TRIGGER service_request_tallies_update AFTER UPDATE ON service_requests
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION service_request_tallies_apply();

CREATE TRIGGER service_request_tallies_truncate AFTER TRUNCATE ON service_requests
FOR EACH STATEMENT EXECUTE FUNCTION service_request_tallies_clear();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS service_request_tallies_insert ON service_requests;
DROP TRIGGER IF EXISTS service_request_tallies_delete ON service_requests;
DROP TRIGGER IF EXISTS service_request_tallies_update ON service_requests;
DROP TRIGGER IF EXISTS service_request_tallies_truncate ON service_requests;
DROP FUNCTION IF EXISTS service_request_tallies_apply();
DROP FUNCTION IF EXISTS service_request_tallies_clear();
"""


def _sqlite_add(row: str) -> str:
    return f"""
    INSERT INTO service_request_tallies ({KEY}, n)
    VALUES ({row}.status, {row}.urgency, {row}.service_type, 1)
    ON CONFLICT ({KEY}) DO UPDATE SET n = service_request_tallies.n + 1;"""


def _sqlite_remove(row: str) -> str:
    where = (
        f"status = {row}.status AND urgency = {row}.urgency"
        f" AND service_type = {row}.service_type"
    )
    return f"""
    UPDATE service_request_tallies SET n = n - 1 WHERE {where};
    DELETE FROM service_request_tallies WHERE n = 0 AND {where};"""


# SQLite: row triggers; an update fires only when a key column changes. One statement
# each: the schema editor would split a script at every semicolon.
SQLITE = [
    f"""CREATE TRIGGER service_request_tallies_insert AFTER INSERT ON service_requests
BEGIN{_sqlite_add("NEW")}
END""",
    f"""CREATE TRIGGER service_request_tallies_delete AFTER DELETE ON service_requests
BEGIN{_sqlite_remove("OLD")}
END""",
    f"""CREATE TRIGGER service_request_tallies_update
AFTER UPDATE OF status, urgency, service_type ON service_requests
WHEN OLD.status IS NOT NEW.status OR OLD.urgency IS NOT NEW.urgency
    OR OLD.service_type IS NOT NEW.service_type
BEGIN{_sqlite_remove("OLD")}{_sqlite_add("NEW")}
END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS service_request_tallies_insert",
    "DROP TRIGGER IF EXISTS service_request_tallies_delete",
    "DROP TRIGGER IF EXISTS service_request_tallies_update",
]


async def _run(schema_editor: BaseSchemaEditor, statements: list[str]) -> None:
    for statement in statements:
        if schema_editor.DIALECT == "sqlite" and not schema_editor.collect_sql:
            await schema_editor.client.execute_query(statement)
        else:
            await schema_editor._run_sql(statement)


async def create_triggers(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """The triggers that keep the tally, then the tally of the rows already there (in the
    migration's transaction on PostgreSQL: CREATE TRIGGER holds off writers until then)."""
    postgres = schema_editor.DIALECT == "postgres"
    await _run(schema_editor, [POSTGRES] if postgres else SQLITE)
    await _run(schema_editor, [FILL])


async def drop_triggers(apps: object, schema_editor: BaseSchemaEditor) -> None:
    postgres = schema_editor.DIALECT == "postgres"
    await _run(schema_editor, [POSTGRES_DOWN] if postgres else SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [('models', '0016_webhook_ping')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServiceRequestTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nAPPROVED: APPROVED\nDECLINED: DECLINED', enum_type=ServiceRequestStatus, max_length=16)),
                ('urgency', fields.CharEnumField(description='NORMAL: NORMAL\nURGENT: URGENT', enum_type=Urgency, max_length=16)),
                ('service_type', fields.CharEnumField(description='REPAIR: REPAIR\nMAINTENANCE: MAINTENANCE\nINSTALLATION: INSTALLATION\nINSPECTION: INSPECTION\nEMERGENCY: EMERGENCY\nOTHER: OTHER', enum_type=ServiceType, max_length=32)),
                ('n', fields.IntField()),
            ],
            options={'table': 'service_request_tallies', 'app': 'models', 'unique_together': (('status', 'urgency', 'service_type'),), 'pk_attr': 'id', 'table_description': 'How many service requests share one status, urgency and service type.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='ServiceRequest',
            index=Index(fields=['submitted_at', 'id']),
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
