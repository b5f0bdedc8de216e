"""Scalars with Docket's rules: a DateTime must say which time zone it is in."""

from __future__ import annotations

import datetime as dt

import dateutil.parser
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _aware(value: str) -> dt.datetime:
    parsed = dateutil.parser.isoparse(value)
    if parsed.tzinfo is None:
        # A time without an offset means something different in every office.
        raise ValueError("add a UTC offset, e.g. 2026-11-24T09:00:00+01:00 or ...Z")
    try:
        # Stored and compared in UTC: year 1 at +05:00 or year 9999 at -05:00 has none.
        parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range: in UTC it falls outside the years 1 to 9999") from None
    return parsed


AwareDateTime = ScalarDefinition(
    name="DateTime",
    description="Date and time, ISO-8601 with a UTC offset (2026-11-24T09:00:00+01:00).",
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=wrap_parser(_aware, "DateTime"),
    parse_literal=None,
    origin=dt.datetime,
)
