"""Notification preferences: per kind, in the app and by e-mail (each staff user their own)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import IsStaff
from models import notification_preferences as preferences
from models.notifications import NotificationKind
from schema.errors import UserError, run_in_transaction
from schema.notifications import Notification  # noqa: F401  (registers NotificationKind)


@strawberry.type(description="Where one kind of notification reaches the viewer.")
class NotificationPreference:
    kind: NotificationKind = strawberry.field(description="The kind of notification.")
    in_app: bool = strawberry.field(description="Shown in the inbox and on `notificationAdded`.")
    email: bool = strawberry.field(description="Sent by e-mail too.")

    @classmethod
    def of(cls, chosen: preferences.Preference) -> NotificationPreference:
        return cls(kind=chosen.kind, in_app=chosen.in_app, email=chosen.email)


@strawberry.input(description="Where one kind of notification should reach the viewer.")
class NotificationPreferenceInput:
    kind: NotificationKind = strawberry.field(description="The kind of notification.")
    in_app: bool = strawberry.field(description="Show it in the inbox and live.")
    email: bool = strawberry.field(description="Send it by e-mail too.")


@strawberry.input(description="The viewer's choices; kinds left out keep theirs.")
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="One entry per kind to change, each kind at most once (at most 100)."
    )


@strawberry.type(description="Result of updateNotificationPreferences.")
class UpdateNotificationPreferencesPayload:
    notification_preferences: list[NotificationPreference] | None = strawberry.field(
        description="Every kind with where it now reaches the viewer."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class NotificationPreferenceQueries:
    @strawberry.field(
        description="Every kind of notification with where it reaches the viewer: in the "
        "app, by e-mail (their choice, else the kind's default). Staff only.",
        permission_classes=[IsStaff],
    )
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        chosen = await preferences.preferences_of(info.context.viewer)
        return [NotificationPreference.of(p) for p in chosen]


@strawberry.type
class NotificationPreferenceMutations:
    @strawberry.mutation(
        description="Choose, per kind, whether notifications show in the app and whether "
        "they are mailed (the viewer's own; staff only).",
        permission_classes=[IsStaff],
    )
    async def update_notification_preferences(
        self, info: Info, input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        viewer = info.context.viewer
        changes = [
            preferences.Preference(kind=NotificationKind(p.kind), in_app=p.in_app, email=p.email)
            for p in input.preferences
        ]
        chosen, errors = await run_in_transaction(
            lambda: preferences.update_preferences(viewer, changes)
        )
        return UpdateNotificationPreferencesPayload(
            notification_preferences=(
                [NotificationPreference.of(p) for p in chosen] if chosen is not None else None
            ),
            user_errors=errors,
        )
