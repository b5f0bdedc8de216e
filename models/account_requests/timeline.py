"""What every change of a request leaves: timeline events, the live feed, and assignment notices."""

from __future__ import annotations

from models import notifications
from models.account_requests.portal import STAFF_ONLY_KINDS
from models.account_requests.tables import AccountRequest, AccountRequestEvent, EventKind
from models.directory.accounts import Account
from models.directory.users import User
from models.events import publish_after_commit
from models.viewer import Viewer
from models.webhooks import WebhookEventType, emit, payloads


def request_channel(request_id: int) -> str:
    return f"account-request:{request_id}"


async def record_event(
    request: AccountRequest,
    viewer: Viewer,
    kind: EventKind,
    before: str | None,
    after: str | None,
    *,
    visible_in_portal: bool = True,
) -> None:
    """One timeline entry; entries of staff-only kinds are never the portal's."""
    await AccountRequestEvent.create(
        request_id=request.id,
        kind=kind,
        actor_user_id=viewer.user_id,
        actor_contact_id=viewer.contact.id if viewer.contact else None,
        before=before,
        after=after,
        visible_in_portal=visible_in_portal and kind not in STAFF_ONLY_KINDS,
    )


def publish_change(request: AccountRequest) -> None:
    publish_after_commit(request_channel(request.id), type="updated", id=request.id)


async def announce_assignment(request: AccountRequest, previous_id: int | None) -> None:
    """The webhook of a new assignee (or none): who had the request before, too."""
    await emit(
        WebhookEventType.ACCOUNT_REQUEST_ASSIGNED,
        payloads.account_request(request, previousAssigneeId=payloads.gid("User", previous_id)),
    )


async def announce_update(request: AccountRequest, changed: list[str]) -> None:
    """The webhook of an edit, naming the fields that changed (as the API names them)."""
    await emit(
        WebhookEventType.ACCOUNT_REQUEST_UPDATED,
        payloads.account_request(request, changedFields=changed),
    )


async def tell_assignees(
    viewer: Viewer, request: AccountRequest, previous_id: int | None, new_id: int | None
) -> None:
    """The new assignee is told, and the previous one; nobody of their own doing."""
    account = await Account.get(id=request.account_id)
    actor = viewer.user.name if viewer.user else viewer.contact.name if viewer.contact else ""
    people = {u.id: u for u in await User.filter(id__in=[i for i in (previous_id, new_id) if i])}
    label = f"request #{request.id} of {account.name}"
    if new_id is not None and new_id != viewer.user_id and new_id in people:
        await notifications.notify(
            [notifications.Recipient(user=people[new_id])],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_REQUEST_ASSIGNED,
                title=f"Assigned to you: {label}",
                body=f"{actor} assigned {label} to you.",
                subject_type="AccountRequest",
                subject_id=request.id,
            ),
        )
    if previous_id is not None and previous_id != viewer.user_id and previous_id in people:
        new_name = people[new_id].name if new_id is not None and new_id in people else "no one"
        await notifications.notify(
            [notifications.Recipient(user=people[previous_id])],
            notifications.Message(
                kind=notifications.NotificationKind.ACCOUNT_REQUEST_UNASSIGNED,
                title=f"Reassigned: {label}",
                body=f"{actor} gave {label} to {new_name}.",
                subject_type="AccountRequest",
                subject_id=request.id,
            ),
        )
