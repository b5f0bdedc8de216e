"""What every subscription shares: the viewer's own channel, and ending with the session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

from api.broker import current_broker
from api.context import Context
from models.errors import Unauthenticated
from models.events import contact_channel, user_channel
from models.viewer import Viewer
from schema.shared_events import held, share_execution


def personal_channel(viewer: Viewer) -> str:
    if viewer.user is not None:
        return user_channel(viewer.user.id)
    assert viewer.contact is not None
    return contact_channel(viewer.contact.id)


async def messages(context: Context, *channels: str) -> AsyncIterator[dict[str, Any]]:
    """Messages of `channels` for this socket's viewer, until their session ends.

    Logout, deactivation and password changes publish a "session" message on the
    person's own channel; the socket then re-checks its token and, if it is dead,
    ends the subscription with UNAUTHENTICATED.
    """
    viewer = context.viewer
    own = personal_channel(viewer)
    async with current_broker().subscribe(own, *[c for c in channels if c != own]) as queue:
        async for message in queue:
            if message.get("type") == "session":
                await context.refresh_viewer()
                if context.viewer.token_id != viewer.token_id:
                    raise Unauthenticated("Your session has ended. Sign in again.")
                continue
            # Each message is a new read: nested fields must not come from the
            # loaders of the previous message.
            context.start_operation()
            yield message


T = TypeVar("T")


async def shared(message: dict[str, Any], key: str, compute: Callable[[], Awaitable[T]]) -> T:
    """`compute()` once per message per process, whatever the number of subscribers.

    The broker hands the same message object to every local subscriber, so the
    first one starts the work and the others await the same task.
    """
    slot = f"_shared:{key}"
    result = message.get(slot)
    if result is None:
        result = message[slot] = held(compute())
    value: T = await result
    return value


def by_permissions(context: Context) -> Hashable:
    """Sharing scope of an event whose fields depend on nothing but what the viewer may do."""
    viewer = context.viewer
    return (viewer.is_staff, viewer.permissions)


def by_viewer(context: Context) -> Hashable:
    """Sharing scope of an event whose fields depend on who is looking (the default)."""
    viewer = context.viewer
    return (viewer.user_id, viewer.contact.id if viewer.contact else None, viewer.permissions)


async def shared_event(
    message: dict[str, Any],
    key: str,
    build: Callable[[], Awaitable[T]],
    scope: Callable[[Context], Hashable] = by_viewer,
) -> T:
    """The same event object for every subscriber of `message`, executed once per scope.

    Subscribers with the same document, variables and `scope` then share one
    execution of their selection (`schema.shared_events`). Choose `by_permissions`
    only for an event type none of whose fields looks at the viewer.
    """
    event = await shared(message, key, build)
    share_execution(event, scope)
    return event
