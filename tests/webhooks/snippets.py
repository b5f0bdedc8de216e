"""The verification snippets of docs/webhooks.md, as a receiver would paste them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def snippet(language: str) -> str:
    """The first ```<language> block of docs/webhooks.md."""
    found = re.search(rf"```{language}\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert found is not None, f"docs/webhooks.md has no {language} snippet"
    return found.group(1)


def python_verify() -> Any:
    """The `verify(headers, body, secret)` of the Python snippet."""
    namespace: dict[str, Any] = {}
    exec(compile(snippet("python"), str(DOC), "exec"), namespace)
    return namespace["verify"]


NODE_MAIN = """
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { headers, body, secret } = JSON.parse(input);
  try {
    const event = verify(headers, Buffer.from(body, "base64"), secret);
    process.stdout.write(JSON.stringify({ ok: event.id }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: error.message }));
  }
});
"""


def node_program() -> str:
    return snippet("js") + NODE_MAIN
