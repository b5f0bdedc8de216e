"""Typed domain errors: operations raise them, resolvers turn them into userErrors."""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    """Every code a client may see in `userErrors`; the GraphQL enum mirrors it."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    ACCOUNT_INACTIVE = "ACCOUNT_INACTIVE"
    USER_INACTIVE = "USER_INACTIVE"
    NOT_ACCOUNT_MANAGER = "NOT_ACCOUNT_MANAGER"
    CYCLE = "CYCLE"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    TYPE_INACTIVE = "TYPE_INACTIVE"
    NOT_PORTAL_TYPE = "NOT_PORTAL_TYPE"
    CONTACT_NOT_OF_ACCOUNT = "CONTACT_NOT_OF_ACCOUNT"
    ON_BEHALF_NOT_ALLOWED = "ON_BEHALF_NOT_ALLOWED"
    TRANSITION_NOT_ALLOWED = "TRANSITION_NOT_ALLOWED"
    ASSIGNEE_NOT_ELIGIBLE = "ASSIGNEE_NOT_ELIGIBLE"
    ASSIGNEE_CANNOT_SEE_ACCOUNT = "ASSIGNEE_CANNOT_SEE_ACCOUNT"
    USER_ARCHIVED = "USER_ARCHIVED"
    MANAGER_CREATE_NOT_ALLOWED = "MANAGER_CREATE_NOT_ALLOWED"
    HAS_LINKED_ITEMS = "HAS_LINKED_ITEMS"
    SERVICE_REQUESTS_DISABLED = "SERVICE_REQUESTS_DISABLED"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    NOT_LINKABLE = "NOT_LINKABLE"
    CREDIT_REQUEST_PENDING = "CREDIT_REQUEST_PENDING"
    OVERPAYMENT = "OVERPAYMENT"
    PHOTO_TOO_LARGE = "PHOTO_TOO_LARGE"
    PHOTO_TYPE_NOT_ALLOWED = "PHOTO_TYPE_NOT_ALLOWED"
    NOT_AN_IMAGE = "NOT_AN_IMAGE"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_SIZE_MISMATCH = "UPLOAD_SIZE_MISMATCH"
    UPLOAD_EXPIRED = "UPLOAD_EXPIRED"
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    INVALID_TOKEN = "INVALID_TOKEN"
    NO_PORTAL_ACCESS = "NO_PORTAL_ACCESS"
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"
    ENDPOINT_DISABLED = "ENDPOINT_DISABLED"


class DomainError(Exception):
    """A problem the user can fix: reported as `userErrors`, never as a crash."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class DomainErrors(Exception):
    """Several fixable problems found at once (all reported together)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def not_found(field: str, what: str) -> DomainError:
    """The one wording for a missing or invisible row: both answer alike."""
    return DomainError(ErrorCode.NOT_FOUND, f"No {what} with this ID.", field)


class AccessError(Exception):
    """Not signed in or not allowed: a top-level GraphQL error with `extensions.code`."""

    code = "FORBIDDEN"

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message)
        # graphql-core copies `extensions` of the original error into the response.
        self.extensions = {"code": self.code}


class Unauthenticated(AccessError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__(message)


class Forbidden(AccessError):
    code = "FORBIDDEN"


class SubscriberTooSlow(AccessError):
    """A subscriber so far behind that its queue is full: its subscription ends."""

    code = "SUBSCRIBER_TOO_SLOW"

    def __init__(
        self,
        message: str = "This subscription fell too far behind and was ended. "
        "Subscribe again with `after` set to the cursor of the last event you received.",
    ) -> None:
        super().__init__(message)


class LiveUpdatesInterrupted(AccessError):
    """The event broker was lost (or is down): events may have been missed."""

    code = "LIVE_UPDATES_INTERRUPTED"

    def __init__(
        self,
        message: str = "Live updates are interrupted. Subscribe again in a moment, with `after` "
        "set to the cursor of the last event you received.",
    ) -> None:
        super().__init__(message)


class CursorExpired(AccessError):
    """A subscription resumed from an event no longer kept (older than the retention
    window, or purged): what followed it cannot be replayed."""

    code = "CURSOR_EXPIRED"

    def __init__(
        self,
        message: str = "This cursor is too old to resume from: the events after it are no "
        "longer kept. Fetch the current state again, then subscribe without `after`.",
    ) -> None:
        super().__init__(message)


class InputError(AccessError):
    """A malformed argument (an ID, a cursor, a page size): a top-level client error."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
