"""The committed corpus: documents/manifest.json and the files it names (see README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCUMENTS = Path(__file__).parent / "documents"
MANIFEST: dict[str, Any] = json.loads((DOCUMENTS / "manifest.json").read_text())
ENTRIES: list[dict[str, Any]] = MANIFEST["documents"]


def text_of(entry: dict[str, Any]) -> str:
    return (DOCUMENTS / entry["file"]).read_text()


def resolve(value: Any, refs: dict[str, str]) -> Any:
    """The manifest's variables with each {"ref": NAME} replaced by the seeded ID."""
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            assert value["ref"] in refs, f"the seed records no {value['ref']!r}"
            return refs[value["ref"]]
        return {key: resolve(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, refs) for item in value]
    return value
