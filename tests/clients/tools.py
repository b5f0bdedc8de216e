"""What the client tests need from the machine (Node, Chromium, this folder's npm
packages), and running their Node scripts without blocking the event loop."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# The GraphiQL page's build (api/graphiql-ide/README.md).
GRAPHIQL_BUILD = REPO / "api" / "graphiql-ide"
# Screenshots of GraphiQL: under var/ (git-ignored), where CI collects them.
ARTIFACTS = REPO / "var" / "artifacts" / "graphiql"
CHROMIUM = Path(os.environ.get("DOCKET_CHROMIUM", "/usr/bin/chromium"))
MIN_NODE_MAJOR = 18
REQUIRED_ENV = "DOCKET_REQUIRE_CLIENTS"


@dataclass(frozen=True)
class Need:
    """A thing some client tests need, and why it is missing (None: it is there)."""

    name: str
    missing: str | None


def node_need() -> Need:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        return Need("node", "node/npm are not on PATH (install Node.js >= 18 with npm)")
    try:
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=20, check=True
        ).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return Need("node", f"`node --version` failed: {error}")
    if major < MIN_NODE_MAJOR:
        return Need("node", f"node {version} is older than {MIN_NODE_MAJOR}")
    return Need("node", None)


def chromium_need() -> Need:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return Need("chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return Need("chromium", None)


def clients_required() -> bool:
    return os.environ.get(REQUIRED_ENV, "") not in ("", "0")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One installer at a time (pytest-xdist workers share this folder)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_node_modules(folder: Path = HERE) -> None:
    """`npm ci` in `folder` when its packages are missing or older than its lock file."""
    lock = folder / "package-lock.json"
    stamp = folder / "node_modules" / ".package-lock.json"  # npm writes it on every install
    with _locked(folder / "node_modules.lock"):
        if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
            return
        # No install scripts: nothing here needs one (esbuild finds its binary in its
        # platform package), and none downloads anything then.
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm ci in {folder} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class NodeRun:
    code: int
    output: str

    def succeeded(self) -> bool:
        return self.code == 0


async def run_node(script: str, given: dict[str, Any], timeout: float = 180) -> NodeRun:  # noqa: ASYNC109
    """Run `node <script>` with `given` as JSON in CLIENT_INPUT; its output, both streams.

    An asyncio subprocess: a server living in this event loop goes on serving.
    """
    env = {**os.environ, "CLIENT_INPUT": json.dumps(given), "NODE_NO_WARNINGS": "1"}
    process = await asyncio.create_subprocess_exec(
        "node",
        str(HERE / script),
        cwd=HERE,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        text = output.decode(errors="replace")
        raise AssertionError(f"node {script} did not finish in {timeout}s:\n{text}") from None
    text = output.decode(errors="replace")
    sys.stdout.write(text)  # shown by pytest on failure (captured otherwise)
    return NodeRun(process.returncode or 0, text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
