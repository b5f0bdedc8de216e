"""The bench's processes: free ports, start/stop/wait_ready, RSS readings and the soak."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT
from bench.report import mark


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"{url}: the process exited ({process.returncode}):\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (the floor has no GET route)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()}")


def reset_peak_rss(pid: int) -> None:
    """Start a new peak (Linux >= 4.0: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):  # then the peak is since start-up
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Soak:
    """RSS of the API process sampled under the dashboard load."""

    seconds: int
    samples: list[tuple[float, float]]  # (seconds since start, MB)

    def lines(self) -> list[str]:
        settled = [mb for t, mb in self.samples if t >= 60] or [self.samples[-1][1]]
        first, last, peak = settled[0], self.samples[-1][1], max(mb for _, mb in self.samples)
        growth = 100 * (last - first) / first
        return [
            f"- soak: {self.seconds} s of dashboard-50 load; RSS at 1 min {first:.0f} MB, "
            f"at the end {last:.0f} MB, peak {peak:.0f} MB",
            f"- soak: peak RSS <= 250 MB: {mark(peak <= 250)} ({peak:.0f} MB)",
            f"- soak: RSS growth after the first minute < 5 %: {mark(growth < 5)} "
            f"({growth:+.1f} %)",
        ]


def soak(url: str, script: Path, seconds: int, pid: int, connections: int, threads: int) -> Soak:
    """Load the API for `seconds` with wrk while sampling its RSS every 5 s."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    load = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    samples: list[tuple[float, float]] = []
    while load.poll() is None:
        samples.append((time.monotonic() - started, rss_mb(pid)))
        time.sleep(5)
    return Soak(seconds, samples)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
