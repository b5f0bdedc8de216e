"""Password hashing (argon2) and the strength rule shared by users, contacts and the CLI."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.errors import DomainError, ErrorCode

MIN_LENGTH = 10
MAX_LENGTH = 200
_COMMON = {
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "qwertyuiop",
    "1234567890",
    "0123456789",
    "letmein123",
    "welcome123",
    "iloveyou12",
    "administrator",
    "changeme123",
}
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both cases take as long.
_DUMMY_HASH = _hasher.hash("docket-dummy-password")


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why `password` is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _COMMON or len(set(password)) < 4:
        return "This password is too easy to guess."
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return "The password must not contain your e-mail address."
    return None


def check_strength(password: str, *, email: str = "", field: str = "password") -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise DomainError(ErrorCode.WEAK_PASSWORD, problem, field)


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)
