"""Comparing the fast answer with standard execution's (EXECUTION_CHECK), and counting."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson


def same_answer(left: Any, right: Any) -> bool:
    """Equal answers; what is computed from the clock may differ by a second: times
    (now + SLA) and S3 links, signed at the second they are made. JSON written by
    the database (`orjson.Fragment`, fastpath.json_lane) is compared as its value."""
    if isinstance(left, orjson.Fragment):
        left = orjson.loads(orjson.dumps(left))
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same_answer(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_answer, left, right))
    if left == right:
        return True
    if isinstance(left, str) and isinstance(right, str):
        if "X-Amz-Signature=" in left:
            return _same_signed_link(left, right)
        try:
            apart = datetime.fromisoformat(left) - datetime.fromisoformat(right)
        except ValueError:
            return False
        return abs(apart.total_seconds()) < 1
    return False


# What a presigned S3 link derives from the moment it is signed.
_SIGNING_TIME = ("X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature")


def _same_signed_link(left: str, right: str) -> bool:
    """The same object, disposition and expiry, signed at most a second apart."""
    parts = [urlsplit(link) for link in (left, right)]
    queries = [dict(parse_qsl(part.query, keep_blank_values=True)) for part in parts]
    if parts[0]._replace(query="") != parts[1]._replace(query=""):
        return False
    if any(
        queries[0].get(name) != queries[1].get(name)
        for name in set(queries[0]) | set(queries[1])
        if name not in _SIGNING_TIME
    ):
        return False
    try:
        signed = [datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ") for q in queries]
        lifetimes = [int(q["X-Amz-Expires"]) for q in queries]
    except (KeyError, ValueError):
        return False
    apart = (signed[0] - signed[1]).total_seconds()
    expiry_apart = apart + lifetimes[0] - lifetimes[1]
    return abs(apart) <= 1 and abs(expiry_apart) <= 1


@dataclass
class Stats:
    """How often plans ran and fell back, for tests and the benchmark."""

    compiled: int = 0
    fallbacks: int = 0
    narrowed: int = 0  # related fields read column by column (fastpath.narrow)

    def count_narrowed(self) -> None:
        if not CHECKING.get():
            self.narrowed += 1

    def count(self, *, fallback: bool) -> None:
        if CHECKING.get():
            return  # a check's second run, not the request's own answer
        if fallback:
            self.fallbacks += 1
        else:
            self.compiled += 1


STATS = Stats()


# True while the check runs standard execution a second time: its SQL is not the
# request's own (the test suite's statement counter leaves it out).
CHECKING: ContextVar[bool] = ContextVar("docket_projection_checking", default=False)
