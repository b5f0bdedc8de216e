"""Account requests and their timeline: the types, and the items and photos a request shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import strawberry
from tortoise.queryset import QuerySet

from api.context import Info
from fastpath import batched, related
from models import account_requests as requests
from models import linking
from models.linked_items import KINDS, ItemKind
from schema.account_requests import enums  # noqa: F401  (registers the enums first)
from schema.accounts.types import Account, Contact
from schema.nodes import NodeConverter, register_node, rows_of_loader
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import decode_as, encode_id
from schema.relay.offset_paging import paginate, paginate_list
from schema.request_types import AccountRequestType
from schema.users import User

if TYPE_CHECKING:
    from schema.linked_items.types import LinkedItem
    from schema.photos import Photo

# The domains above account requests: their types are named lazily, their rows
# converted through the node registry (schema.nodes), so nothing here imports them.
LinkedItemType = Annotated["LinkedItem", strawberry.lazy("schema.linked_items.types")]
PhotoType = Annotated["Photo", strawberry.lazy("schema.photos")]

_photo: NodeConverter[Photo] = NodeConverter("Photo")
_items: dict[ItemKind, NodeConverter[Any]] = {
    kind: NodeConverter(spec.type_name) for kind, spec in KINDS.items()
}


# Events store row keys; clients only ever see global IDs (pass them to `node(id:)`).
_REFERENCES = {
    requests.EventKind.ASSIGNED: "User",
    requests.EventKind.CONTACT_CHANGED: "Contact",
    requests.EventKind.TYPE_CHANGED: "AccountRequestType",
    requests.EventKind.ACCOUNT_CHANGED: "Account",
    requests.EventKind.PHOTO_ADDED: "Photo",
    requests.EventKind.PHOTO_UPDATED: "Photo",
    requests.EventKind.PHOTO_REMOVED: "Photo",
}


def _event_value(kind: requests.EventKind, value: str | None) -> str | None:
    type_name = _REFERENCES.get(kind)
    if value is None or type_name is None:
        return value
    return encode_id(type_name, int(value))


# Foreign-key fields: one declaration serves the resolver and compiled projections.


class _Workflow(Protocol):
    """What `nextStatuses` reads of a request."""

    status: requests.RequestStatus
    account_id: int
    assignee_id: int | None


async def _next_statuses(
    info: Info, sources: Sequence[_Workflow]
) -> list[list[requests.RequestStatus]]:
    accounts = [source.account_id for source in sources]
    flags = await info.context.loaders.manages_account_id.load_many(accounts)
    managed = {account for account, manages in zip(accounts, flags, strict=True) if manages}
    return requests.next_statuses(info.context.viewer, sources, managed)


class _Dated(Protocol):
    """What `forDate` reads of a request."""

    stored_for_date: date | None
    created_at: datetime


async def _for_dates(info: Info, sources: Sequence[_Dated]) -> list[date]:
    old_rows = any(source.stored_for_date is None for source in sources)
    zone = await info.context.loaders.company_zone.get() if old_rows else UTC
    return [requests.for_date_of(s.stored_for_date, s.created_at, zone) for s in sources]


@strawberry.type(description="One change in the life of an account request.")
class AccountRequestEvent(Node):
    kind: requests.EventKind = strawberry.field(description="What changed.")
    before: str | None = strawberry.field(
        description="The value before: a status, a note, or the global ID of the user "
        "(ASSIGNED), contact, type, account or photo (PHOTO_*); null when there was none."
    )
    after: str | None = strawberry.field(description="The value after, in the same form.")
    summary: str = strawberry.field(
        description="What happened, in words a customer may read (no names of staff, no "
        "internal IDs): what the portal shows."
    )
    internal: bool = strawberry.field(
        description="True for entries the portal never shows: who on the staff holds the "
        "request, moves between accounts, its internal flag, links to tasks, photos kept "
        "off the portal (whatever the request's own flag: an internal request shows the portal "
        "nothing). Portal contacts see only entries where it is false."
    )
    created_at: datetime = strawberry.field(description="When it happened.")
    actor_user_id: strawberry.Private[int | None]
    actor_contact_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: requests.AccountRequestEvent) -> AccountRequestEvent:
        return cls(
            id=strawberry.ID(encode_id("AccountRequestEvent", row.id)),
            kind=row.kind,
            before=_event_value(row.kind, row.before),
            after=_event_value(row.kind, row.after),
            summary=requests.summary(row),
            internal=not requests.shown_in_portal(row),
            created_at=row.created_at,
            actor_user_id=row.actor_user_id,
            actor_contact_id=row.actor_contact_id,
        )

    actor: User | None = related(
        "actor_user_id",
        "users_by_id",
        description="The staff user who made the change, if staff did (null for portal "
        "contacts, who never see staff users).",
    )

    actor_contact: Contact | None = related(
        "actor_contact_id",
        "contacts_by_id",
        description="The portal contact who made the change, if one did.",
    )


@strawberry.type(description="A piece of work raised by or for a customer account.")
class AccountRequest(Node):
    number: int = strawberry.field(description="The request number shown to people (#123).")
    status: requests.RequestStatus = strawberry.field(description="Where it stands.")
    note: str = strawberry.field(description="What the request is about.")
    source: requests.RequestSource = strawberry.field(description="Who raised it.")
    internal: bool = strawberry.field(
        description="Staff only: the customer portal never shows an internal request (its "
        "lists, counts, timeline or live feed); always false for portal contacts."
    )
    created_at: datetime = strawberry.field(description="When it was raised.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    account_id: strawberry.Private[int]
    type_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    created_by_user_id: strawberry.Private[int | None]
    created_by_contact_id: strawberry.Private[int | None]
    stored_for_date: strawberry.Private[date | None]

    @classmethod
    def from_row(cls, row: requests.AccountRequest) -> AccountRequest:
        return cls(
            id=strawberry.ID(encode_id("AccountRequest", row.id)),
            number=row.id,
            status=row.status,
            note=row.note,
            source=row.source,
            internal=row.internal,
            created_at=row.created_at,
            updated_at=row.updated_at,
            account_id=row.account_id,
            type_id=row.type_id,
            assignee_id=row.assignee_id,
            contact_id=row.contact_id,
            created_by_user_id=row.created_by_user_id,
            created_by_contact_id=row.created_by_contact_id,
            stored_for_date=row.for_date,
        )

    account: Account | None = related(
        "account_id", "accounts_by_id", description="The customer account."
    )

    type: AccountRequestType | None = related(
        "type_id", "request_types_by_id", description="The request type."
    )

    assignee: User | None = related("assignee_id", "users_by_id", description="Who works on it.")

    contact: Contact | None = related(
        "contact_id", "contacts_by_id", description="The customer contact it is for."
    )

    created_by: User | None = related(
        "created_by_user_id",
        "users_by_id",
        description="The staff user who created it, if staff did.",
    )

    next_statuses: list[requests.RequestStatus] = batched(
        _next_statuses,
        description="The statuses the viewer may move this request to next, in workflow "
        "order: none for whoever may not edit it (portal contacts included), and no "
        "reopening for whoever may not reopen it.",
    )

    for_date: date = batched(
        _for_dates,
        description="The day the request is for (its day on the calendar), in the company's "
        "time zone; requests raised before requests had one are for the day they were raised.",
    )

    @strawberry.field(
        description="Items linked to this request, newest link first. Portal contacts see "
        "appointments, service records, invoices and credit memos, never tasks."
    )
    async def linked_items(
        self,
        info: Info,
        kinds: Annotated[
            list[ItemKind] | None, strawberry.argument(description="Only these kinds.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LinkedItemType]:
        key = decode_as(self.id, "AccountRequest") or 0
        links = await info.context.loaders.linked_by_request_id.load(key)
        wanted = set(kinds) if kinds else None
        chosen = [link for link in links if wanted is None or link.kind.kind in wanted]
        return paginate_list(
            [_items[link.kind.kind](link.item) for link in chosen],
            PageArgs(first, after, last, before),
        )

    @strawberry.field(
        description="The picker: items of this request's account that may be linked and "
        "are not yet (open tasks, pending appointments, service records, invoices that "
        "are not void, credit memos), newest first."
    )
    async def linkable_items(
        self,
        info: Info,
        kind: Annotated[ItemKind, strawberry.argument(description="Which kind to list.")],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LinkedItemType]:
        request = await info.context.loaders.account_requests_by_id.load(
            decode_as(self.id, "AccountRequest") or 0
        )
        if request is None:
            return paginate_list([], PageArgs(first, after, last, before))
        chosen = KINDS[ItemKind(kind)]
        query = linking.linkable(info.context.viewer, request, chosen)
        return await paginate(query, PageArgs(first, after, last, before), _items[chosen.kind])

    @strawberry.field(
        description="Its READY photos the viewer may see, newest first: portal contacts see "
        "those flagged for the portal; project managers and accounting see none."
    )
    async def photos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PhotoType]:
        key = decode_as(self.id, "AccountRequest") or 0
        rows = await info.context.loaders.photos_by_request_id.load(key)
        return paginate_list([_photo(row) for row in rows], PageArgs(first, after, last, before))

    @strawberry.field(description="Every change, newest first.")
    async def timeline(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AccountRequestEvent]:
        key = decode_as(self.id, "AccountRequest") or 0
        rows = await info.context.loaders.events_by_request_id.load(key)
        return paginate_list(
            [AccountRequestEvent.from_row(row) for row in rows],
            PageArgs(first, after, last, before),
        )


async def _load_requests(info: Info, ids: list[int]) -> list[requests.AccountRequest | None]:
    return await info.context.loaders.account_requests_by_id.load_many(ids)


async def _load_events(info: Info, ids: list[int]) -> list[requests.AccountRequestEvent | None]:
    viewer = info.context.viewer
    rows = await requests.visible_events(viewer).filter(id__in=ids)
    found = {row.id: row for row in (requests.portal_share(rows) if viewer.is_contact else rows)}
    return [found.get(pk) for pk in ids]


register_node(
    "AccountRequest",
    _load_requests,
    AccountRequest.from_row,
    rows=rows_of_loader("account_requests_by_id"),
)


def _events(info: Info) -> QuerySet[requests.AccountRequestEvent] | None:
    """What `_load_events` reads, where that is all it does (staff: no portal share)."""
    viewer = info.context.viewer
    return None if viewer.is_contact else requests.visible_events(viewer)


register_node("AccountRequestEvent", _load_events, AccountRequestEvent.from_row, rows=_events)
