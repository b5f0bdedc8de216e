"""The test harness: a real uvicorn server on a free port, real HTTP and WebSocket clients.

`pytest` runs on the embedded defaults (SQLite, memory broker, file storage);
`pytest --backends=services` runs the same suite on TEST_DATABASE_URL (PostgreSQL)
and TEST_REDIS_URL (Redis). Tables are emptied between tests.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import Tortoise, connections

from api.db import migrate
from api.settings import Settings, load_settings
from tests.client import GraphQLClient
from tests.database import StatementCounter, reset_schema, worker_urls
from tests.ports import free_port
from tests.servers import S3_BUCKET, MotoServer, Server, StoredObjects
from tests.smtp import SmtpServer
from tests.threads import await_leftover_threads, described


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        choices=["embedded", "services"],
        default="embedded",
        help="embedded: SQLite + memory broker; services: TEST_DATABASE_URL + TEST_REDIS_URL",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Multi-process tests need the services: leave them out of the embedded run. The
    file backend's endpoints exist only where files are stored: leave them out of the
    services run (S3). Tests of how the fast paths answer (their statistics, statements,
    columns) have nothing to check with COMPILED_PROJECTIONS or DIRECT_QUERIES off: leave
    them out of that run. Nothing is skipped: each test runs on the run it belongs to."""
    services = config.getoption("--backends") == "services"
    left_out = {"file_storage_only" if services else "services_only"}
    configured = Settings()  # the environment's (and .env's), as the `settings` fixture reads
    if not (configured.compiled_projections and configured.direct_queries):
        left_out.add("fast_paths")
    kept = [item for item in items if not any(name in item.keywords for name in left_out)]
    deselected = [item for item in items if any(name in item.keywords for name in left_out)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_unconfigure(config: pytest.Config) -> None:
    """Fail loudly instead of hanging when a test leaves a non-daemon thread behind.

    An unclosed aiosqlite connection keeps its worker thread, and with it the
    whole test process, alive after the last test. Under pytest-xdist each worker
    checks in pytest_sessionfinish instead and the controller fails here for them.
    """
    if hasattr(config, "workerinput"):
        return  # an xdist worker: checked in pytest_sessionfinish
    names = [described(thread) for thread in await_leftover_threads()] + _WORKER_LEFTOVERS
    if names:
        sys.stderr.write(f"\nthreads left running after the suite: {', '.join(names)}\n")
        sys.stderr.flush()
        os._exit(3)


# Leftover threads that xdist workers reported, as "gw0: Thread-3".
_WORKER_LEFTOVERS: list[str] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, the leftover-thread check: a worker's own exit status after
    this point never reaches the controller, but its `workeroutput` does."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["leftover_threads"] = [described(t) for t in await_leftover_threads()]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller: collect what each worker reported at its end."""
    worker = node.gateway.id
    for name in getattr(node, "workeroutput", {}).get("leftover_threads", []):
        _WORKER_LEFTOVERS.append(f"{worker}: {name}")


@pytest.fixture(scope="session")
def backends(request: pytest.FixtureRequest) -> str:
    value: str = request.config.getoption("--backends")
    return value


@pytest.fixture(scope="session")
def moto_s3(backends: str) -> Iterator[MotoServer | None]:
    """On the services run, photos go to S3 (moto); the embedded run uses the file backend."""
    if backends != "services":
        yield None
        return
    moto = MotoServer()
    try:
        moto.wait_ready()
        moto.client().create_bucket(Bucket=S3_BUCKET)
        yield moto
    finally:
        moto.stop()


@pytest.fixture(scope="session")
def settings(
    backends: str, tmp_path_factory: pytest.TempPathFactory, moto_s3: MotoServer | None
) -> Settings:
    var = tmp_path_factory.mktemp("var")
    overrides: dict[str, Any] = {
        "var_dir": var,
        "storage_url": f"file://{var}/uploads",
        "secret_key": "test-secret-key-not-for-production",
        "smtp_url": "",
        # Webhook tests drive their own sender (tests/webhooks): none runs in the app.
        # Their receivers listen on 127.0.0.1; 10.99/16 shows an operator's private network.
        "webhook_worker": False,
        "webhook_allowed_networks": ["127.0.0.1/32", "10.99.0.0/16"],
        "docket_env": "development",
        # Every query is answered by compiled projections and checked against
        # standard execution: the differential test of schema/projection.py.
        "execution_check": True,
        # Every test request comes from 127.0.0.1, most as new users: budgets are
        # tested on their own (tests/api/test_budgets.py), with their own app.
        "anonymous_points_burst": 1e9,
        "anonymous_points_per_second": 1e9,
        "query_points_burst": 1e9,
        "query_points_per_second": 1e9,
    }
    if backends == "services":
        database_url = os.environ.get("TEST_DATABASE_URL")
        redis_url = os.environ.get("TEST_REDIS_URL")
        if not database_url or not redis_url:
            pytest.exit("--backends=services needs TEST_DATABASE_URL and TEST_REDIS_URL", 2)
        database_url, redis_url = worker_urls(database_url, redis_url)
        overrides |= {"database_url": database_url, "broker_url": redis_url}
        assert moto_s3 is not None
        overrides |= {
            "storage_url": f"s3://{S3_BUCKET}",
            "s3_endpoint_url": moto_s3.url,
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
        }
    else:
        overrides |= {"database_url": f"sqlite://{var}/test.sqlite3", "broker_url": "memory://"}
    return load_settings(**overrides)


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[Server]:
    await reset_schema(settings)
    await migrate(settings.database_url)
    running = Server(settings)
    await running.start()
    yield running
    await running.stop()


_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
    "postgres": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


@pytest.fixture(autouse=True)
async def clean_database(server: Server) -> AsyncIterator[None]:
    """Every test starts from empty tables (migrations stay applied)."""
    yield
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
def api_processes(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two `docket serve` processes on the test database and broker.

    For tests marked `services_only`: one SQLite file and an in-process broker
    cannot be shared by several processes.
    """
    assert not server.settings.uses_sqlite, "mark the test services_only"
    folder = tmp_path_factory.mktemp("api-processes")
    env = {
        **os.environ,
        "DATABASE_URL": server.settings.database_url,
        "BROKER_URL": server.settings.broker_url,
        "SECRET_KEY": server.settings.secret(),
        "VAR_DIR": str(folder),
        "STORAGE_URL": f"file://{folder}/uploads",
        "SMTP_URL": "",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the API processes did not start"
                time.sleep(0.1)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server (aiosmtpd) that records what it accepts."""
    running = SmtpServer()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """An SMTP address with nothing listening yet; `start()` brings it up."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def count_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


@pytest.fixture
def stored_objects(server: Server, moto_s3: MotoServer | None) -> Iterator[StoredObjects]:
    """The store's contents; emptied before the test (tests that store photos without
    asking for this fixture, such as the conformance seeds, leave theirs) and after."""
    objects = StoredObjects(server.settings, moto_s3)
    objects.clear()
    yield objects
    objects.clear()


@pytest.fixture
def tmp_var(tmp_path: Path) -> Path:
    return tmp_path


__all__ = ["S3_BUCKET", "MotoServer", "Server", "StatementCounter", "StoredObjects", "Tortoise"]
