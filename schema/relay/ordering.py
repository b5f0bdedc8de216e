"""The sort direction every list's order input takes."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"
