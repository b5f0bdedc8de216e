"""The test harness: a real uvicorn server on a free port, real HTTP and WebSocket clients.

`pytest` runs on the embedded defaults (SQLite, memory broker, file storage);
`pytest --backends=services` runs the same suite on TEST_DATABASE_URL (PostgreSQL)
and TEST_REDIS_URL (Redis). Tables are emptied between tests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import uvicorn
from tortoise import Tortoise, connections

from api.app import build_app
from api.db import migrate
from api.settings import Settings, load_settings
from fastpath import CHECKING
from tests.client import GraphQLClient
from tests.ports import free_port
from tests.smtp import SmtpServer


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
    names = [_described(thread) for thread in _await_leftover_threads()] + _WORKER_LEFTOVERS
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
        workeroutput["leftover_threads"] = [_described(t) for t in _await_leftover_threads()]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller: collect what each worker reported at its end."""
    worker = node.gateway.id
    for name in getattr(node, "workeroutput", {}).get("leftover_threads", []):
        _WORKER_LEFTOVERS.append(f"{worker}: {name}")


def _await_leftover_threads() -> list[threading.Thread]:
    """Non-daemon threads still alive after up to 5 seconds of waiting for them to end."""
    deadline = time.monotonic() + 5
    while (leftover := _leftover_threads()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftover


def _described(thread: threading.Thread) -> str:
    """The thread's name and where it runs: its own outermost frame and its current one."""
    frame = sys._current_frames().get(thread.ident or 0)
    stack = [f for f in traceback.extract_stack(frame) if not f.filename.endswith("threading.py")]
    if not stack:
        return thread.name
    first, last = stack[0], stack[-1]
    return (
        f"{thread.name} (running {first.name} in {first.filename}:{first.lineno}, "
        f"now at {last.filename}:{last.lineno})"
    )


def _leftover_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
    ]


@pytest.fixture(scope="session")
def backends(request: pytest.FixtureRequest) -> str:
    value: str = request.config.getoption("--backends")
    return value


S3_BUCKET = "docket-test-photos"


class MotoServer:
    """moto's S3 in server mode, in its own process: aioboto3 speaks real HTTP to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


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
        database_url, redis_url = _worker_urls(database_url, redis_url)
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


def _worker_urls(database_url: str, redis_url: str) -> tuple[str, str]:
    """Under pytest-xdist each worker needs its own database, as the `server` fixture drops
    its schema at start: `<name>_gw0`, `<name>_gw1`, ... And its own Redis database number
    (TEST_REDIS_URL's plus the worker's index), as broker channels and throttle counters
    are named after that number. Without xdist both URLs are used as given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return database_url, redis_url
    database = urlsplit(database_url)
    database_url = urlunsplit(database._replace(path=f"{database.path.rstrip('/')}_{worker}"))
    redis = urlsplit(redis_url)
    number = int(redis.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return database_url, urlunsplit(redis._replace(path=f"/{number}"))


async def _reset_schema(settings: Settings) -> None:
    """Start the session from an empty database, then apply the committed migrations."""
    if settings.uses_sqlite:
        return  # a fresh file per session
    import asyncpg

    url = settings.database_url.replace("postgres://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            raise  # TEST_DATABASE_URL itself is never made up: a typo should fail
        # an xdist worker's own database, named by _worker_urls: made on first use
        parts = urlsplit(url)
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            name = parts.path.lstrip("/").replace('"', '""')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


class Server:
    """A Docket API served by uvicorn in this event loop, on a free local port."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        config = uvicorn.Config(
            build_app(settings, configure_logs=False),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[Server]:
    await _reset_schema(settings)
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


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends while active."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if CHECKING.get():
            return  # the execution check's second run, not the request's own SQL
        text = record.getMessage().lstrip().upper()
        if text.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(record.getMessage())

    @property
    def count(self) -> int:
        return len(self.statements)


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


class StoredObjects:
    """What the object store holds right now, whichever backend the run uses."""

    def __init__(self, settings: Settings, moto: MotoServer | None) -> None:
        self.settings = settings
        self.moto = moto

    def keys(self) -> set[str]:
        if self.moto is not None:
            listing = self.moto.client().list_objects_v2(Bucket=S3_BUCKET)
            return {item["Key"] for item in listing.get("Contents", [])}
        root = Path(self.settings.storage_url.removeprefix("file://"))
        if not root.exists():
            return set()
        return {
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        }

    def __contains__(self, key: str) -> bool:
        return key in self.keys()

    def read(self, key: str) -> bytes:
        if self.moto is not None:
            body: bytes = self.moto.client().get_object(Bucket=S3_BUCKET, Key=key)["Body"].read()
            return body
        return (Path(self.settings.storage_url.removeprefix("file://")) / key).read_bytes()

    def clear(self) -> None:
        if self.moto is not None:
            client = self.moto.client()
            for key in self.keys():
                client.delete_object(Bucket=S3_BUCKET, Key=key)
            return
        root = Path(self.settings.storage_url.removeprefix("file://"))
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                path.unlink()


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


__all__ = ["Server", "StatementCounter", "Tortoise"]
