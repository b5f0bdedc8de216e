"""Tortoise configuration and the migration runner, from `DATABASE_URL`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from models import MODEL_MODULES

log = logging.getLogger("docket.db")


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config for one database; the migrations live in `migrations/`."""
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    elif database_url.startswith("postgresql://"):
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    connection: str | dict[str, Any] = database_url
    if database_url.startswith("postgres://"):
        connection = expand_db_url(database_url)
        connection["engine"] = "fastpath.pg_pool"  # Tortoise's asyncpg client, a leaner pool
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def describe(database_url: str) -> str:
    """The URL without credentials, for logs and `docket check`."""
    parts = urlsplit(database_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


async def open_database(database_url: str) -> None:
    # The global fallback lets request tasks use the connections opened by the
    # lifespan task (uvicorn runs them in different tasks).
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    """Apply every committed migration that the database has not seen yet."""
    await run_migrations(config=tortoise_config(database_url))
    await Tortoise.close_connections()


def _settings_config() -> dict[str, Any]:
    from api.settings import load_settings_or_exit

    return tortoise_config(load_settings_or_exit().database_url)


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads api.db.TORTOISE_ORM (pyproject [tool.tortoise]);
    # built on access so importing this module never reads the environment.
    if name == "TORTOISE_ORM":
        return _settings_config()
    raise AttributeError(name)
