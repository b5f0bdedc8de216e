"""Fixtures of the conformance corpus: one seeded company per module, a client of the
running test server (fast paths, EXECUTION_CHECK on) and a client of a second app on
the same database that answers with standard graphql-core execution only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tortoise import connections

from api.app import build_app
from tests.conformance.corpus import ENTRIES
from tests.conformance.seed import VIEWERS, World, seed
from tests.conftest import _TABLES_SQL, MotoServer, Server, StoredObjects

# The embedded run (SQLite, one core's worth of server in the test process) keeps to
# the viewers at the corners: everything, a customer, nobody. The services run takes
# every viewer.
EMBEDDED_VIEWERS = ["admin", "portal_contact", "anonymous"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per document and viewer, named `<document id>-<viewer>`."""
    if "entry" in metafunc.fixturenames:
        metafunc.parametrize("entry", ENTRIES, ids=[entry["id"] for entry in ENTRIES])
    if "viewer" in metafunc.fixturenames:
        services = metafunc.config.getoption("--backends") == "services"
        metafunc.parametrize("viewer", VIEWERS if services else EMBEDDED_VIEWERS)


@pytest.fixture
async def clean_database() -> AsyncIterator[None]:
    """Replaces the suite's per-test emptying: every document runs against the one
    company `world` seeds for the module, and `world` empties the tables after it."""
    yield


async def _empty_tables(server: Server) -> None:
    conn = connections.get("default")
    dialect = "sqlite" if server.settings.uses_sqlite else "postgres"
    _, rows = await conn.execute_query(_TABLES_SQL[dialect])
    tables = [next(iter(dict(row).values())) for row in rows]
    tables = [name for name in tables if name != "tortoise_migrations"]
    if dialect == "postgres":
        quoted = ", ".join(f'"{name}"' for name in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f'DELETE FROM "{name}";' for name in tables)
            + "PRAGMA foreign_keys = ON;"
        )


@pytest.fixture(scope="module")
async def world(server: Server, moto_s3: MotoServer | None) -> AsyncIterator[World]:
    """The seeded company; the tables and stored photos are emptied when the module
    ends, leaving the database as the suite's other tests expect it."""
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            built = await seed(http, server.settings)
        yield built
    finally:
        await _empty_tables(server)
        StoredObjects(server.settings, moto_s3).clear()


@pytest.fixture(scope="module")
async def fast(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    """The test server: compiled projections and the direct lane, checked."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
async def standard(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    """A second, independent app on the same database, broker and store (opened by the
    server's lifespan in this process), with standard execution only. Served in
    process under the server's own address, so file-backend links name the same host."""
    settings = server.settings.model_copy(
        update={"compiled_projections": False, "direct_queries": False, "execution_check": False}
    )
    app = build_app(settings, configure_logs=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=server.url, timeout=60) as client:
        yield client
