"""Linking items to account requests: all or nothing, idempotent, on the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models import account_requests as requests
from models import accounts, items
from models.base import TimestampedModel as Item
from models.errors import DomainError, DomainErrors, ErrorCode, not_found
from models.ids import global_id
from models.linked_items import KINDS, Appointment, ItemKind, Kind, Linked, Task, visible_items
from models.viewer import Viewer

ItemRef = tuple[Kind | None, int]  # None: an ID of no linkable kind


def global_ref(kind: Kind, pk: int) -> str:
    return global_id(kind.type_name, pk)


async def _editable_request(viewer: Viewer, request_id: int) -> requests.AccountRequest:
    request = await requests.visible_account_requests(viewer).get_or_none(id=request_id)
    if request is None:
        raise not_found("accountRequestId", "account request")
    if not await requests.may_edit(viewer, request):
        raise DomainError(
            ErrorCode.FORBIDDEN, "You may not change this request.", "accountRequestId"
        )
    account = await accounts.Account.get(id=request.account_id)
    accounts.ensure_active(account, "accountRequestId")
    return request


async def _refusal(
    viewer: Viewer, request: requests.AccountRequest, ref: ItemRef, field: str
) -> DomainError | None:
    """Why this item may not be linked to this request, or None."""
    kind, pk = ref
    item = await visible_items(viewer, kind).get_or_none(id=pk) if kind is not None else None
    if kind is None or item is None:
        return DomainError(ErrorCode.NOT_FOUND, "No linkable item has this ID.", field)
    if item.account_id != request.account_id:  # type: ignore[attr-defined]
        reason: str | None = "The item belongs to another account."
    else:
        reason = kind.refusal(item)
    return DomainError(ErrorCode.NOT_LINKABLE, reason, field) if reason else None


async def link_items(
    viewer: Viewer, request_id: int, refs: Sequence[ItemRef]
) -> requests.AccountRequest:
    """Link every item, or none: each refused item is reported with its reason."""
    request = await _editable_request(viewer, request_id)
    problems = []
    for position, ref in enumerate(refs):
        problem = await _refusal(viewer, request, ref, f"itemIds.{position}")
        if problem is not None:
            problems.append(problem)
    if problems:
        raise DomainErrors(problems)
    added = 0
    for kind, pk in refs:
        assert kind is not None
        key: dict[str, Any] = {"request_id": request.id, kind.link_key: pk}
        _, created = await kind.link.get_or_create(defaults={"linked_by_id": viewer.user_id}, **key)
        if created:  # linking an already linked item is a no-op
            added += 1
            await requests.record_event(
                request,
                viewer,
                requests.EventKind.ITEM_LINKED,
                None,
                global_ref(kind, pk),
                visible_in_portal=kind.seen_by_contacts,
            )
    if added:
        await request.save(update_fields=["updated_at"])
        requests.publish_change(request)
    return request


async def unlink_item(viewer: Viewer, request_id: int, ref: ItemRef) -> requests.AccountRequest:
    request = await _editable_request(viewer, request_id)
    kind, pk = ref
    removed = 0
    if kind is not None:
        removed = await kind.link.filter(request_id=request.id, **{kind.link_key: pk}).delete()
    if not removed:
        raise DomainError(ErrorCode.NOT_FOUND, "This item is not linked to the request.", "itemId")
    assert kind is not None
    await requests.record_event(
        request,
        viewer,
        requests.EventKind.ITEM_UNLINKED,
        global_ref(kind, pk),
        None,
        visible_in_portal=kind.seen_by_contacts,
    )
    await request.save(update_fields=["updated_at"])
    requests.publish_change(request)
    return request


async def add_task(viewer: Viewer, request_id: int, data: items.TaskData) -> Task:
    """Create a task on the request's account and link it, in one transaction.

    Whoever may edit the request (an assigned technician too) may add to it.
    """
    request = await _editable_request(viewer, request_id)
    task = await items.new_task(viewer, request.account_id, data)
    await link_items(viewer, request.id, [(KINDS[ItemKind.TASK], task.id)])
    return task


async def add_appointment(
    viewer: Viewer, request_id: int, data: items.AppointmentData
) -> Appointment:
    request = await _editable_request(viewer, request_id)
    appointment = await items.new_appointment(viewer, request.account_id, data)
    await link_items(viewer, request.id, [(KINDS[ItemKind.APPOINTMENT], appointment.id)])
    return appointment


def linkable(viewer: Viewer, request: requests.AccountRequest, kind: Kind) -> QuerySet[Item]:
    """The picker: qualifying items of the request's account not linked to it yet."""
    linked = kind.link.filter(request_id=request.id).values(kind.link_key)
    return (
        visible_items(viewer, kind)
        .filter(kind.linkable, account_id=request.account_id)
        .exclude(id__in=Subquery(linked))
        .order_by("-created_at", "-id")
    )


async def linked_to(
    viewer: Viewer, request_ids: Sequence[int], kinds: Sequence[Kind]
) -> dict[int, list[Linked]]:
    """The linked items of each request (newest link first): one query per kind."""
    found: dict[int, list[Linked]] = {request_id: [] for request_id in request_ids}
    for kind in kinds:
        links = await kind.link.filter(request_id__in=list(request_ids)).order_by("-id")
        if not links:
            continue
        keys = {getattr(link, kind.link_key) for link in links}
        rows = {row.id: row for row in await visible_items(viewer, kind).filter(id__in=list(keys))}
        for link in links:
            item = rows.get(getattr(link, kind.link_key))
            if item is not None:
                found[link.request_id].append(Linked(kind, item, link.created_at))  # type: ignore[attr-defined]
    for entries in found.values():
        entries.sort(key=lambda entry: entry.linked_at, reverse=True)
    return found
