"""A benchmark scenario: one GraphQL document with its variables and the floor's route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    variables: dict[str, Any]
    floor_path: str
    items: int  # how many list items (or timeline events) the answer must hold

    @property
    def limit_path(self) -> str | None:
        """The one-statement floor's route (bench.floor_limit), for the list scenarios."""
        from bench.floor_limit import STATEMENTS

        route = self.floor_path.lstrip("/")
        return f"/limit/{route}" if route in STATEMENTS else None

    def body(self) -> bytes:
        return orjson.dumps({"query": self.query, "variables": self.variables})
