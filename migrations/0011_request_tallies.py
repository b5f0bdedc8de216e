from tortoise import migrations
from tortoise.migrations import operations as ops
from models.account_requests.tables import RequestSource, RequestStatus
from tortoise import fields
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


# The tally's key of a request row: the columns the cheap filters use, with 0 for no
# assignee (a NULL could not be a conflict target).
KEY = "status, type_id, COALESCE(assignee_id, 0), source, internal"
COLUMNS = "status, type_id, assignee_id, source, internal"

FILL = f"""
INSERT INTO account_request_tallies ({COLUMNS}, n)
SELECT {KEY}, COUNT(*) FROM account_requests
GROUP BY status, type_id, COALESCE(assignee_id, 0), source, internal;
"""

# PostgreSQL: one trigger per statement, reading the statement's transition tables, so a
# bulk update writes each changed tally row once, in key order (concurrent writers lock
# the rows they share in the same order). An update that changes no key nets to zero
# and writes nothing. Rows that reach zero are removed. TRUNCATE empties the tally.
POSTGRES = f"""
CREATE FUNCTION account_request_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_request_tallies AS t ({COLUMNS}, n)
        SELECT {KEY}, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({COLUMNS}) DO UPDATE SET n = t.n + EXCLUDED.n;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO account_request_tallies AS t ({COLUMNS}, n)
        SELECT {KEY}, -COUNT(*) FROM old_rows
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({COLUMNS}) DO UPDATE SET n = t.n + EXCLUDED.n;
    ELSE
        INSERT INTO account_request_tallies AS t ({COLUMNS}, n)
        SELECT k1, k2, k3, k4, k5, SUM(d) FROM (
            SELECT {KEY}, -1 FROM old_rows
            UNION ALL
            SELECT {KEY}, 1 FROM new_rows
        ) AS moves (k1, k2, k3, k4, k5, d)
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({COLUMNS}) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    DELETE FROM account_request_tallies
    WHERE n = 0 AND ({COLUMNS}) IN (SELECT {KEY} FROM old_rows);
    RETURN NULL;
END
$$;

CREATE FUNCTION account_request_tallies_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM account_request_tallies;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_request_tallies_insert AFTER INSERT ON account_requests
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION account_request_tallies_apply();

CREATE TRIGGER account_request_tallies_delete AFTER DELETE ON account_requests
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION account_request_tallies_apply();

CREATE TRIGGER account_request_tallies_update AFTER UPDATE ON account_requests
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION account_request_tallies_apply();

CREATE TRIGGER account_request_tallies_truncate AFTER TRUNCATE ON account_requests
FOR EACH STATEMENT EXECUTE FUNCTION account_request_tallies_clear();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS account_request_tallies_insert ON account_requests;
DROP TRIGGER IF EXISTS account_request_tallies_delete ON account_requests;
DROP TRIGGER IF EXISTS account_request_tallies_update ON account_requests;
DROP TRIGGER IF EXISTS account_request_tallies_truncate ON account_requests;
DROP FUNCTION IF EXISTS account_request_tallies_apply();
DROP FUNCTION IF EXISTS account_request_tallies_clear();
"""


def _sqlite_add(row: str) -> str:
    return f"""
    INSERT INTO account_request_tallies ({COLUMNS}, n)
    VALUES ({row}.status, {row}.type_id, COALESCE({row}.assignee_id, 0), {row}.source,
            {row}.internal, 1)
    ON CONFLICT ({COLUMNS}) DO UPDATE SET n = account_request_tallies.n + 1;"""


def _sqlite_remove(row: str) -> str:
    where = (
        f"status = {row}.status AND type_id = {row}.type_id"
        f" AND assignee_id = COALESCE({row}.assignee_id, 0) AND source = {row}.source"
        f" AND internal = {row}.internal"
    )
    return f"""
    UPDATE account_request_tallies SET n = n - 1 WHERE {where};
    DELETE FROM account_request_tallies WHERE n = 0 AND {where};"""


# SQLite: row triggers; an update fires only when a key column changes. One statement
# each: the schema editor would split a script at every semicolon.
SQLITE = [
    f"""CREATE TRIGGER account_request_tallies_insert AFTER INSERT ON account_requests
BEGIN{_sqlite_add("NEW")}
END""",
    f"""CREATE TRIGGER account_request_tallies_delete AFTER DELETE ON account_requests
BEGIN{_sqlite_remove("OLD")}
END""",
    f"""CREATE TRIGGER account_request_tallies_update
AFTER UPDATE OF status, type_id, assignee_id, source, internal ON account_requests
WHEN OLD.status IS NOT NEW.status OR OLD.type_id IS NOT NEW.type_id
    OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.source IS NOT NEW.source
    OR OLD.internal IS NOT NEW.internal
BEGIN{_sqlite_remove("OLD")}{_sqlite_add("NEW")}
END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS account_request_tallies_insert",
    "DROP TRIGGER IF EXISTS account_request_tallies_delete",
    "DROP TRIGGER IF EXISTS account_request_tallies_update",
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
    dependencies = [('models', '0010_calendar_access_preferences')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountRequestTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharEnumField(description='OPEN: OPEN\nIN_PROGRESS: IN_PROGRESS\nWAITING_ON_CUSTOMER: WAITING_ON_CUSTOMER\nCOMPLETED: COMPLETED\nCANCELLED: CANCELLED', enum_type=RequestStatus, max_length=32)),
                ('type_id', fields.IntField()),
                ('assignee_id', fields.IntField()),
                ('source', fields.CharEnumField(description='STAFF: STAFF\nPORTAL: PORTAL\nACCOUNT_MANAGER: ACCOUNT_MANAGER', enum_type=RequestSource, max_length=32)),
                ('internal', fields.BooleanField()),
                ('n', fields.IntField()),
            ],
            options={'table': 'account_request_tallies', 'app': 'models', 'unique_together': (('status', 'type_id', 'assignee_id', 'source', 'internal'),), 'pk_attr': 'id', 'table_description': 'How many account requests share one status, type, assignee, source and internal flag'},
            bases=['Model'],
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
