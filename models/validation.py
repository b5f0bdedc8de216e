"""Input cleaning shared by every domain: trimmed text, lengths, e-mail shape."""

from __future__ import annotations

import re

from models.errors import DomainError, ErrorCode, InputError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LIST_ITEMS = 100
MAX_SEARCH = 1_000


def clean_text(value: str | None, field: str, max_length: int) -> str:
    """A required text: trimmed, not blank, not longer than `max_length`."""
    text = (value or "").strip()
    if not text:
        raise DomainError(ErrorCode.REQUIRED, f"{field} must not be blank.", field)
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.TOO_LONG, f"{field} must be at most {max_length} characters.", field
        )
    return text


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    """An optional text: None stays None (unchanged); blank becomes None."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.TOO_LONG, f"{field} must be at most {max_length} characters.", field
        )
    return text


def clean_email(value: str | None, field: str) -> str:
    email = clean_text(value, field, 254).lower()
    if not _EMAIL.match(email):
        raise DomainError(ErrorCode.INVALID, "This is not an e-mail address.", field)
    return email


def check_list(values: list[object] | None, field: str) -> None:
    if values is not None and len(values) > MAX_LIST_ITEMS:
        raise DomainError(
            ErrorCode.TOO_MANY_ITEMS, f"{field} takes at most {MAX_LIST_ITEMS} items.", field
        )


def search_term(value: str | None) -> str:
    """A list filter's search words, trimmed; "" for none. Far longer than anything
    anyone searches for is refused (SQLite gives up on a LIKE pattern of 50,000)."""
    term = (value or "").strip()
    if len(term) > MAX_SEARCH:
        raise InputError(f"`filter.search` takes at most {MAX_SEARCH} characters.")
    return term
