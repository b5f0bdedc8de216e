"""Child processes the suite owns: started in their own session, logged to a file,
measured through /proc, and always reaped.

Every process is its own session leader, so a kill reaches its whole group (a
uvicorn server and anything it spawned) and never the suite itself. Processes are
tracked by pid only: nothing here ever signals a process it did not start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
RESERVED_PORTS = {5432, 6379, 25, 587}  # the machine's shared services: never ours


def free_port() -> int:
    """A port nothing listens on now (never one of the shared services')."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def port_open(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(port: int, seconds: float, proc: Proc | None = None) -> None:
    """Until something accepts on `port`; raises after `seconds` or if `proc` died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before listening:\n{proc.tail()}")
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


class Proc:
    """One child process, its log, and the faults the suite can give it."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.popen: subprocess.Popen[bytes] | None = None
        self.stopped = False  # SIGSTOP sent and no SIGCONT yet

    def start(self) -> None:
        assert not self.alive(), f"{self.name} already runs"
        with self.log.open("ab") as log:
            log.write(f"\n==== start {time.strftime('%H:%M:%S')} {self.argv}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        self.stopped = False

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} never started"
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, sig)

    def kill9(self) -> None:
        """SIGKILL to the process group: a crash, no clean-up of any kind."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        self.stopped = False

    def sigstop(self) -> None:
        self._signal_group(signal.SIGSTOP)
        self.stopped = True

    def sigcont(self) -> None:
        self._signal_group(signal.SIGCONT)
        self.stopped = False

    def terminate(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds (a stopped process is woken)."""
        if not self.alive():
            return
        if self.stopped:
            self.sigcont()
        self._signal_group(signal.SIGTERM)
        assert self.popen is not None
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill9()

    def cpu_seconds(self) -> float:
        """CPU time the process has used, to the nanosecond: the sum of its threads'
        run time (/proc/<pid>/task/*/schedstat). Without schedstat, user + system
        time from /proc/<pid>/stat (clock ticks: 10 ms steps)."""
        total = 0
        try:
            for task in Path(f"/proc/{self.pid}/task").iterdir():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    total += int((task / "schedstat").read_text().split()[0])
            return total / 1e9
        except (OSError, ValueError, IndexError):
            pass
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # After the command: state is fields[0]; utime and stime are fields 14 and 15
        # of the whole line, so 11 and 12 here.
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_bytes(self) -> int:
        resident = Path(f"/proc/{self.pid}/statm").read_text().split()[1]
        return int(resident) * PAGE_BYTES

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> str:
    """A short command to completion; its output, or RuntimeError with that output."""
    done = subprocess.run(
        list(argv),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    output = done.stdout.decode(errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{output}")
    return output
