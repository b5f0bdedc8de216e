"""The one clock of the domain: timezone-aware UTC."""

from datetime import UTC, datetime

from fastpath.replay import clock_read


def now() -> datetime:
    clock_read()  # an answer that read it is not the same at another time (fastpath.replay)
    return datetime.now(UTC)
