"""Settings: one clear line for a bad value, a generated secret, production defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"database_url": "mysql://db/docket"}, "DATABASE_URL"),
        ({"broker_url": "kafka://x"}, "BROKER_URL"),
        ({"storage_url": "s3://"}, "STORAGE_URL"),
        ({"token_lifetime_hours": 0}, "TOKEN_LIFETIME_HOURS"),
        ({"docket_env": "staging"}, "DOCKET_ENV"),
    ],
)
def test_invalid_setting_names_itself(overrides: dict[str, object], name: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(**overrides)
    message = str(error.value)
    assert message.startswith(f"docket: invalid setting {name}:")
    assert "\n" not in message


def test_cli_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    # given
    env = {**os.environ, "DATABASE_URL": "mysql://nope", "VAR_DIR": str(tmp_path)}
    # when
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    # then
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "docket: invalid setting DATABASE_URL: Value error, must start with one of "
        "asyncpg://, postgres://, postgresql://, sqlite://"
    ]


def test_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    # given no SECRET_KEY
    settings = load_settings(var_dir=tmp_path, secret_key=None)
    # when
    first = settings.secret()
    second = load_settings(var_dir=tmp_path, secret_key=None).secret()
    # then
    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_turns_graphiql_and_introspection_off() -> None:
    production = load_settings(docket_env="production")
    development = load_settings(docket_env="development")
    assert (production.graphiql, production.introspection) == (False, False)
    assert (development.graphiql, development.introspection) == (True, True)
