"""The Docket schema: every domain's queries and mutations merged into one root.

Domains import one way, each only those before it:

    users -> request_types -> accounts -> account_requests -> linked_items, photos
    -> credit_accounts, service_requests -> auth, company, notifications
    -> access, notification_preferences, webhooks

A domain that shows a later domain's type (Account.accountRequests) names it lazily
(`strawberry.lazy`) and makes it from a row through `schema.nodes.NodeConverter`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

import fastpath
from api.context import Info
from api.permissions import IsAuthenticated
from api.settings import Settings
from models.errors import InputError
from models.ids import global_id
from schema.access import AccessMutations
from schema.account_requests import (
    AccountRequestMutations,
    AccountRequestQueries,
    AccountRequestSubscriptions,
)
from schema.accounts import AccountMutations, AccountQueries
from schema.auth import AuthMutations, AuthQueries
from schema.calendar import CalendarQueries
from schema.company import CompanyMutations, CompanyQueries
from schema.credit_accounts import CreditMutations, CreditQueries
from schema.document_limits import limits_rule
from schema.extensions import (
    CodedParserCache,
    DirectPolicy,
    DocketSchema,
    MaskUnexpectedErrors,
    RequestPolicy,
)
from schema.linked_items import LinkedItemMutations
from schema.nodes import check_registry, resolve_nodes
from schema.notification_preferences import (
    NotificationPreferenceMutations,
    NotificationPreferenceQueries,
)
from schema.notifications import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from schema.photos import PhotoMutations
from schema.relay.connections import Node
from schema.relay.ids import decode_id
from schema.request_types import RequestTypeMutations, RequestTypeQueries
from schema.scalars import AwareDateTime
from schema.service_requests import (
    ServiceRequestMutations,
    ServiceRequestQueries,
    ServiceRequestSubscriptions,
)
from schema.user_archive import UserArchiveMutations
from schema.users import UserMutations, UserQueries
from schema.webhooks import WebhookMutations, WebhookQueries

MAX_NODES = 100


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object by its global ID; null when it does not exist or is not "
        "visible to the viewer (both answer alike).",
        permission_classes=[IsAuthenticated],
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        return (await resolve_nodes(info, [decode_id(str(id))]))[0]

    @strawberry.field(
        description="Several objects by global ID, in the same order (at most 100); "
        "null for each that does not exist or is not visible.",
        permission_classes=[IsAuthenticated],
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InputError(f"`ids` takes at most {MAX_NODES} IDs.")
        return await resolve_nodes(info, [decode_id(str(i)) for i in ids])


Query = merge_types(
    "Query",
    (
        AuthQueries,
        NodeQueries,
        AccountQueries,
        UserQueries,
        CompanyQueries,
        NotificationQueries,
        NotificationPreferenceQueries,
        RequestTypeQueries,
        AccountRequestQueries,
        CalendarQueries,
        ServiceRequestQueries,
        CreditQueries,
        WebhookQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutations,
        AccessMutations,
        AccountMutations,
        UserMutations,
        UserArchiveMutations,
        CompanyMutations,
        NotificationMutations,
        NotificationPreferenceMutations,
        RequestTypeMutations,
        AccountRequestMutations,
        ServiceRequestMutations,
        LinkedItemMutations,
        PhotoMutations,
        CreditMutations,
        WebhookMutations,
    ),
)
Subscription = merge_types(
    "Subscription",
    (NotificationSubscriptions, AccountRequestSubscriptions, ServiceRequestSubscriptions),
)


def _describe_roots(schema: DocketSchema) -> DocketSchema:
    """Descriptions the merged roots and every `input` argument share."""
    core = schema._schema
    core.query_type.description = "Everything a client can read."  # type: ignore[union-attr]
    mutation = core.mutation_type
    assert mutation is not None
    mutation.description = (
        "Everything a client can change. Each mutation takes one `input` and returns a "
        "payload with the changed objects and `userErrors`."
    )
    subscription = core.subscription_type
    assert subscription is not None
    subscription.description = (
        "Pushed over WebSocket (graphql-transport-ws, token in connection_init). Each event "
        "carries a cursor in the `next` payload's `extensions.cursor`: after a reconnect, "
        "subscribe with `after: <the last cursor received>` to receive what was missed "
        "first, then live events, none twice (within the retention window)."
    )
    for field in mutation.fields.values():
        if "input" in field.args and not field.args["input"].description:
            field.args["input"].description = "What to do; see the input type."
    return schema


def build_schema(settings: Settings) -> DocketSchema:
    """The schema with the limits and policies of these settings, and the execution
    engine installed as the settings say (`fastpath.accelerate`: `schema.engine`)."""
    check_registry()
    schema = _describe_roots(_schema(settings))
    schema.engine = fastpath.accelerate(
        schema,
        policy=DirectPolicy(schema),
        global_id=global_id,
        compiled=settings.compiled_projections,
        direct=settings.direct_queries,
        check=settings.execution_check,
        max_tokens=settings.max_tokens,
        # Strawberry's Date and Decimal, and AwareDateTime: parsed, checked, immutable.
        pure_scalars=("Date", "DateTime", "Decimal"),
        # Lists built from their arguments, the viewer and `models.clock` alone (the
        # statements they run and the clock they read are watched: fastpath.replay).
        replayable=("accountRequests", "serviceRequests", "jobs"),
    )
    return schema


def _schema(settings: Settings) -> DocketSchema:
    # The limit rules are built once: the validation cache keys on the rule classes,
    # so new classes per request (what the limiter extensions make) would never hit.
    rules: list[type[ASTValidationRule]] = [
        limits_rule(settings.max_query_depth, settings.max_aliases),
    ]

    def limits() -> AddValidationRules:
        return AddValidationRules(rules)

    return DocketSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            RequestPolicy,
            limits,
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: CodedParserCache(
                maxsize=1024,
                max_chars=settings.max_document_chars,
                max_tokens=settings.max_tokens,
                max_string=settings.max_string_literal_chars,
            ),
            lambda: ValidationCache(maxsize=1024),
            MaskUnexpectedErrors,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides={datetime: AwareDateTime},
    )


def export_sdl() -> str:
    """The SDL committed as schema.graphql (independent of runtime limits)."""
    from api.settings import load_settings

    return build_schema(load_settings()).as_str() + "\n"
