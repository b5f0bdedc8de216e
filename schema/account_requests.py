"""Account requests: the type, the management list, counts, the editor and the live feed."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.permissions import IsAuthenticated
from fastpath import related
from models import account_requests as requests
from models.errors import InputError
from models.linked_items import ItemKind
from schema import live
from schema.accounts import Account, Contact, OrderDirection
from schema.errors import UserError, run_in_transaction
from schema.nodes import register_node
from schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    PageArgs,
    decode_as,
    encode_id,
    key_for,
    keys_for,
    paginate,
    paginate_list,
    paginate_sorted,
)
from schema.request_types import AccountRequestType

if TYPE_CHECKING:
    from schema.linked_items import LinkedItem
    from schema.photos import Photo
    from schema.users import User

UserType = Annotated["User", strawberry.lazy("schema.users")]
LinkedItemType = Annotated["LinkedItem", strawberry.lazy("schema.linked_items")]
PhotoType = Annotated["Photo", strawberry.lazy("schema.photos")]

strawberry.enum(requests.RequestStatus, description="Where an account request stands.")
strawberry.enum(requests.RequestSource, description="Who raised an account request.")
strawberry.enum(requests.EventKind, description="What a timeline event records.")
strawberry.enum(requests.RequestOrderField, description="What to sort account requests by.")


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


@strawberry.type(description="One change in the life of an account request.")
class AccountRequestEvent(Node):
    kind: requests.EventKind = strawberry.field(description="What changed.")
    before: str | None = strawberry.field(
        description="The value before: a status, a note, or the global ID of the user "
        "(ASSIGNED), contact, type, account or photo (PHOTO_*); null when there was none."
    )
    after: str | None = strawberry.field(description="The value after, in the same form.")
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
            created_at=row.created_at,
            actor_user_id=row.actor_user_id,
            actor_contact_id=row.actor_contact_id,
        )

    actor: UserType | None = related(
        "actor_user_id",
        "users_by_id",
        description="The staff user who made the change, if staff did.",
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
    created_at: datetime = strawberry.field(description="When it was raised.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    account_id: strawberry.Private[int]
    type_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    created_by_user_id: strawberry.Private[int | None]
    created_by_contact_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: requests.AccountRequest) -> AccountRequest:
        return cls(
            id=strawberry.ID(encode_id("AccountRequest", row.id)),
            number=row.id,
            status=row.status,
            note=row.note,
            source=row.source,
            created_at=row.created_at,
            updated_at=row.updated_at,
            account_id=row.account_id,
            type_id=row.type_id,
            assignee_id=row.assignee_id,
            contact_id=row.contact_id,
            created_by_user_id=row.created_by_user_id,
            created_by_contact_id=row.created_by_contact_id,
        )

    account: Account | None = related(
        "account_id", "accounts_by_id", description="The customer account."
    )

    type: AccountRequestType | None = related(
        "type_id", "request_types_by_id", description="The request type."
    )

    assignee: UserType | None = related(
        "assignee_id", "users_by_id", description="Who works on it."
    )

    contact: Contact | None = related(
        "contact_id", "contacts_by_id", description="The customer contact it is for."
    )

    created_by: UserType | None = related(
        "created_by_user_id",
        "users_by_id",
        description="The staff user who created it, if staff did.",
    )

    @strawberry.field(description="The statuses this request may move to next.")
    def next_statuses(self) -> list[requests.RequestStatus]:
        return sorted(requests.TRANSITIONS[self.status], key=requests.STATUS_RANK.__getitem__)

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
        from schema.linked_items import as_item

        key = decode_as(self.id, "AccountRequest") or 0
        links = await info.context.loaders.linked_by_request_id.load(key)
        wanted = set(kinds) if kinds else None
        chosen = [link for link in links if wanted is None or link.kind.kind in wanted]
        return paginate_list(
            [as_item(link.kind, link.item) for link in chosen], PageArgs(first, after, last, before)
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
        from models import linking
        from models.linked_items import KINDS
        from schema.linked_items import as_item

        request = await info.context.loaders.account_requests_by_id.load(
            decode_as(self.id, "AccountRequest") or 0
        )
        if request is None:
            return paginate_list([], PageArgs(first, after, last, before))
        chosen = KINDS[ItemKind(kind)]
        query = linking.linkable(info.context.viewer, request, chosen)
        return await paginate(
            query, PageArgs(first, after, last, before), lambda row: as_item(chosen, row)
        )

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
        from schema.photos import Photo

        key = decode_as(self.id, "AccountRequest") or 0
        rows = await info.context.loaders.photos_by_request_id.load(key)
        return paginate_list(
            [Photo.from_row(row) for row in rows], PageArgs(first, after, last, before)
        )

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
    rows = await requests.visible_events(info.context.viewer).filter(id__in=ids)
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


register_node("AccountRequest", _load_requests, AccountRequest.from_row)
register_node("AccountRequestEvent", _load_events, AccountRequestEvent.from_row)


# --- lists -----------------------------------------------------------------------


@strawberry.input(description="Narrow the account requests list; all given conditions hold.")
class AccountRequestFilter:
    statuses: list[requests.RequestStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    type_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Any of these request types."
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Assigned to any of these users."
    )
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of any of these accounts."
    )
    include_sub_accounts: bool = strawberry.field(
        default=False, description="With accountIds: also their sub-accounts (any depth)."
    )
    sources: list[requests.RequestSource] | None = strawberry.field(
        default=None, description="Raised by staff, the portal or an account manager."
    )
    assigned_to_me: bool = strawberry.field(
        default=False, description="Only requests assigned to the viewer (the home list)."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="True: nobody is assigned; false: somebody is."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after."
    )
    created_before: datetime | None = strawberry.field(default=None, description="Created before.")
    updated_after: datetime | None = strawberry.field(
        default=None, description="Changed at or after."
    )
    updated_before: datetime | None = strawberry.field(default=None, description="Changed before.")
    search: str | None = strawberry.field(
        default=None, description="Words in the note or the account name, any case."
    )


@strawberry.input(description="How to sort account requests.")
class AccountRequestOrder:
    field: requests.RequestOrderField = strawberry.field(description="The sort key.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )


@strawberry.type(description="How many requests have one status.")
class StatusCount:
    status: requests.RequestStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many requests have it.")


@strawberry.type(description="Counts of requests per status, for the home screen.")
class AccountRequestCounts:
    total: int = strawberry.field(description="All matching requests.")
    by_status: list[StatusCount] = strawberry.field(description="Per status, in workflow order.")


def _filter(spec: AccountRequestFilter | None) -> requests.RequestFilter:
    spec = spec or AccountRequestFilter()
    return requests.RequestFilter(
        statuses=spec.statuses,
        type_ids=keys_for(spec.type_ids, "AccountRequestType"),
        assignee_ids=keys_for(spec.assignee_ids, "User"),
        account_ids=keys_for(spec.account_ids, "Account"),
        include_sub_accounts=spec.include_sub_accounts,
        sources=spec.sources,
        assigned_to_me=spec.assigned_to_me,
        unassigned=spec.unassigned,
        created_after=spec.created_after,
        created_before=spec.created_before,
        updated_after=spec.updated_after,
        updated_before=spec.updated_before,
        search=spec.search,
    )


FilterArgument = Annotated[
    AccountRequestFilter | None, strawberry.argument(description="Conditions to meet.")
]


async def list_requests(
    info: Info, spec: requests.RequestFilter, order: AccountRequestOrder | None, args: PageArgs
) -> Connection[AccountRequest]:
    viewer = info.context.viewer
    query = await requests.filter_requests(requests.visible_account_requests(viewer), spec, viewer)
    order = order or AccountRequestOrder(field=requests.RequestOrderField.UPDATED_AT)
    field = requests.RequestOrderField(order.field)
    column, value_type = requests.ORDER_COLUMNS[field]
    by_account = field is requests.RequestOrderField.ACCOUNT_NAME
    if by_account:
        query = query.select_related("account")

    def value_of(row: requests.AccountRequest) -> object:
        return row.account.name if by_account else getattr(row, column)

    return await paginate_sorted(
        query,
        args,
        AccountRequest.from_row,
        column=column,
        descending=order.direction is OrderDirection.DESC,
        value_of=value_of,
        value_type=value_type,
        info=info,
        narrow_reads=not by_account,  # the sort value is the account's name
    )


@strawberry.type
class AccountRequestQueries:
    @strawberry.field(
        description="Account requests the viewer may see, filtered and sorted (newest "
        "change first by default). Cursors name positions, so rows inserted while "
        "paging do not shift them.",
        permission_classes=[IsAuthenticated],
    )
    async def account_requests(
        self,
        info: Info,
        filter: FilterArgument = None,
        order_by: Annotated[
            AccountRequestOrder | None,
            strawberry.argument(description="Sort key and direction (UPDATED_AT DESC)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AccountRequest]:
        return await list_requests(
            info, _filter(filter), order_by, PageArgs(first, after, last, before)
        )

    @strawberry.field(
        description="How many requests the viewer may see, per status (the same filter).",
        permission_classes=[IsAuthenticated],
    )
    async def account_request_counts(
        self, info: Info, filter: FilterArgument = None
    ) -> AccountRequestCounts:
        viewer = info.context.viewer
        query = await requests.filter_requests(
            requests.visible_account_requests(viewer), _filter(filter), viewer
        )
        counts = await requests.count_by_status(query)
        return AccountRequestCounts(
            total=sum(counts.values()),
            by_status=[StatusCount(status=s, count=n) for s, n in counts.items()],
        )


# --- mutations -------------------------------------------------------------------


@strawberry.input(description="A new account request.")
class CreateAccountRequestInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="The account (a portal contact's own when left out)."
    )
    type_id: strawberry.ID = strawberry.field(description="An active request type.")
    status: requests.RequestStatus | None = strawberry.field(
        default=None, description="OPEN when left out."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who works on it; the type's default assignee when left out."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A contact of the account the request is for."
    )
    note: str | None = strawberry.field(default=None, description="What it is about.")


@strawberry.input(description="Changes to an account request; fields left out stay as they are.")
class UpdateAccountRequestInput:
    id: strawberry.ID = strawberry.field(description="The request to change.")
    type_id: strawberry.ID | None = strawberry.field(default=None, description="New type.")
    status: requests.RequestStatus | None = strawberry.field(
        default=None, description="New status; see `nextStatuses` for the allowed ones."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New assignee; null unassigns."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New contact; null removes it."
    )
    note: str | None = strawberry.field(default=None, description="New note.")
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Move to another account (not while items are linked)."
    )


@strawberry.type(description="Result of createAccountRequest.")
class CreateAccountRequestPayload:
    account_request: AccountRequest | None = strawberry.field(description="The new request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateAccountRequest.")
class UpdateAccountRequestPayload:
    account_request: AccountRequest | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


def _optional_key(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None or value is strawberry.UNSET else key_for(value, type_name)


@strawberry.type
class AccountRequestMutations:
    @strawberry.mutation(
        description="Create an account request: staff for any account, an account manager "
        "for their own, a portal contact for its own account with a portal type.",
        permission_classes=[IsAuthenticated],
    )
    async def create_account_request(
        self, info: Info, input: CreateAccountRequestInput
    ) -> CreateAccountRequestPayload:
        viewer = info.context.viewer
        data = requests.RequestData(
            account_id=_optional_key(input.account_id, "Account"),
            type_id=key_for(input.type_id, "AccountRequestType"),
            status=input.status,
            assignee_id=_optional_key(input.assignee_id, "User"),
            contact_id=_optional_key(input.contact_id, "Contact"),
            note=input.note,
        )
        row, errors = await run_in_transaction(lambda: requests.create_request(viewer, data))
        return CreateAccountRequestPayload(
            account_request=AccountRequest.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change an account request. Status changes follow the workflow "
        "(see `nextStatuses`); a technician edits only requests assigned to them.",
        permission_classes=[IsAuthenticated],
    )
    async def update_account_request(
        self, info: Info, input: UpdateAccountRequestInput
    ) -> UpdateAccountRequestPayload:
        viewer = info.context.viewer
        data = requests.RequestData(
            account_id=_optional_key(input.account_id, "Account"),
            type_id=_optional_key(input.type_id, "AccountRequestType"),
            status=input.status,
            assignee_id=_optional_key(input.assignee_id, "User"),
            clear_assignee=input.assignee_id is None,
            contact_id=_optional_key(input.contact_id, "Contact"),
            clear_contact=input.contact_id is None,
            note=input.note,
        )
        row, errors = await run_in_transaction(
            lambda: requests.update_request(viewer, key_for(input.id, "AccountRequest"), data)
        )
        return UpdateAccountRequestPayload(
            account_request=AccountRequest.from_row(row) if row else None, user_errors=errors
        )


@strawberry.type
class AccountRequestSubscriptions:
    @strawberry.subscription(
        description="The request after every change, for anyone allowed to see it.",
        permission_classes=[IsAuthenticated],
    )
    async def account_request_updated(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The request to follow.")],
    ) -> AsyncGenerator[AccountRequest, None]:
        context = info.context
        key = decode_as(id, "AccountRequest") or 0
        if not await requests.visible_account_requests(context.viewer).filter(id=key).exists():
            raise InputError("No account request with this ID.")
        async for message in live.messages(info, requests.request_channel(key)):
            if message.get("type") != "updated":
                continue
            # Re-read and re-check: the request may have moved out of the viewer's sight.
            row = await requests.visible_account_requests(context.viewer).get_or_none(id=key)
            if row is not None:
                yield AccountRequest.from_row(row)
