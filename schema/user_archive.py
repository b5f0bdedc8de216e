"""Archiving (deleting) a staff user and restoring one: the admin mutations."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import CanManageSetup
from models import users
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.users import User


@strawberry.input(description="The user to archive.")
class ArchiveUserInput:
    user_id: strawberry.ID = strawberry.field(description="The user (never yourself).")


@strawberry.type(description="Result of archiveUser.")
class ArchiveUserPayload:
    user: User | None = strawberry.field(description="The archived user.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="The archived user to restore.")
class RestoreUserInput:
    user_id: strawberry.ID = strawberry.field(description="The archived user.")


@strawberry.type(description="Result of restoreUser.")
class RestoreUserPayload:
    user: User | None = strawberry.field(description="The restored user.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class UserArchiveMutations:
    @strawberry.mutation(
        description="Archive (delete) a staff user: they become inactive, their sessions and "
        "subscriptions end, their accounts are released, their open requests, tasks and "
        "appointments unassigned (each request with a timeline entry), their team seats "
        "taken; they leave `users` and every picker, and can be given nothing "
        "(USER_ARCHIVED). History keeps their name. Admins only, never yourself.",
        permission_classes=[CanManageSetup],
    )
    async def archive_user(self, info: Info, input: ArchiveUserInput) -> ArchiveUserPayload:
        viewer = info.context.viewer
        user_id = key_for(input.user_id, "User")
        done, errors = await run_in_transaction(lambda: users.archive_user(viewer, user_id))
        return ArchiveUserPayload(
            user=User.from_row(done.user) if done else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Bring an archived user back, active with their roles; nothing taken "
        "from them when archived is given back. Admins only.",
        permission_classes=[CanManageSetup],
    )
    async def restore_user(self, info: Info, input: RestoreUserInput) -> RestoreUserPayload:
        viewer = info.context.viewer
        user_id = key_for(input.user_id, "User")
        row, errors = await run_in_transaction(lambda: users.restore_user(viewer, user_id))
        return RestoreUserPayload(user=User.from_row(row) if row else None, user_errors=errors)
