"""Load with wrk: a round's figures, the Lua script of a scenario and wrk's output."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import ADMIN_TOKEN
from bench.scenario import Scenario


@dataclass
class Round:
    rps: float
    p50_ms: float
    p99_ms: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def lua_script(scenario: Scenario, directory: Path) -> Path:
    path = directory / f"{scenario.name}.lua"
    body = scenario.body().decode()
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{body}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {ADMIN_TOKEN}"\n'
    )
    return path


def wrk(url: str, script: Path, seconds: int, connections: int, threads: int) -> Round:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = _NON_2XX.search(output)
    if bad:
        raise SystemExit(f"wrk {url}: {bad.group(1)} responses were not 2xx:\n{output}")
    rps = _RPS.search(output)
    latency = {
        m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _LATENCY.finditer(output)
    }
    if rps is None or set(latency) != {"50", "99"}:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    return Round(rps=float(rps.group(1)), p50_ms=latency["50"], p99_ms=latency["99"])
