"""Posting a document and comparing the GraphQL `data` with the floor's answer."""

from __future__ import annotations

import urllib.request
from datetime import datetime, timedelta
from typing import Any

import orjson

from bench.common import ADMIN_TOKEN
from bench.scenario import Scenario

# Values computed from the clock at answer time (now + SLA hours): equal within this.
CLOCK_FIELDS = {"slaDueAt"}
CLOCK_TOLERANCE = timedelta(seconds=60)


def post(url: str, body: bytes) -> Any:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return orjson.loads(response.read())


def differences(a: Any, b: Any, path: str = "data") -> list[str]:
    """Where two JSON values differ, key order included."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        return [d for key in a for d in differences(a[key], b[key], f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    if path.rsplit(".", 1)[-1] in CLOCK_FIELDS and isinstance(a, str) and isinstance(b, str):
        gap = abs(datetime.fromisoformat(a) - datetime.fromisoformat(b))
        return [] if gap <= CLOCK_TOLERANCE else [f"{path}: {a} != {b} (clock field)"]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} != {b!r}"]
    return []


def count_items(data: Any) -> int:
    """List items of a list answer, timeline events of a node answer."""
    (value,) = data.values()
    if value is None or isinstance(value, str):
        return 0
    if "nodes" in value:
        return len(value["nodes"])
    return len(value["timeline"]["nodes"])


def check(scenario: Scenario, api_url: str, floor_url: str, path: str | None = None) -> None:
    """The GraphQL answer and the floor's (at `path`, the scenario's floor by default)
    must be equal; stop loudly if not."""
    answer = post(api_url, scenario.body())
    floor = post(floor_url + (path or scenario.floor_path), scenario.body())
    problems: list[str] = []
    if answer.get("errors") or set(answer) != {"data"}:
        problems.append(f"GraphQL answered with errors: {answer.get('errors')}")
    else:
        problems.extend(differences(answer["data"], floor.get("data")))
        if not problems and count_items(answer["data"]) != scenario.items:
            problems.append(
                f"expected {scenario.items} items, got {count_items(answer['data'])}: "
                "is the database seeded?"
            )
    if problems:
        shown = "\n  ".join(problems[:10])
        raise SystemExit(
            f"FAIL {scenario.name}: GraphQL and floor ({path or scenario.floor_path}) "
            "answers differ "
            f"({len(problems)} differences):\n  {shown}"
        )
