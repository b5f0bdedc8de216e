"""The throwaway cluster: PostgreSQL, Redis, an SMTP sink, two `docket serve`
processes and one `docket worker`, all on free ports under one temp dir.

Nothing here talks to the machine's shared PostgreSQL (5432) or Redis (6379): the
cluster's PostgreSQL is a fresh `initdb` (run as the `postgres` user when the suite
runs as root, as initdb refuses root), its Redis keeps nothing on disk. `teardown`
stops every process it started and removes the temp dir unless asked to keep it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from chaos import procs
from chaos.procs import Proc

REPO = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "admin@chaos.docket.test"
PASSWORD = "chaos suite passphrase 42"
MAIL_RETRY_BASE_SECONDS = 5.0
MAIL_POLL_SECONDS = 0.5


def _pg_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: [int(part) for part in re.findall(r"\d+", p.parent.parent.name)],
    )
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return found[-1].parent


def _settings_names() -> set[str]:
    """Every Docket setting's environment name: none may leak in from the caller."""
    from api.settings import Settings

    return {name.upper() for name in Settings.model_fields}


class Cluster:
    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="docket-chaos-"))
        self.root.chmod(0o755)  # the postgres user must reach its data dir
        self.pg_bin = _pg_bin()
        self.as_root = os.geteuid() == 0
        self.pg_port = procs.free_port()
        self.redis_port = procs.free_port()
        self.smtp_port = procs.free_port()
        self.api_ports = [procs.free_port(), procs.free_port()]
        self.pg_dir = self.root / "pg"
        self.mail_file = self.root / "sink" / "delivered.jsonl"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/docket"
        self.env = self._environment()
        python = sys.executable
        for folder in ("redis", "sink", "api0", "api1", "worker", "logs"):
            (self.root / folder).mkdir()
        logs = self.root / "logs"
        self.redis = Proc(
            "redis",
            [
                *("redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--protected-mode", "no"),
                *("--dir", str(self.root / "redis")),
            ],
            logs / "redis.log",
        )
        sink = ["-m", "chaos.sink", "--port", str(self.smtp_port), "--out", str(self.mail_file)]
        self.sink = Proc("sink", [python, *sink], logs / "sink.log", cwd=REPO)
        self.apis = [
            Proc(
                f"api{n}",
                [python, "-m", "api.cli", "serve", "--port", str(port)],
                logs / f"api{n}.log",
                env=self.env,
                cwd=self.root / f"api{n}",
            )
            for n, port in enumerate(self.api_ports)
        ]
        self.worker = Proc(
            "worker",
            [python, "-m", "api.cli", "worker"],
            logs / "worker.log",
            env=self.env,
            cwd=self.root / "worker",
        )
        self.urls = [f"http://127.0.0.1:{port}" for port in self.api_ports]
        self.pg_started = False

    def _environment(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in _settings_names()}
        return {
            **base,
            "PYTHONPATH": str(REPO),
            "DOCKET_ENV": "production",
            "DATABASE_URL": self.database_url,
            "BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "SMTP_FROM": "Docket Chaos <chaos@docket.test>",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MAIL_WORKER": "false",
            "MAIL_POLL_SECONDS": str(MAIL_POLL_SECONDS),
            "MAIL_RETRY_BASE_SECONDS": str(MAIL_RETRY_BASE_SECONDS),
            "VAR_DIR": str(self.root / "var"),
            "STORAGE_URL": f"file://{self.root / 'uploads'}",
            "LOG_LEVEL": "WARNING",
            # The suite is the load balancer: each simulated client has its own address.
            "TRUSTED_PROXIES": "127.0.0.1",
        }

    # --- PostgreSQL ----------------------------------------------------------------

    def _pg(self, tool: str, *args: str, timeout: float = 120) -> str:
        argv = [str(self.pg_bin / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return procs.run(argv, cwd=self.root, timeout=timeout)

    def _pg_ctl(self, *args: str, timeout: float = 60) -> str:
        data = str(self.pg_dir / "data")
        return self._pg("pg_ctl", "-D", data, "-w", "-t", str(int(timeout)), *args)

    def start_postgres(self) -> None:
        self.pg_dir.mkdir()
        if self.as_root:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        data = str(self.pg_dir / "data")
        self._pg("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self._pg_start()
        self.pg_started = True
        procs.run(
            [
                *(str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port)),
                *("-U", "postgres", "docket"),
            ]
        )

    async def pg_restart_fast(self) -> float:
        """`pg_ctl restart -m fast`; the seconds it took."""
        started = time.monotonic()
        log = str(self.pg_dir / "postgres.log")  # else the server writes to our pipe
        options = ("-o", self._pg_options())
        await asyncio.to_thread(self._pg_ctl, "-m", "fast", "-l", log, *options, "restart")
        return time.monotonic() - started

    async def pg_stop(self) -> None:
        await asyncio.to_thread(self._pg_ctl, "-m", "fast", "stop")

    def _pg_start(self) -> None:
        """`pg_ctl start` with the cluster's port every time: without `-o`, a start
        would fall back to the default port, the machine's shared server's."""
        log = str(self.pg_dir / "postgres.log")
        self._pg_ctl("-l", log, "-o", self._pg_options(), "start")

    def _pg_options(self) -> str:
        return (
            f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1"
            " -c max_connections=200"
        )

    async def pg_start(self) -> None:
        await asyncio.to_thread(self._pg_start)

    def pg_running(self) -> bool:
        try:
            self._pg_ctl("status", timeout=10)
        except RuntimeError:
            return False
        return True

    # --- the rest ------------------------------------------------------------------

    def docket(self, *args: str, timeout: float = 120) -> str:
        """A `docket` command with the cluster's settings."""
        argv = [sys.executable, "-m", "api.cli", *args]
        return procs.run(argv, env=self.env, cwd=self.root / "worker", timeout=timeout)

    def start(self) -> None:
        self.start_postgres()
        self.redis.start()
        procs.wait_for_port(self.redis_port, 15, self.redis)
        self.start_sink()
        self.docket("migrate")
        self.docket(
            "create-admin", "--email", ADMIN_EMAIL, "--password", PASSWORD, "--name", "Chaos Admin"
        )
        for n in range(len(self.apis)):
            self.start_api(n)
        self.worker.start()

    def start_sink(self) -> None:
        self.sink.start()
        procs.wait_for_port(self.smtp_port, 15, self.sink)

    def start_redis(self) -> None:
        self.redis.start()
        procs.wait_for_port(self.redis_port, 15, self.redis)

    def start_api(self, n: int) -> None:
        self.apis[n].start()
        self.wait_ready(n, 60)

    def wait_ready(self, n: int, seconds: float, status: str = "ok") -> None:
        """Until API `n`'s /readyz answers 200 with `status`; raises after `seconds`."""
        deadline = time.monotonic() + seconds
        last = "no answer"
        with httpx.Client(timeout=2) as http:
            while time.monotonic() < deadline:
                if not self.apis[n].alive():
                    raise RuntimeError(f"api{n} exited:\n{self.apis[n].tail()}")
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    answer = http.get(f"{self.urls[n]}/readyz")
                    last = f"{answer.status_code} {answer.text[:200]}"
                    if answer.status_code == 200 and answer.json().get("status") == status:
                        return
                time.sleep(0.1)
        raise RuntimeError(f"api{n} not ready ({status}) after {seconds} s: {last}")

    def heal(self) -> None:
        """Everything running and ready again, whatever a scenario left behind."""
        if not self.pg_running():
            self._pg_start()
        if self.redis.stopped:
            self.redis.sigcont()
        if not self.redis.alive():
            self.start_redis()
        if not self.sink.alive():
            self.start_sink()
        for n, api in enumerate(self.apis):
            if api.stopped:
                api.sigcont()
            if not api.alive():
                api.start()
            self.wait_ready(n, 60)
        if not self.worker.alive():
            self.worker.start()

    def log_marks(self) -> dict[str, int]:
        """Where each Docket log ends now, for `errors_since`."""
        return {p.name: p.log.stat().st_size if p.log.exists() else 0 for p in self._dockets()}

    def errors_since(self, marks: dict[str, int]) -> list[str]:
        """ERROR lines the Docket processes logged after `marks` (one message each)."""
        found = []
        for proc in self._dockets():
            if not proc.log.exists():
                continue
            with proc.log.open("rb") as log:
                log.seek(marks.get(proc.name, 0))
                for raw in log.read().decode(errors="replace").splitlines():
                    with contextlib.suppress(ValueError):
                        entry = json.loads(raw)
                        if isinstance(entry, dict) and entry.get("level") == "ERROR":
                            message = str(entry.get("message", ""))[:160]
                            trace = str(entry.get("exception", "")).strip().splitlines()
                            cause = f" [{trace[-1][:200]}]" if trace else ""
                            found.append(f"{proc.name}: {message}{cause}")
        return found

    def _dockets(self) -> list[Proc]:
        return [*self.apis, self.worker]

    def teardown(self) -> None:
        for proc in [*self.apis, self.worker, self.sink, self.redis]:
            with contextlib.suppress(Exception):
                proc.terminate(grace=10)
        if self.pg_started:
            with contextlib.suppress(Exception):
                self._pg_ctl("-m", "immediate", "stop", timeout=30)
        if self.keep:
            print(f"kept {self.root} (logs in {self.root / 'logs'})")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
