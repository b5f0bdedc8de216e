"""`userErrors` and the one way resolvers run an operation inside a transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from api.broker import publish
from api.context import forget_cached_rows
from models import live_log
from models.errors import DomainError, DomainErrors, ErrorCode
from models.events import collect_events, holder

T = TypeVar("T")

# Registers the domain enum as the GraphQL `UserErrorCode` (same class, no copy).
strawberry.enum(ErrorCode, name="UserErrorCode", description="Why a mutation refused its input.")


@strawberry.type(description="A problem with the input that the user can fix.")
class UserError:
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "name"].'
    )
    message: str = strawberry.field(description="Human-readable explanation.")

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        path = ["input", *error.field.split(".")] if error.field else None
        return cls(code=error.code, field=path, message=error.message)


async def run_in_transaction(
    operation: Callable[[], Awaitable[T]],
) -> tuple[T | None, list[UserError]]:
    """Run one domain operation atomically; fixable problems become userErrors.

    Anything the operation wrote is rolled back when it reports a problem, so a
    refused mutation leaves nothing half-written. Its events are written to the live
    event log in the same transaction, and published after the commit. Inside an
    enclosing transaction (an idempotent request) this one is a savepoint, and its
    events are published when the enclosing one commits.
    """
    try:
        with collect_events() as events:
            async with in_transaction() as connection:
                result = await operation()
                # Last, so the log's lock is held only until the commit (models.live_log),
                # or the enclosing transaction's for an idempotent request.
                events = await live_log.record(connection, events)
    except DomainErrors as errors:
        return None, [UserError.of(error) for error in errors.errors]
    except DomainError as error:
        return None, [UserError.of(error)]
    except IntegrityError:
        # Two requests raced past the same uniqueness check; the database won.
        conflict = DomainError(
            ErrorCode.DUPLICATE, "This conflicts with a change made at the same time."
        )
        return None, [UserError.of(conflict)]
    forget_cached_rows()
    held = holder()
    if held is None:
        await publish(events)
    else:
        held.events.extend(events)
    return result, []


async def after_commit(action: Callable[[], Awaitable[Any]]) -> None:
    """Run `action` once the change `run_in_transaction` made is committed: at once, or,
    inside an enclosing transaction, when that one commits (never if it rolls back)."""
    held = holder()
    if held is None:
        await action()
    else:
        held.actions.append(action)
