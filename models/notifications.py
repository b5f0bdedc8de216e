"""In-app notifications and the one call every domain uses to notify people.

`notify()` runs inside the caller's transaction: it writes the Notification rows
and any OutboxEmail rows there, and queues one real-time event per recipient
that is published only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import outbox
from models.clock import now
from models.directory.accounts import Contact
from models.directory.users import User
from models.errors import DomainError, ErrorCode
from models.events import contact_channel, publish_after_commit, user_channel
from models.viewer import Viewer


class NotificationKind(str, Enum):
    ACCOUNT_ASSIGNED = "ACCOUNT_ASSIGNED"
    ACCOUNT_UNASSIGNED = "ACCOUNT_UNASSIGNED"
    ACCOUNT_REQUEST_ASSIGNED = "ACCOUNT_REQUEST_ASSIGNED"
    ACCOUNT_REQUEST_UNASSIGNED = "ACCOUNT_REQUEST_UNASSIGNED"
    SERVICE_REQUEST_SUBMITTED = "SERVICE_REQUEST_SUBMITTED"
    SERVICE_REQUEST_APPROVED = "SERVICE_REQUEST_APPROVED"
    SERVICE_REQUEST_DECLINED = "SERVICE_REQUEST_DECLINED"
    JOB_ASSIGNED = "JOB_ASSIGNED"
    ITEM_ASSIGNED = "ITEM_ASSIGNED"
    CREDIT_REQUESTED = "CREDIT_REQUESTED"
    CREDIT_DECIDED = "CREDIT_DECIDED"
    CREDIT_LIMIT_WARNING = "CREDIT_LIMIT_WARNING"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    ACCOUNT_REQUEST_RAISED = "ACCOUNT_REQUEST_RAISED"  # on an account the recipient manages
    CREDIT_REQUEST_ASSIGNED = "CREDIT_REQUEST_ASSIGNED"
    WEBHOOK_ENDPOINT_DISABLED = "WEBHOOK_ENDPOINT_DISABLED"  # to every admin


class Notification(Model):
    """A message in the inbox of one staff user or one portal contact."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    contact_id: int | None
    kind = fields.CharEnumField(NotificationKind, max_length=64)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # What the notification is about, as a Node type name and key (e.g. Account 7).
    subject_type = fields.CharField(max_length=64, null=True)
    subject_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "id"), ("contact_id", "id"))


@dataclass(frozen=True)
class Recipient:
    """A staff user or a portal contact, with the address mail goes to."""

    user: User | None = None
    contact: Contact | None = None

    @property
    def email(self) -> str | None:
        if self.user is not None:
            return self.user.email if self.user.is_active else None
        return self.contact.email if self.contact is not None else None

    @property
    def name(self) -> str:
        person = self.user or self.contact
        return person.name if person is not None else ""


@dataclass(frozen=True)
class Message:
    """What to tell: the in-app text, and the mail template to send, if any."""

    kind: NotificationKind
    title: str
    body: str
    subject_type: str | None = None
    subject_id: int | None = None
    mail_template: str | None = None
    mail_context: dict[str, str] | None = None


@dataclass(frozen=True)
class Channels:
    """Where one kind of notification reaches one person."""

    in_app: bool
    email: bool


# The mail of a kind that has none of its own: its title and body.
GENERIC_TEMPLATE = "notification"
# Without a preference every kind shows in the app. By e-mail by default: what was
# mailed before preferences existed, and a new request on an account one manages
# (the "You now manage" mail promises it). Kinds that may come often (a portal
# submission reaches every reviewer, assignments, credit warnings) mail only on request.
_MAILED_BY_DEFAULT = frozenset(
    {
        NotificationKind.ACCOUNT_ASSIGNED,
        NotificationKind.ACCOUNT_UNASSIGNED,
        NotificationKind.ACCOUNT_REQUEST_RAISED,
        NotificationKind.SERVICE_REQUEST_APPROVED,
        NotificationKind.SERVICE_REQUEST_DECLINED,
        NotificationKind.CREDIT_REQUESTED,
        NotificationKind.CREDIT_DECIDED,
        NotificationKind.WEBHOOK_ENDPOINT_DISABLED,
    }
)
DEFAULT_CHANNELS: dict[NotificationKind, Channels] = {
    kind: Channels(in_app=True, email=kind in _MAILED_BY_DEFAULT) for kind in NotificationKind
}


async def channels_for(user_ids: list[int], kind: NotificationKind) -> dict[int, Channels]:
    """Each user's channels for `kind`: their preference, else the kind's default."""
    found = {user_id: DEFAULT_CHANNELS[kind] for user_id in user_ids}
    if user_ids:
        chosen = NotificationPreference.filter(user_id__in=list(set(user_ids)), kind=kind)
        for row in await chosen:
            found[row.user_id] = Channels(in_app=row.in_app, email=row.email)
    return found


async def notify(recipients: Iterable[Recipient], message: Message) -> list[Notification]:
    """Write the inbox rows and mail of `message` for each recipient (in this transaction).

    A staff user gets each channel their preference for the kind allows (one query for
    all recipients); a kind without a mail of its own is mailed as its title and body.
    A portal contact gets the inbox row, and the mail when the message has one.
    """
    people = list(recipients)
    chosen = await channels_for([p.user.id for p in people if p.user is not None], message.kind)
    created = []
    for recipient in people:
        template: str | None
        if recipient.user is not None:
            channels = chosen[recipient.user.id]
            template = message.mail_template or GENERIC_TEMPLATE
        else:
            channels = Channels(in_app=True, email=message.mail_template is not None)
            template = message.mail_template
        if channels.in_app:
            created.append(await _write(recipient, message))
        if channels.email and template and recipient.email:
            facts = {"title": message.title, "body": message.body}
            await outbox.queue_email(
                to=recipient.email,
                template=template,
                context={"name": recipient.name, **facts, **(message.mail_context or {})},
            )
    return created


async def _write(recipient: Recipient, message: Message) -> Notification:
    row = await Notification.create(
        user_id=recipient.user.id if recipient.user else None,
        contact_id=recipient.contact.id if recipient.contact else None,
        kind=message.kind,
        title=message.title,
        body=message.body,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
    )
    if recipient.user is not None:
        channel = user_channel(recipient.user.id)
    else:
        assert recipient.contact is not None
        channel = contact_channel(recipient.contact.id)
    publish_after_commit(channel, type="notification", id=row.id)
    return row


def visible_notifications(viewer: Viewer) -> QuerySet[Notification]:
    """Each viewer sees their own inbox, nobody else's."""
    if viewer.user is not None:
        return Notification.filter(user_id=viewer.user.id)
    if viewer.contact is not None:
        return Notification.filter(contact_id=viewer.contact.id)
    return Notification.filter(id__in=[])


async def unread_count(viewer: Viewer) -> int:
    return await visible_notifications(viewer).filter(read_at__isnull=True).count()


async def mark_read(viewer: Viewer, ids: list[int] | None, everything: bool) -> int:
    """Mark some (ids) or all of the viewer's notifications read; returns how many changed."""
    if everything == (ids is not None):
        raise DomainError(ErrorCode.INVALID, "Give either ids or all: true.", "ids")
    query = visible_notifications(viewer).filter(read_at__isnull=True)
    if ids is not None:
        query = query.filter(id__in=ids)
    return await query.update(read_at=now())


class NotificationPreference(Model):
    """How one staff user wants one kind of notification: in the app, by e-mail, both or neither.

    No row means the kind's default (see `DEFAULT_CHANNELS`).
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharEnumField(NotificationKind, max_length=64)
    in_app = fields.BooleanField(default=True)
    email = fields.BooleanField(default=True)

    class Meta:
        table = "notification_preferences"
        unique_together = (("user_id", "kind"),)
