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

    def body(self) -> bytes:
        return orjson.dumps({"query": self.query, "variables": self.variables})
