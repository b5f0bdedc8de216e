"""Trigram indexes for `filter: {search: ...}` on PostgreSQL (issue 23).

A search is `icontains` on a request's note and on its account's name, which
Tortoise writes as `UPPER(CAST(col AS VARCHAR)) LIKE UPPER($1)`: PostgreSQL
reads that as `upper(note)` and `upper(name::text)`, the expressions indexed
here, so the planner answers `%word%` from a GIN trigram index instead of
scanning every request. SQLite has no such index: there this does nothing.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = (
    ("account_requests_note_trgm", "account_requests", "upper(note)"),
    ("accounts_name_trgm", "accounts", "upper(name::text)"),
)


async def _create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    await client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        await client.execute_script(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


async def _drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    for name, _, _ in INDEXES:
        await client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("models", "0011_request_tallies")]

    initial = False

    operations = [ops.RunPython(_create, _drop)]
