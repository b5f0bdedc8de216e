"""The committed migrations: they upgrade a database with rows and hold every model change."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.autodetector import MigrationAutodetector

from api.db import tortoise_config

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def test_no_table_description_holds_a_semicolon() -> None:
    """Model docstrings become SQL table comments: a semicolon there breaks SQLite migrations."""
    bad = [
        name
        for app in Tortoise.apps.values()
        for name, model in app.items()
        if ";" in (model._meta.table_description or "")
    ]
    assert bad == []


async def test_migrations_upgrade_a_database_that_holds_data(tmp_path: Path) -> None:
    """Each migration runs on a database with rows, as a real upgrade does.

    The suite's own database is migrated empty, which hides a NOT NULL column
    added without a database default.
    """
    # given a database at every migration but the last, with a row in each table
    names = sorted(p.stem for p in MIGRATIONS.glob("0*.py"))
    url = f"sqlite://{tmp_path}/upgrade.sqlite3"
    # Each run gets its own context: Tortoise.init inside a context would replace
    # the open connection without closing it, and aiosqlite's worker thread would
    # then keep the test process alive.
    async with TortoiseContext() as context:
        await run_migrations(config=tortoise_config(url), target=f"models.{names[-2]}")
        await context.connections.get("default").execute_script(
            "INSERT INTO company_settings (id, created_at, updated_at, service_requests_enabled,"
            " managers_may_create_on_behalf, max_photo_bytes, allowed_photo_types,"
            " max_photos_per_request) VALUES (1, '2026-01-01', '2026-01-01', 1, 0, 1024,"
            " '[]', 5)"
        )
        await context.close_connections()
    # when the last migration runs
    async with TortoiseContext() as context:
        await run_migrations(config=tortoise_config(url))
        # then the row got the new columns' defaults
        conn = context.connections.get("default")
        _, rows = await conn.execute_query("SELECT currency FROM company_settings")
        await context.close_connections()
    assert [dict(row)["currency"] for row in rows] == ["USD"]


async def test_the_committed_migrations_hold_every_model_change() -> None:
    """`tortoise makemigrations` on this tree would write nothing: no model change is
    left without its migration."""
    # given the models as the code declares them and the migrations as committed
    apps = tortoise_config("sqlite://:memory:")["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps)
    # when the differences are detected
    changes = await detector.changes()
    # then there are none
    assert [
        (writer.name, [type(op).__name__ for op in writer.operations]) for writer in changes
    ] == []
