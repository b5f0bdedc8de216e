"""What every subscription shares: the viewer's own channel, and ending with the session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from api.broker import current_broker
from api.context import Context
from models.errors import Unauthenticated
from models.events import contact_channel, user_channel
from models.viewer import Viewer


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
    task = message.get(slot)
    if task is None:
        task = asyncio.ensure_future(compute())
        message[slot] = task
    result: T = await task
    return result
