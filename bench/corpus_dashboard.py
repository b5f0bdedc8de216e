"""The Apollo-shaped dashboard against the hand-written one (bench.run's DASHBOARD).

Same screen, same variables as far as the documents allow (first 50, OPEN, updated
desc), both on the fast server, alternating rounds in one run. The target: the Apollo
document within 5 % of the hand-written one's req/s. Two cut-down copies of the Apollo
document show what its extra parts cost (diagnostics, not client documents): without
`accountRequestCounts`, and without that and `totalCount`.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import REMOVE, FieldNode, Visitor, parse, print_ast, visit

from bench.load import Round, lua_script, wrk

APOLLO_FILE = Path(__file__).resolve().parent.parent / (
    "tests/conformance/documents/apollo/Dashboard.graphql"
)
APOLLO_VARIABLES: dict[str, Any] = {
    "filter": {"statuses": ["OPEN"]},
    "orderBy": {"field": "UPDATED_AT", "direction": "DESC"},
    "first": 50,
}
ROUNDS, SECONDS = 3, 2


class _Cut(Visitor):
    def __init__(self, fields: set[str]) -> None:
        super().__init__()
        self.fields = fields

    def enter_field(self, node: FieldNode, *_: object) -> object:
        return REMOVE if node.name.value in self.fields else None


def without(text: str, fields: set[str]) -> str:
    """The document without the fields of these names (wherever they are selected)."""
    return print_ast(visit(parse(text), _Cut(fields)))


def _median(rounds: list[Round], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in rounds)


def dashboard_lines(
    urls: tuple[str, str],
    work: Path,
    options: argparse.Namespace,
    check: Callable[[Any, str, str], tuple[int, str]],
) -> list[str]:
    from bench.corpus import Operation  # bench.corpus imports this module
    from bench.run import DASHBOARD

    apollo = APOLLO_FILE.read_text()
    sides: list[tuple[str, str, dict[str, Any], bool]] = [
        ("hand-written (bench.run DASHBOARD)", DASHBOARD, {"first": 50}, False),
        ("Apollo Dashboard.graphql", apollo, APOLLO_VARIABLES, True),
        (
            "Apollo, without accountRequestCounts (diagnostic)",
            without(apollo, {"accountRequestCounts"}),
            APOLLO_VARIABLES,
            False,
        ),
        (
            "Apollo, without accountRequestCounts and totalCount (diagnostic)",
            without(apollo, {"accountRequestCounts", "totalCount"}),
            APOLLO_VARIABLES,
            False,
        ),
    ]
    ops = [
        Operation(f"dashboard-{n}", text, variables, "", 0, "Dashboard", "dashboard", "")
        for n, (_, text, variables, _) in enumerate(sides)
    ]
    objects: list[int] = []
    for op, (label, *_) in zip(ops, sides, strict=True):
        count, problem = check(op, urls[0], urls[1])
        if problem:
            return [f"- dashboard: {label} not timed: {problem}"]
        objects.append(count)
    scripts = [lua_script(op, work) for op in ops]
    args = (options.connections, options.threads)
    fast: list[list[Round]] = [[] for _ in ops]
    standard: list[list[Round]] = [[] for _ in ops]
    for n in range(ROUNDS):
        for i, (script, (_, _, _, with_standard)) in enumerate(zip(scripts, sides, strict=True)):
            fast[i].append(wrk(urls[0], script, SECONDS, *args))
            if with_standard or i == 0:
                standard[i].append(wrk(urls[1], script, SECONDS, *args))
        shown = ", ".join(f"{r[-1].rps:,.0f}" for r in fast)
        print(f"     dashboard round {n + 1}: {shown} req/s", flush=True)
    hand = _median(fast[0], "rps")
    lines = [
        "### The Apollo-shaped dashboard against the hand-written one",
        "",
        f"Fast server, {ROUNDS} rounds of {SECONDS} s per document, alternating; variables "
        "first 50, OPEN, UPDATED_AT DESC (the hand-written document fixes the filter and "
        "the order in its text).",
        "",
        "| Document | objects | req/s | % of hand-written | p50 | p99 | standard req/s "
        "| x standard |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, (label, *_) in enumerate(sides):
        rps = _median(fast[i], "rps")
        std = f"{_median(standard[i], 'rps'):,.0f}" if standard[i] else "n/a"
        times = f"{rps / _median(standard[i], 'rps'):.1f}x" if standard[i] else "n/a"
        lines.append(
            f"| {label} | {objects[i]} | {rps:,.0f} | {100 * rps / hand:.1f} % "
            f"| {_median(fast[i], 'p50_ms'):.1f} ms | {_median(fast[i], 'p99_ms'):.1f} ms "
            f"| {std} | {times} |"
        )
    share = _median(fast[1], "rps") / hand
    met = "met" if share >= 0.95 else "**missed**"
    lines += ["", f"- dashboard: Apollo-shaped within 5 % of hand-written: {met} ({share:.1%})"]
    return lines
