"""The company's time zone: what day it is there, and times as its people read them.

Dates are judged in the zone of company settings (an IANA name, "UTC" unless an admin
sets another): a preferred date "in the past", what is overdue. Every time written into
a mail or a notification text is written in that zone, with its abbreviation
("2026-12-21 09:00 MST"). The zone is read once per operation that needs it (one
narrow statement), never per row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from models import company
from models.clock import now


@lru_cache(maxsize=64)
def zone_named(name: str) -> tzinfo:
    """The zone of a stored name; UTC for "UTC", and for a name this machine's zone
    data does not know (a row written elsewhere), so a date is still judged."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # not found is a KeyError, a folder an OSError
        return UTC


async def company_zone() -> tzinfo:
    """The company's time zone (one narrow statement)."""
    return zone_named(await company.time_zone_name())


def today_in(zone: tzinfo, at: datetime | None = None) -> date:
    """The date in `zone` at `at` (default: now)."""
    return (at or now()).astimezone(zone).date()


async def company_today() -> date:
    """What day it is for the company: "today" of preferred dates and of overdue."""
    return today_in(await company_zone())


def local_text(moment: datetime, zone: tzinfo) -> str:
    """`moment` as people read it in `zone`, with the zone: "2026-12-21 09:00 MST"."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


async def company_time_text(moment: datetime) -> str:
    """`moment` written in the company's zone, with the zone (for mail and notifications)."""
    return local_text(moment, await company_zone())
