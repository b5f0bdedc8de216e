"""The Docket schema: every domain's queries and mutations merged into one root."""

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

from api.context import Info
from api.permissions import IsAuthenticated
from api.settings import Settings
from models.errors import InputError
from schema.account_requests import (
    AccountRequestMutations,
    AccountRequestQueries,
    AccountRequestSubscriptions,
)
from schema.accounts import AccountMutations, AccountQueries
from schema.auth import AuthMutations, AuthQueries
from schema.company import CompanyMutations, CompanyQueries
from schema.credit_accounts import CreditMutations, CreditQueries
from schema.document_limits import limits_rule
from schema.engine_versions import fast_paths_verified
from schema.extensions import (
    CodedParserCache,
    DocketSchema,
    MaskUnexpectedErrors,
    RequestPolicy,
)
from schema.inputs import plan_input_objects
from schema.linked_items import LinkedItemMutations
from schema.nodes import resolve_nodes
from schema.notifications import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from schema.photos import PhotoMutations
from schema.projection import ProjectingExecutor
from schema.relay import Node, decode_id
from schema.request_types import RequestTypeMutations, RequestTypeQueries
from schema.scalars import AwareDateTime
from schema.service_requests import (
    ServiceRequestMutations,
    ServiceRequestQueries,
    ServiceRequestSubscriptions,
)
from schema.users import UserMutations, UserQueries

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
        RequestTypeQueries,
        AccountRequestQueries,
        ServiceRequestQueries,
        CreditQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutations,
        AccountMutations,
        UserMutations,
        CompanyMutations,
        NotificationMutations,
        RequestTypeMutations,
        AccountRequestMutations,
        ServiceRequestMutations,
        LinkedItemMutations,
        PhotoMutations,
        CreditMutations,
    ),
)
Subscription = merge_types(
    "Subscription",
    (NotificationSubscriptions, AccountRequestSubscriptions, ServiceRequestSubscriptions),
)


def _describe_roots(schema: strawberry.Schema) -> strawberry.Schema:
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
        "Pushed over WebSocket (graphql-transport-ws, token in connection_init). Events are "
        "not replayed: after a reconnect, catch up by listing."
    )
    for field in mutation.fields.values():
        if "input" in field.args and not field.args["input"].description:
            field.args["input"].description = "What to do; see the input type."
    return schema


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits and policies of these settings."""
    schema = _describe_roots(_schema(settings))
    plan_input_objects(schema)
    return schema


def _schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are built once: the validation cache keys on the rule classes,
    # so new classes per request (what the limiter extensions make) would never hit.
    rules: list[type[ASTValidationRule]] = [
        limits_rule(settings.max_query_depth, settings.max_aliases),
    ]

    def limits() -> AddValidationRules:
        return AddValidationRules(rules)

    executor = (
        type("CheckedExecutor", (ProjectingExecutor,), {"check": settings.execution_check})
        if settings.compiled_projections and fast_paths_verified()
        else None
    )
    return DocketSchema(
        query=Query,
        execution_context_class=executor,
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
