"""Result lines, the closing table, and docs/chaos.md."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class Row:
    """One measurement: what was measured, against what, and the verdict. `details`
    hold what a failure needs to be reproduced (shown under the table)."""

    scenario: str
    check: str
    measured: str
    threshold: str
    passed: bool
    details: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def line(self) -> str:
        return (
            f"{self.verdict}  {self.scenario} / {self.check}: {self.measured}"
            f"  [threshold: {self.threshold}]"
        )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> str:
    lines = [
        "| Scenario | Check | Measured | Threshold | Result |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [row.scenario, row.check, row.measured, row.threshold, f"**{row.verdict}**"]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def details(rows: list[Row], limit: int = 12, markdown: bool = True) -> str:
    out = []
    clean = _cell if markdown else (lambda text: text.replace("\n", " "))
    for row in rows:
        if row.details and not row.passed:
            out.append(
                f"- **{row.scenario} / {row.check}**"
                if markdown
                else f"- {row.scenario} / {row.check}"
            )
            out.extend(f"  - {clean(d)[:400]}" for d in row.details[:limit])
            if len(row.details) > limit:
                out.append(f"  - ... and {len(row.details) - limit} more")
    return "\n".join(out)


def console_table(rows: list[Row]) -> str:
    width_s = max((len(r.scenario) for r in rows), default=8)
    width_c = max((len(r.check) for r in rows), default=5)
    lines = [f"{'scenario':<{width_s}}  {'check':<{width_c}}  result  measured  [threshold]"]
    for r in rows:
        lines.append(
            f"{r.scenario:<{width_s}}  {r.check:<{width_c}}  {r.verdict:<6}  {r.measured}"
            f"  [{r.threshold}]"
        )
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return done.stdout.strip() or "?"


def machine() -> str:
    cpus = os.cpu_count() or 0
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GB"
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpus} CPUs, {memory} RAM,"
        f" Python {sys.version.split()[0]}"
    )


def markdown(rows: list[Row], *, options: str, versions: str, seconds: float) -> str:
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain") not in ("", "?") else ""
    failed = sum(1 for r in rows if not r.passed)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Chaos suite: the latest table",
        "",
        "Written by `make chaos` (`python -m chaos`; contract in `chaos/README.md`). Each row",
        "is one measurement of a throwaway cluster (PostgreSQL, Redis, an SMTP sink, two",
        "`docket serve` and one `docket worker`) under a real fault, with its threshold.",
        "",
        f"- Date: {when}",
        f"- Commit: {commit}{dirty}",
        f"- Machine: {machine()}",
        f"- Services: {versions}",
        f"- Options: {options or '(full run)'}; took {seconds / 60:.1f} min",
        f"- Result: {len(rows) - failed} passed, {failed} failed",
        "",
        table(rows),
        "",
    ]
    failures = details(rows)
    if failures:
        parts += ["## Failures", "", failures, ""]
    return "\n".join(parts)
