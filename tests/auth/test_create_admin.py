"""`docket create-admin`: the first admin, run as an operator would (a subprocess)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings
from models import users
from models.admin import create_admin
from models.permissions import Role
from tests.auth.operations import login
from tests.client import GraphQLClient

DOCKET = str(Path(sys.executable).with_name("docket"))
STRONG = "first admin secret 99"


@dataclass
class Run:
    code: int
    out: str
    err: str


async def docket(*args: str, database_url: str, var_dir: Path) -> Run:
    """Run the console script in a clean directory (no .env) against one database."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "cli-test-secret",
        "VAR_DIR": str(var_dir),
        "DOCKET_ENV": "development",
    }
    process = await asyncio.create_subprocess_exec(
        DOCKET,
        *args,
        cwd=var_dir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


def admin_args(email: str, password: str) -> list[str]:
    return ["create-admin", "--email", email, "--password", password, "--name", "Ada Admin"]


async def test_create_admin_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    # given
    database = tmp_path / "x.sqlite3"
    url = f"sqlite://{database}"
    migrated = await docket("migrate", database_url=url, var_dir=tmp_path)
    assert migrated.code == 0, migrated.err

    # when
    weak = await docket(*admin_args("ada@example.com", "short"), database_url=url, var_dir=tmp_path)
    created = await docket(
        *admin_args("Ada@Example.com", STRONG), database_url=url, var_dir=tmp_path
    )
    again = await docket(
        *admin_args("ada@example.com", "another password 1"), database_url=url, var_dir=tmp_path
    )

    # then
    assert weak.code != 0
    assert "weak password" in weak.err
    assert "at least 10 characters" in weak.err
    assert created.code == 0, created.err
    assert "created admin ada@example.com" in created.out
    assert again.code == 0, again.err
    assert "already an admin" in again.out
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT u.email, u.login, u.is_active, r.role, u.password_hash "
            "FROM users u JOIN user_roles r ON r.user_id = u.id"
        ).fetchall()
    assert len(rows) == 1
    email, login_name, active, role, password_hash = rows[0]
    assert (email, login_name, bool(active), role) == (
        "ada@example.com",
        "ada@example.com",
        True,
        "ADMIN",
    )
    assert password_hash.startswith("$argon2")


async def test_create_admin_then_sign_in(
    gql: GraphQLClient, settings: Settings, tmp_path: Path
) -> None:
    # given: the CLI writes to the database the test server uses
    url = settings.database_url

    # when
    run = await docket(*admin_args("boss@example.com", STRONG), database_url=url, var_dir=tmp_path)

    # then
    assert run.code == 0, run.err
    payload = await login(gql, "boss@example.com", STRONG)
    assert payload["userErrors"] == []
    assert payload["viewer"]["roles"] == ["ADMIN"]


async def test_create_admin_refuses_a_non_admin_with_that_email() -> None:
    # given
    from tests.factories import make_user

    await make_user(Role.TECHNICIAN, email="tech@example.com")

    # when
    outcome = await create_admin(email="tech@example.com", password=STRONG, name="Tech")

    # then
    assert outcome.ok is False
    assert "not an admin" in outcome.message
    user = await users.User.get(email="tech@example.com")
    assert await users.role_map([user.id]) == {user.id: [Role.TECHNICIAN]}


async def test_create_admin_refuses_bad_input() -> None:
    bad_email = await create_admin(email="nope", password=STRONG, name="Ada")
    no_name = await create_admin(email="ada@example.com", password=STRONG, name="  ")
    assert (bad_email.ok, no_name.ok) == (False, False)
    assert bad_email.message.startswith("error:")
    assert no_name.message.startswith("error:")
    assert await users.User.all().count() == 0
