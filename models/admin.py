"""`docket create-admin`: the first admin, idempotent on the same e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.errors import DomainError, DomainErrors
from models.permissions import Role
from models.users import User, UserData, UserRole, add_user


@dataclass
class Outcome:
    ok: bool
    message: str


async def create_admin(*, email: str, password: str, name: str) -> Outcome:
    """Create an admin through the same checks as createUser; say plainly what happened."""
    address = email.strip().lower()
    existing = await User.get_or_none(email=address)
    if existing is not None:
        if await UserRole.filter(user_id=existing.id, role=Role.ADMIN).exists():
            return Outcome(True, f"{address} is already an admin; nothing changed.")
        return Outcome(
            False,
            f"error: {address} already belongs to a user who is not an admin; "
            "grant the ADMIN role with updateUser instead.",
        )
    data = UserData(name=name, email=email, password=password, roles=[Role.ADMIN])
    try:
        async with in_transaction():
            user = await add_user(data)
    except DomainErrors as errors:
        return Outcome(False, "\n".join(_line(error) for error in errors.errors))
    except DomainError as error:
        return Outcome(False, _line(error))
    return Outcome(True, f"created admin {user.email}; sign in with the login mutation.")


def _line(error: DomainError) -> str:
    prefix = "weak password" if error.code.value == "WEAK_PASSWORD" else error.field or "error"
    return f"error: {prefix}: {error.message}"
