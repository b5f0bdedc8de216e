"""What the account request mutations take."""

from __future__ import annotations

from datetime import date

import strawberry

from models import account_requests as requests
from schema.account_requests import enums  # noqa: F401  (registers the enums first)


@strawberry.input(description="A new account request.")
class CreateAccountRequestInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="The account (a portal contact's own when left out)."
    )
    type_id: strawberry.ID = strawberry.field(description="An active request type.")
    status: requests.RequestStatus | None = strawberry.field(
        default=None, description="OPEN when left out."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who works on it; the type's default assignee when left out."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contact of the account the request is for."
    )
    note: str | None = strawberry.field(default=None, description="What it is about.")
    internal: bool | None = strawberry.field(
        default=None,
        description="Staff only: true keeps the request (its note, timeline and all) out of "
        "the customer portal. False when left out; a portal contact asking for true is "
        "refused (FORBIDDEN).",
    )
    for_date: date | None = strawberry.field(
        default=None,
        description="The day the request is for (the calendar's day): today in the company's "
        "time zone when left out. Portal contacts choose today or a later day.",
    )


@strawberry.input(description="Changes to an account request; fields left out stay as they are.")
class UpdateAccountRequestInput:
    id: strawberry.ID = strawberry.field(description="The request to change.")
    type_id: strawberry.ID | None = strawberry.field(default=None, description="New type.")
    status: requests.RequestStatus | None = strawberry.field(
        default=None, description="New status; see `nextStatuses` for the allowed ones."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New assignee; null unassigns."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New contact; null removes it."
    )
    note: str | None = strawberry.field(default=None, description="New note.")
    internal: bool | None = strawberry.field(
        default=None,
        description="True hides the request from the customer portal, false shares it again "
        "(on the timeline as a staff-only entry).",
    )
    for_date: date | None = strawberry.field(
        default=None, description="Another day the request is for (the calendar's day)."
    )
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Move to another account (not while items are linked)."
    )
