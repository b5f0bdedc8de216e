"""The inbox, the notificationAdded subscription, and the mail outbox for admins."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.permissions import CanManageSetup, IsAuthenticated
from models import notifications, outbox
from models.permissions import Permission
from schema import live
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node, resolve_nodes
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import decode_as, encode_id, key_for
from schema.relay.keyset_paging import key_cursor, paginate_by_key
from schema.resume import AFTER_DESCRIPTION

strawberry.enum(notifications.NotificationKind, description="What a notification is about.")
strawberry.enum(outbox.OutboxStatus, description="Where an e-mail is on its way out.")


@strawberry.type(description="A message in the viewer's inbox.")
class Notification(Node):
    kind: notifications.NotificationKind = strawberry.field(description="What happened.")
    title: str = strawberry.field(description="One line to show in a list.")
    body: str = strawberry.field(description="The full text.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    read_at: datetime | None = strawberry.field(description="When the viewer marked it read.")
    cursor: str = strawberry.field(
        description="Pass as `after` to `notifications` to fetch what arrived after this one "
        "(how a client that reconnects catches up)."
    )
    subject_type: strawberry.Private[str | None]
    subject_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: notifications.Notification) -> Notification:
        return cls(
            id=strawberry.ID(encode_id("Notification", row.id)),
            kind=row.kind,
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
            cursor=key_cursor(row.id),
            subject_type=row.subject_type,
            subject_id=row.subject_id,
        )

    @strawberry.field(description="True once the viewer has marked it read.")
    def is_read(self) -> bool:
        return self.read_at is not None

    @strawberry.field(description="What the notification is about, if the viewer may still see it.")
    async def subject(self, info: Info) -> Node | None:
        if self.subject_type is None or self.subject_id is None:
            return None
        return (await resolve_nodes(info, [(self.subject_type, self.subject_id)]))[0]


@strawberry.type(description="An e-mail in the outbox (admins).")
class OutboxEmail(Node):
    to_address: str = strawberry.field(description="Recipient address.")
    subject: str = strawberry.field(description="Subject line.")
    template: str = strawberry.field(description="Which template it was made from.")
    message_id: str = strawberry.field(description="The unique Message-ID header.")
    status: outbox.OutboxStatus = strawberry.field(description="Where it is on its way out.")
    attempts: int = strawberry.field(description="Delivery attempts so far.")
    next_attempt_at: datetime = strawberry.field(description="When the next attempt is due.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    sent_at: datetime | None = strawberry.field(description="When the server accepted it.")
    created_at: datetime = strawberry.field(description="When it was queued.")

    @classmethod
    def from_row(cls, row: outbox.OutboxEmail) -> OutboxEmail:
        return cls(
            id=strawberry.ID(encode_id("OutboxEmail", row.id)),
            to_address=row.to_address,
            subject=row.subject,
            template=row.template,
            message_id=row.message_id,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            sent_at=row.sent_at,
            created_at=row.created_at,
        )


async def _load_notifications(
    info: Info, ids: list[int]
) -> list[notifications.Notification | None]:
    rows = await notifications.visible_notifications(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


async def _load_outbox(info: Info, ids: list[int]) -> list[outbox.OutboxEmail | None]:
    if not info.context.viewer.can(Permission.MANAGE_SETUP):
        return [None] * len(ids)
    rows = await outbox.OutboxEmail.filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node(
    "Notification",
    _load_notifications,
    Notification.from_row,
    rows=lambda info: notifications.visible_notifications(info.context.viewer),
)
register_node("OutboxEmail", _load_outbox, OutboxEmail.from_row)


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="The viewer's notifications, oldest first, with cursors that name "
        "notifications: `last: 20` is the newest page, and after reconnecting, "
        "`after: <cursor of the newest you have>` returns everything missed.",
        permission_classes=[IsAuthenticated],
    )
    async def notifications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only notifications not yet read.")
        ] = False,
    ) -> Connection[Notification]:
        query = notifications.visible_notifications(info.context.viewer)
        if unread_only:
            query = query.filter(read_at__isnull=True)
        return await paginate_by_key(
            query, PageArgs(first, after, last, before), Notification.from_row
        )

    @strawberry.field(
        description="How many of the viewer's notifications are unread.",
        permission_classes=[IsAuthenticated],
    )
    async def unread_notification_count(self, info: Info) -> int:
        return await notifications.unread_count(info.context.viewer)

    @strawberry.field(
        description="The mail outbox, oldest first (admins).",
        permission_classes=[CanManageSetup],
    )
    async def outbox_emails(
        self,
        info: Info,
        status: Annotated[
            outbox.OutboxStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[OutboxEmail]:
        query = outbox.visible_outbox(info.context.viewer)
        if status is not None:
            query = query.filter(status=status)
        return await paginate_by_key(
            query, PageArgs(first, after, last, before), OutboxEmail.from_row
        )


@strawberry.input(description="Which notifications to mark read: some by ID, or all.")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="These notifications (at most 100)."
    )
    all: bool = strawberry.field(default=False, description="Every unread notification.")


@strawberry.type(description="Result of markNotificationsRead.")
class MarkNotificationsReadPayload:
    marked_count: int = strawberry.field(description="How many changed from unread to read.")
    unread_count: int | None = strawberry.field(description="Unread notifications left.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A FAILED e-mail to send again.")
class RetryOutboxEmailInput:
    id: strawberry.ID = strawberry.field(description="The outbox e-mail.")


@strawberry.type(description="Result of retryOutboxEmail.")
class RetryOutboxEmailPayload:
    outbox_email: OutboxEmail | None = strawberry.field(description="The e-mail, PENDING again.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark some or all of the viewer's notifications read.",
        permission_classes=[IsAuthenticated],
    )
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        viewer = info.context.viewer
        ids = None
        if input.ids is not None:
            ids = [pk for pk in (decode_as(i, "Notification") for i in input.ids) if pk]
        marked, errors = await run_in_transaction(
            lambda: notifications.mark_read(viewer, ids, input.all)
        )
        left = None if errors else await notifications.unread_count(viewer)
        return MarkNotificationsReadPayload(
            marked_count=marked or 0, unread_count=left, user_errors=errors
        )

    @strawberry.mutation(
        description="Queue a FAILED e-mail for delivery again (admins).",
        permission_classes=[CanManageSetup],
    )
    async def retry_outbox_email(
        self, info: Info, input: RetryOutboxEmailInput
    ) -> RetryOutboxEmailPayload:
        viewer = info.context.viewer
        row, errors = await run_in_transaction(
            lambda: outbox.retry(viewer, key_for(input.id, "OutboxEmail"))
        )
        return RetryOutboxEmailPayload(
            outbox_email=OutboxEmail.from_row(row) if row else None, user_errors=errors
        )


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(
        description="Each new notification of the viewer, as it happens (assignments "
        "included), each with its cursor in the `next` payload's `extensions.cursor`. "
        "After a reconnect, pass the last one as `after` to receive what was missed "
        "first (within the retention window), then live ones. Ends when the session "
        "ends (logout, deactivation, password change).",
        permission_classes=[IsAuthenticated],
    )
    async def notification_added(
        self,
        info: Info,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> AsyncGenerator[Notification, None]:
        viewer = info.context.viewer
        async for message in live.messages(info, "notification", after=after):
            # Events carry IDs: re-read through the viewer's own visibility.
            row = await notifications.visible_notifications(viewer).get_or_none(id=message["id"])
            if row is not None:
                yield Notification.from_row(row)
