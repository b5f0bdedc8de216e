"""bench.scale's figures: medians per size, the table and the issue's targets, met or not."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from bench.generate import Size
from bench.load import Round
from bench.scale_screens import Screen

# The targets: the dashboard's p50 at the largest size against the smallest;
# search, counts and totalCount against the plain page at the same size.
FLAT = 1.25
COUNT_FACTOR = 3.0
AGAINST_PAGE = ("search", "accountRequestCounts", "dashboard+totalCount")


@dataclass
class Measured:
    screen: Screen
    rounds: dict[int, list[Round]] = field(default_factory=dict)  # by size

    def median(self, size: int, attribute: str) -> float:
        """A round in which no answer came back (within the round and wrk's 10 s
        timeout) counts as infinite."""
        values = [
            math.inf if attribute != "rps" and r.rps == 0 else float(getattr(r, attribute))
            for r in self.rounds[size]
        ]
        return statistics.median(values)


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _ms(value: float) -> str:
    return "no answer" if math.isinf(value) else f"{value:.1f} ms"


def _times(value: float) -> str:
    return "n/a" if math.isinf(value) or math.isnan(value) else f"{value:.2f}x"


def _ratio(a: float, b: float) -> float:
    return math.inf if math.isinf(a) or b == 0 else a / b


def report(sizes: list[int], results: list[Measured]) -> list[str]:
    """The table (every screen, p50 / p99 / req/s per size, x the page) and the targets."""
    names = [Size.of(size).label for size in sizes]
    head = " | ".join(f"p50 {n} | p99 {n} | req/s {n} | x page {n}" for n in names)
    lines = [
        f"| Screen | {head} | p50 {names[-1]} / {names[0]} |",
        "|---|" + "---:|" * (4 * len(sizes) + 1),
    ]
    by_name = {r.screen.scenario.name: r for r in results}
    page = by_name.get("page")

    def against(result: Measured, size: int) -> float:
        if page is None:
            return math.nan
        return _ratio(result.median(size, "p50_ms"), page.median(size, "p50_ms"))

    for result in sorted(results, key=lambda r: r.screen.extra):
        cells = [
            f"{_ms(result.median(size, 'p50_ms'))} | {_ms(result.median(size, 'p99_ms'))} "
            f"| {result.median(size, 'rps'):,.0f} | {_times(against(result, size))}"
            for size in sizes
        ]
        growth = _ratio(result.median(sizes[-1], "p50_ms"), result.median(sizes[0], "p50_ms"))
        lines.append(f"| {result.screen.scenario.name} | {' | '.join(cells)} | {_times(growth)} |")
    lines.append("")
    if page is not None and len(sizes) > 1:
        growth = _ratio(page.median(sizes[-1], "p50_ms"), page.median(sizes[0], "p50_ms"))
        lines.append(
            f"- scale: dashboard p50 at {sizes[-1]:,} <= {FLAT}x its p50 at {sizes[0]:,}: "
            f"{mark(growth <= FLAT)} ({_times(growth)})"
        )
    for name in AGAINST_PAGE:
        target = by_name.get(name)
        if target is None or page is None:
            continue
        for size, label in zip(sizes, names, strict=True):
            factor = against(target, size)
            lines.append(
                f"- scale: {name} at {label} <= {COUNT_FACTOR:g}x the plain page's p50: "
                f"{mark(factor <= COUNT_FACTOR)} ({_times(factor)})"
            )
    extra = [r for r in results if r.screen.extra]
    if extra and page is not None:
        costs = ", ".join(
            f"{r.screen.scenario.name} {_times(against(r, sizes[-1]))}" for r in extra
        )
        lines.append(f"- scale: under other filters at {names[-1]} (x the plain page): {costs}")
    return lines
