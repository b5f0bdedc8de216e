"""What every subscription shares: the viewer's own channel, and ending with the session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from api import fanout
from api.broker import current_broker
from api.context import Context
from fastpath.shared_events import held, share_execution, variables_key
from models import auth
from models.clock import now
from models.errors import Forbidden, Unauthenticated
from models.events import contact_channel, user_channel
from models.viewer import Viewer

SESSION_ENDED = "Your session has ended. Sign in again."


def personal_channel(viewer: Viewer) -> str:
    if viewer.user is not None:
        return user_channel(viewer.user.id)
    assert viewer.contact is not None
    return contact_channel(viewer.contact.id)


async def messages(info: Any, *channels: str) -> AsyncIterator[dict[str, Any]]:
    """Messages of `channels` for this socket's viewer, until their session ends.

    Logout, deactivation, password and role changes publish a "session" message on
    the person's own channel; the socket then re-reads its session (see
    `_check_session`).
    """
    context: Context = info.context
    viewer = context.viewer
    own = personal_channel(viewer)
    expires = await auth.token_expiry(viewer.token_id)
    async with current_broker().subscribe(own, *[c for c in channels if c != own]) as queue:
        async for message in until_expiry(queue, expires):
            if message.get("type") == "session":
                await _check_session(info, viewer)
                continue
            # Each message is a new read: nested fields must not come from the
            # loaders of the previous message.
            context.start_operation()
            yield message


async def until_expiry(
    queue: AsyncIterable[dict[str, Any]], expires: datetime | None
) -> AsyncIterator[dict[str, Any]]:
    """The queue's messages until the token expires: then the subscription ends with
    UNAUTHENTICATED, as on logout (an expired token kept a socket alive for good)."""
    if expires is None:
        raise Unauthenticated(SESSION_ENDED)
    waiting = aiter(queue)
    while True:
        left = (expires - now()).total_seconds()
        try:
            if left <= 0:
                raise TimeoutError
            async with asyncio.timeout(left):
                message = await anext(waiting)
        except TimeoutError:
            raise Unauthenticated("Your session has expired. Sign in again.") from None
        except StopAsyncIteration:
            return
        yield message


async def _check_session(info: Any, viewer: Viewer) -> None:
    """End the subscription with UNAUTHENTICATED if its token is dead, or FORBIDDEN
    if the person may no longer subscribe to this field (their roles changed)."""
    context: Context = info.context
    await context.refresh_viewer()
    if context.viewer.token_id != viewer.token_id:
        raise Unauthenticated(SESSION_ENDED)
    # The field's own rules, as Strawberry checked them at subscribe time (ours
    # look at the viewer only, and raise their own error).
    for permission in info._field.permission_classes:
        if not permission().has_permission(None, info):
            raise Forbidden()


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
    execution of their selection (`fastpath.shared_events`). Choose `by_permissions`
    only for an event type none of whose fields looks at the viewer.
    """
    event = await shared(message, key, build)
    share_execution(event, scope)
    return event


async def shared_events(
    info: Any,
    channel: str,
    kind: str,
    key: str,
    build: Callable[[], Awaitable[T]],
    scope: Callable[[Context], Hashable] = by_viewer,
) -> AsyncIterator[T]:
    """The events `build()` makes of the `kind` messages of `channel`, shared.

    Over graphql-transport-ws, subscribers whose document, variables and `scope`
    match are grouped (`api.fanout`): only the group's leader receives the
    channel and executes, the others write its encoded answer under their own
    operation id. Otherwise (another transport, variables JSON cannot key) each
    subscriber receives the shared event object and shares its execution.
    """
    context: Context = info.context
    sink = fanout.CURRENT.get()
    variables = variables_key(info.variable_values)
    if sink is None or variables is None:
        async for message in messages(info, channel):
            if message.get("type") == kind:
                yield await shared_event(message, key, build, scope)
        return

    def group_key() -> Hashable:
        return (id(info.operation), variables, scope(context))

    broker = current_broker()
    viewer = context.viewer
    expires = await auth.token_expiry(viewer.token_id)
    async with broker.subscribe(personal_channel(viewer)) as queue:
        member = fanout.join(broker, channel, group_key(), info.operation, sink, queue)
        try:
            async for message in until_expiry(queue, expires):
                if fanout.is_frame(message):
                    await sink.send_next(message["payload"])
                    continue
                if message.get("type") == "session":
                    await _check_session(info, viewer)
                    if member.group.key != group_key():  # the viewer's permissions changed
                        fanout.leave(broker, member)
                        member = fanout.join(
                            broker, channel, group_key(), info.operation, sink, queue
                        )
                    continue
                event = fanout.channel_message(message)
                if event is None or event.get("type") != kind or not member.leads:
                    continue
                member.pending = message  # the next leader's, should this one leave now
                context.start_operation()
                shared = await shared_event(event, key, build, scope)
                member.forwarding = True  # this answer is the group's: send_as_leader forwards it
                yield shared
        finally:
            fanout.leave(broker, member)
