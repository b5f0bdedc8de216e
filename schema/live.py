"""What every subscription shares: the viewer's own channel, and ending with the session."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
)
from datetime import datetime
from typing import Any, TypeVar

from api import fanout
from api.broker import current_broker
from api.context import Context
from fastpath.shared_events import held, share_execution, variables_key
from models import auth, live_log
from models.clock import now
from models.errors import Forbidden, Unauthenticated
from models.events import contact_channel, user_channel
from models.viewer import Viewer
from schema import resume

SESSION_ENDED = "Your session has ended. Sign in again."
SESSION_EXPIRED = "Your session has expired. Sign in again."


def personal_channel(viewer: Viewer) -> str:
    if viewer.user is not None:
        return user_channel(viewer.user.id)
    assert viewer.contact is not None
    return contact_channel(viewer.contact.id)


async def messages(
    info: Any, kind: str, *channels: str, after: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """The `kind` messages of `channels` (the viewer's own by default) for this socket's
    viewer, in log order, each with its cursor (`schema.resume`), until their session
    ends. With `after`, the events after that cursor come first.

    Logout, deactivation, password and role changes publish a "session" message on
    the person's own channel; the socket then re-reads its session (see
    `_check_session`). A replay re-checks it before each page it reads.
    """
    context: Context = info.context
    viewer = context.viewer
    own = personal_channel(viewer)
    start = resume.decode_cursor(after) if after is not None else None
    expires = await auth.token_expiry(viewer.token_id)
    async with current_broker().subscribe(own, *[c for c in channels if c != own]) as queue:
        # Subscribed first: whatever commits from now on is both in the queue and in
        # the log, so reading the log from `start` leaves no gap.
        if start is None:
            reader = resume.LogReader(channels or [own], kind, await live_log.latest())
        else:
            await resume.check_kept(start, context.settings.live_event_retention_hours)
            reader = resume.LogReader(channels or [own], kind, start)

        async def still_signed_in() -> None:
            if expires is None:
                raise Unauthenticated(SESSION_ENDED)
            if expires <= now():
                raise Unauthenticated(SESSION_EXPIRED)
            await _check_session(info, viewer)

        async def in_order() -> AsyncGenerator[tuple[int | None, dict[str, Any]], None]:
            if start is not None:
                async for item in reader.catch_up(still_signed_in):
                    yield item
            async for message in until_expiry(queue, expires):
                if message.get("type") == "session":
                    await _check_session(info, viewer)
                elif message.get("type") == kind:
                    async for item in reader.up_to(message):
                        yield item

        async with contextlib.aclosing(in_order()) as ordered:
            async for log_id, message in ordered:
                # Each message is a new read: nested fields must not come from the
                # loaders of the previous message.
                context.start_operation()
                resume.CURSOR.set(resume.cursor_of(message))
                yield message
                resume.CURSOR.set(None)
                reader.delivered(log_id)


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
            raise Unauthenticated(SESSION_EXPIRED) from None
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
    after: str | None = None,
) -> AsyncIterator[T]:
    """The events `build()` makes of the `kind` messages of `channel`, shared.

    Over graphql-transport-ws, subscribers whose document, variables and `scope`
    match are grouped (`api.fanout`): only the group's leader receives the
    channel and executes, the others write its encoded answer under their own
    operation id. The group reads the log from its own position, which moves as
    each frame is handed to the group, so a new leader goes on where the last one
    stopped. Otherwise (another transport, variables JSON cannot key, or a
    subscriber resuming `after` a cursor, whose replay is its own) each subscriber
    receives the shared event object and shares its execution.
    """
    context: Context = info.context
    sink = fanout.CURRENT.get()
    variables = variables_key(info.variable_values)
    if sink is None or variables is None or after is not None:
        async for message in messages(info, kind, channel, after=after):
            yield await shared_event(message, key, build, scope)
        return

    def group_key() -> Hashable:
        return (id(info.operation), variables, scope(context))

    broker = current_broker()
    viewer = context.viewer
    expires = await auth.token_expiry(viewer.token_id)

    async def join() -> fanout.Member:
        joined = fanout.join(broker, channel, group_key(), info.operation, sink, queue)
        if joined.group.position is None:  # a new group: it starts at the log's end
            start = await live_log.latest()  # after joining: nothing committed since is missed
            if joined.group.position is None:
                joined.group.position = start
        return joined

    async with broker.subscribe(personal_channel(viewer)) as queue:
        member = await join()
        try:
            async for message in until_expiry(queue, expires):
                if fanout.is_frame(message):
                    await sink.send_next(message["payload"])
                    continue
                if message.get("type") == "session":
                    await _check_session(info, viewer)
                    if member.group.key != group_key():  # the viewer's permissions changed
                        fanout.leave(broker, member)
                        member = await join()
                    continue
                event = fanout.channel_message(message)
                if event is None or event.get("type") != kind or not member.leads:
                    continue
                position = member.group.position
                assert position is not None  # set by `join`, before this loop
                reader = resume.LogReader([channel], kind, position)
                async with contextlib.aclosing(reader.up_to(event)) as in_order:
                    async for log_id, delivered in in_order:
                        if not member.leads:
                            break  # dropped meanwhile: the next leader goes on from there
                        # The next leader's, should this one leave before its frame is
                        # handed on; reading from the group's position, it repeats nothing.
                        member.pending = message
                        member.mark = log_id  # the group's position once the frame is out
                        context.start_operation()
                        shared = await shared_event(delivered, key, build, scope)
                        # This answer is the group's: send_as_leader forwards it.
                        member.forwarding = True
                        resume.CURSOR.set(resume.cursor_of(delivered))
                        yield shared
                        resume.CURSOR.set(None)
                member.pending = None
        finally:
            fanout.leave(broker, member)
