"""Each staff user's choice, per kind of notification: in the app, by e-mail, both or neither.

`notifications.notify` applies them to every notification; this module reads and
changes the viewer's own. A choice equal to the kind's default is stored as no row,
so a user who never chose follows the defaults wherever they move.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import DomainError, ErrorCode
from models.notifications import DEFAULT_CHANNELS, NotificationKind, NotificationPreference
from models.validation import check_list
from models.viewer import Viewer, require_staff


@dataclass(frozen=True)
class Preference:
    """Where one kind of notification reaches the viewer."""

    kind: NotificationKind
    in_app: bool
    email: bool


async def preferences_of(viewer: Viewer) -> list[Preference]:
    """Every kind, in the enum's order, with the viewer's effective channels (staff)."""
    require_staff(viewer)
    chosen = {row.kind: row for row in await NotificationPreference.filter(user_id=viewer.user_id)}
    found = []
    for kind in NotificationKind:
        row = chosen.get(kind)
        default = DEFAULT_CHANNELS[kind]
        found.append(
            Preference(
                kind=kind,
                in_app=row.in_app if row else default.in_app,
                email=row.email if row else default.email,
            )
        )
    return found


async def update_preferences(viewer: Viewer, changes: list[Preference]) -> list[Preference]:
    """Set the viewer's channels for the kinds named (each at most once); the others stay."""
    require_staff(viewer)
    check_list(list(changes), "preferences")
    seen: set[NotificationKind] = set()
    for index, change in enumerate(changes):
        if change.kind in seen:
            raise DomainError(
                ErrorCode.DUPLICATE,
                f"{change.kind.value} is named twice; name each kind once.",
                f"preferences.{index}.kind",
            )
        seen.add(change.kind)
    user_id = viewer.user_id
    assert user_id is not None  # staff
    if seen:
        await NotificationPreference.filter(user_id=user_id, kind__in=list(seen)).delete()
    differing = [
        NotificationPreference(
            user_id=user_id, kind=change.kind, in_app=change.in_app, email=change.email
        )
        for change in changes
        if (change.in_app, change.email)
        != (DEFAULT_CHANNELS[change.kind].in_app, DEFAULT_CHANNELS[change.kind].email)
    ]
    if differing:
        await NotificationPreference.bulk_create(differing)
    return await preferences_of(viewer)
