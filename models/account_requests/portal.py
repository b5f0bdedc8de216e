"""What the customer portal sees of a request's timeline: which entries, in which words.

Staff keep every entry with its stored values. A portal contact sees only what a
customer may read: never who on the staff holds the request, never a move between
accounts, never an item the portal does not show (tasks), and never an entry staff
marked for the portal's eyes only as not shown (photos kept off the portal). Each
entry also has a sentence in plain words (`summary`) that names no internal ID.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Protocol, TypeVar

from models.account_requests.tables import EventKind, RequestStatus
from models.linked_items import KINDS

K = EventKind

# Entries about the staff's side of the work: the portal never shows them.
STAFF_ONLY_KINDS = frozenset({K.ASSIGNED, K.ACCOUNT_CHANGED, K.INTERNAL_CHANGED})

ITEM_KINDS = frozenset({K.ITEM_LINKED, K.ITEM_UNLINKED})

# Linked items of these types are staff-only (their link entries too).
STAFF_ONLY_TYPES = frozenset(kind.type_name for kind in KINDS.values() if not kind.seen_by_contacts)

_STATUS_WORDS = {
    RequestStatus.OPEN: "Open",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.WAITING_ON_CUSTOMER: "Waiting on customer",
    RequestStatus.COMPLETED: "Completed",
    RequestStatus.CANCELLED: "Cancelled",
}

_ITEM_WORDS = {
    "Task": "A task",
    "Appointment": "An appointment",
    "ServiceRecord": "A service record",
    "Invoice": "An invoice",
    "CreditMemo": "A credit memo",
}


class EventRow(Protocol):
    """What the portal rules read of a timeline entry."""

    @property
    def kind(self) -> EventKind: ...
    @property
    def before(self) -> str | None: ...
    @property
    def after(self) -> str | None: ...
    @property
    def visible_in_portal(self) -> bool: ...


def referenced_type(value: str | None) -> str | None:
    """The type a stored global ID names ("Task" of the ID of Task 5), else None."""
    if not value:
        return None
    try:
        decoded = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode()).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    type_name, separator, key = decoded.partition(":")
    return type_name if separator and key.isdigit() else None


def shown_in_portal(event: EventRow) -> bool:
    """May a portal contact see this entry? (Rows written before the rules too.)"""
    if not event.visible_in_portal or event.kind in STAFF_ONLY_KINDS:
        return False
    if event.kind in ITEM_KINDS:
        named = referenced_type(event.after or event.before)
        return named is not None and named not in STAFF_ONLY_TYPES
    return True


E = TypeVar("E", bound=EventRow)


def portal_share(events: Iterable[E]) -> list[E]:
    """The entries of `events` a portal contact may see, in their order."""
    return [event for event in events if shown_in_portal(event)]


def _status(value: str | None) -> str:
    try:
        return _STATUS_WORDS[RequestStatus(value)]
    except ValueError:
        return "unknown"


def summary(event: EventRow) -> str:
    """The entry in words a customer may read: no names of staff, no internal IDs."""
    kind, before, after = event.kind, event.before, event.after
    if kind is K.CREATED:
        opened = after in (None, RequestStatus.OPEN.value)
        return "Request raised." if opened else f"Request raised as {_status(after)}."
    if kind is K.STATUS_CHANGED:
        return f"Status changed from {_status(before)} to {_status(after)}."
    if kind is K.ASSIGNED:
        if after is None:
            return "No longer assigned to anyone."
        return "Assigned to a team member." if before is None else "Reassigned."
    if kind is K.NOTE_CHANGED:
        return "The description was updated."
    if kind is K.CONTACT_CHANGED:
        if after is None:
            return "The contact was removed."
        return "A contact was added." if before is None else "The contact was changed."
    if kind is K.TYPE_CHANGED:
        return "The request type was changed."
    if kind is K.ACCOUNT_CHANGED:
        return "Moved to another account."
    if kind in ITEM_KINDS:
        item = _ITEM_WORDS.get(referenced_type(after or before) or "", "An item")
        linked = kind is K.ITEM_LINKED
        return f"{item} was {'linked to' if linked else 'unlinked from'} this request."
    if kind is K.PHOTO_ADDED:
        return "A photo was added."
    if kind is K.PHOTO_UPDATED:
        return "A photo was updated."
    if kind is K.PHOTO_REMOVED:
        return "A photo was removed."
    if kind is K.FOR_DATE_CHANGED:
        if before is None:
            return f"The date was set to {after}."
        return f"The date changed from {before} to {after}."
    if kind is K.INTERNAL_CHANGED:
        if after == "true":
            return "Marked internal: hidden from the customer."
        return "Shared with the customer."
    return "The request changed."
