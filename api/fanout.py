"""Direct delivery: one execution and one encoding per event for a group of sockets.

Subscribers of one channel whose answers are bound to be equal (same document,
variables and sharing scope, see `schema.live.shared_events`) form a group in
each process. Only the group's leader hears the channel: it executes the event
the standard way, and when its `next` frame goes out (`GraphQLTransportWS`),
the encoded payload is handed to every follower's bounded queue. A follower's
task then writes the same bytes under its own operation id: no execution, no
result chain, one wake-up. When the leader leaves, the next member leads, and
takes over the channel messages the old leader had not read yet.

Only graphql-transport-ws operations take part (`CURRENT` names their socket
and operation); any other caller of a subscription runs the standard way.
"""

from __future__ import annotations

from collections.abc import Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson

from api.broker import Broker, Subscription

# A leader writing to its socket while this many channel messages wait for it is
# holding its group back: it is dropped and the next member leads.
STALLED_LEADER = 32
# Marks of the messages the hub puts into its members' queues.
FRAME = "docket.frame"  # {"type": FRAME, "payload": <encoded payload>}: write it
EVENT = "docket.event"  # {"type": EVENT, "message": <channel message>}: lead on it


class Sink:
    """Where the frames of one graphql-transport-ws operation go."""

    def __init__(self, handler: Any, operation_id: str) -> None:
        self.handler = handler  # the protocol handler: its `websocket` adapter sends text
        self.operation_id = operation_id
        self.member: Member | None = None
        self._prefix = '{"id":' + orjson.dumps(operation_id).decode() + ',"type":"next","payload":'

    async def send_next(self, payload: str) -> None:
        """The frame `Operation.send_next` would send, from a payload already encoded."""
        await self.handler.websocket.send_text(self._prefix + payload + "}")


# The socket operation the current task runs (set per operation task).
CURRENT: ContextVar[Sink | None] = ContextVar("docket_fanout_sink", default=None)


@dataclass(eq=False)
class Member:
    sink: Sink
    queue: Subscription  # the subscriber's own broker queue (its personal channel)
    group: Group
    forwarding: bool = False  # leader: the frame it is about to send is the group's
    sending: bool = False  # leader: writing the group's frame to its own socket
    # leader: the channel message it is answering, handed on if it leaves before forwarding
    pending: dict[str, Any] | None = None
    # leader: the group's `position` once the frame it is sending is handed on
    mark: int | None = None

    @property
    def leads(self) -> bool:
        return bool(self.group.members) and self.group.members[0] is self


@dataclass(eq=False)
class Group:
    channel: str
    key: Hashable
    anchor: Any  # keeps what `key` and `_GROUPS` name by id alive (operation node, broker)
    members: list[Member] = field(default_factory=list)
    inbox: _Inbox | None = None
    # The last event (a log id) handed to the group, for groups that read a log in
    # order (`schema.live.shared_events`): a new leader goes on from there.
    position: int | None = None


class _Inbox(Subscription):
    """The group's one subscription to its channel: messages go to the current leader.

    A leader is dropped (`Subscription.drop`), and the next member leads with what
    it had not read, when it is stuck writing to its socket with STALLED_LEADER
    messages waiting, or when its queue is full: then the whole group is that far
    behind, and each member is dropped in turn, to subscribe again and re-list.
    """

    def __init__(self, group: Group, broker: Broker) -> None:
        super().__init__(group.channel)
        self.group = group
        self.broker = broker

    def offer(self, message: dict[str, Any]) -> bool:
        members = self.group.members
        while members:
            leader = members[0]
            if leader.sending and leader.queue.queue.qsize() >= STALLED_LEADER:
                leader.queue.drop()  # its socket holds the group back: the next one leads
            elif leader.queue.offer({"type": EVENT, "message": message}):
                return True
            leave(self.broker, leader)
        return False


@dataclass
class Stats:
    """Frames written by followers without executing, for tests and the benchmark."""

    forwarded: int = 0


STATS = Stats()
# (broker, channel, key): a process runs one broker, but tests may run several apps.
_GROUPS: dict[tuple[int, str, Hashable], Group] = {}


def join(
    broker: Broker, channel: str, key: Hashable, anchor: Any, sink: Sink, queue: Subscription
) -> Member:
    """Add a subscriber to the group of (`channel`, `key`), creating it if needed."""
    group = _GROUPS.get((id(broker), channel, key))
    if group is None:
        group = _GROUPS[(id(broker), channel, key)] = Group(channel, key, (anchor, broker))
        group.inbox = _Inbox(group, broker)
        broker.attach(group.inbox, channel)
    member = Member(sink, queue, group)
    group.members.append(member)
    sink.member = member
    return member


def leave(broker: Broker, member: Member) -> None:
    """Remove a subscriber; a leaving leader hands its unread channel messages on."""
    group = member.group
    was_leader = member.leads
    member.sink.member = None
    if member in group.members:
        group.members.remove(member)
    if not group.members:
        if _GROUPS.get(place := (id(broker), group.channel, group.key)) is group:
            del _GROUPS[place]
        if group.inbox is not None:
            broker.detach(group.inbox, group.channel)
        return
    if was_leader:
        # The next leader answers what this one had taken but not forwarded, and
        # what it had not read; anything else stays in the queue it belongs to.
        heir = group.members[0].queue
        if member.pending is not None:
            heir.offer(member.pending)
        kept = []
        while not member.queue.queue.empty():
            message = member.queue.queue.get_nowait()
            if message.get("type") == EVENT:
                heir.offer(message)
            else:
                kept.append(message)
        for message in kept:
            member.queue.offer(message)
    member.pending = None


def group_size(channel: str) -> int:
    """Groups on `channel` in this process (for tests)."""
    return sum(1 for found in _GROUPS.values() if found.channel == channel)


def forward(member: Member, payload: str) -> None:
    """Hand the leader's encoded payload to every follower of its group."""
    member.forwarding = False
    group = member.group
    if member.mark is not None:
        # The group's position moves with the frame. The pending message stays: a
        # next leader reads from the position, so handing it on repeats nothing.
        group.position = max(group.position or 0, member.mark)
        member.mark = None
    else:
        member.pending = None
    for follower in member.group.members[1:]:
        follower.queue.offer({"type": FRAME, "payload": payload})
        STATS.forwarded += 1


async def send_as_leader(sink: Sink, payload: dict[str, Any]) -> bool:
    """Send a leader's `next` frame and forward it; False if this frame is not the group's."""
    member = sink.member
    if member is None or not member.forwarding:
        return False
    encoded = orjson.dumps(payload).decode()
    # Followers first: they never wait for the leader's socket, even a slow or
    # closing one.
    forward(member, encoded)
    member.sending = True
    try:
        await sink.send_next(encoded)
    finally:
        member.sending = False
    return True


def is_frame(message: dict[str, Any]) -> bool:
    return message.get("type") == FRAME


def channel_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """The channel message a leader received through its group, if this is one."""
    if message.get("type") == EVENT:
        inner: dict[str, Any] = message["message"]
        return inner
    return None
