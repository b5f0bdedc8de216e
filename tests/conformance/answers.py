"""How the corpus runner judges answers: what counts as the same answer twice, which
errors a client may legitimately get, and a short description of the first difference.

Two answers to the same document are the same when they are equal except for what is
computed from the clock: signed photo links (their expiry and signature), times such
as a job draft's SLA due ("now" + hours), and link expiries, which move on a five
minute grid. Field order counts: the spec orders response fields as the selection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Errors a client gets for who it is or what it may see; anything else is a finding.
EXPECTED_CODES = frozenset({"UNAUTHENTICATED", "FORBIDDEN"})
UNEXPECTED_MESSAGE = "Unexpected error."

# Query parameters of a signed link that come from the moment it was signed.
_SIGNING = frozenset(
    {"expires", "signature", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature", "X-Amz-Credential"}
)
_CLOCK_SLACK = 2.0  # seconds between two sends of one document
_LINK_GRID = 300.0  # schema/photos.py rounds link expiries up to five minutes


def _signed_link(value: str) -> tuple[str, list[tuple[str, str]]] | None:
    if "signature=" not in value and "X-Amz-Signature=" not in value:
        return None
    parts = urlsplit(value)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _SIGNING]
    return parts._replace(query="").geturl(), sorted(kept)


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _same_string(key: str, left: str, right: str) -> bool:
    if left == right:
        return True
    links = _signed_link(left), _signed_link(right)
    if links[0] is not None and links[1] is not None:
        return links[0] == links[1]
    moments = _moment(left), _moment(right)
    if moments[0] is None or moments[1] is None:
        return False
    slack = _LINK_GRID + _CLOCK_SLACK if key.endswith("ExpiresAt") else _CLOCK_SLACK
    return abs((moments[0] - moments[1]).total_seconds()) <= slack


def difference(left: Any, right: Any, path: str = "", key: str = "") -> str | None:
    """Where and how two answers differ (None when they are the same answer)."""
    if isinstance(left, dict) and isinstance(right, dict):
        if list(left) != list(right):
            return f"{path or '.'}: keys {list(left)} != {list(right)}"
        for name in left:
            found = difference(left[name], right[name], f"{path}.{name}", name)
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} items != {len(right)} items"
        for index, (one, other) in enumerate(zip(left, right, strict=True)):
            found = difference(one, other, f"{path}[{index}]", key)
            if found:
                return found
        return None
    if isinstance(left, str) and isinstance(right, str) and _same_string(key, left, right):
        return None
    if left == right and type(left) is type(right):
        return None
    return f"{path}: {_short(left)} != {_short(right)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def error_signature(body: dict[str, Any]) -> list[tuple[str | None, str]]:
    """The errors as (code, path), the part two engines must agree on (messages may
    word the same refusal differently; error IDs are unique per answer)."""
    errors = body.get("errors") or []
    signature = [
        (
            (error.get("extensions") or {}).get("code"),
            ".".join(str(part) for part in error.get("path") or []),
        )
        for error in errors
    ]
    return sorted(signature, key=repr)


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """The answer without what is unique to one response (error IDs)."""
    errors = [
        {
            "message": error.get("message"),
            "path": error.get("path"),
            "code": (error.get("extensions") or {}).get("code"),
        }
        for error in body.get("errors") or []
    ]
    return {"data": body.get("data"), "errors": errors}


def unexpected_errors(body: dict[str, Any]) -> list[str]:
    """Errors no client should ever get: crashes, and codes outside EXPECTED_CODES."""
    found = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if error.get("message") == UNEXPECTED_MESSAGE or code == "INTERNAL_SERVER_ERROR":
            error_id = (error.get("extensions") or {}).get("errorId")
            found.append(f"crash at {error.get('path')} (errorId {error_id})")
        elif code not in EXPECTED_CODES:
            found.append(f"{code}: {error.get('message')} at {error.get('path')}")
    return found
