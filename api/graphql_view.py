"""Strawberry's ASGI view, adapted: bearer auth, socket auth, orjson, GET only when safe."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import graphiql, idempotency, metrics, outages, remembered_queries
from api import http_refusals as refusals
from api.context import Context
from api.persisted_queries import (
    PersistedQueries,
    PersistedQueryError,
    check_matches,
    keeps,
    requested_hash,
)
from api.settings import Settings
from api.sockets import GraphQLTransportWS, TextFrames
from fastpath.gate import behind
from models import auth
from models.remembered import Remembered
from models.viewer import ANONYMOUS, Viewer
from schema import budgets

log = logging.getLogger("docket.graphql")

# A browser cannot send these headers cross-site without a CORS preflight, so a
# GET carrying one cannot be a forged request (same idea as Apollo's CSRF guard).
CSRF_SAFE_HEADERS = ("x-docket-csrf", "apollo-require-preflight", "x-apollo-operation-name")


_SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions run over a WebSocket at /graphql (graphql-transport-ws protocol, "
    'token in the connection_init payload {"authorization": "Bearer ..."}), not over HTTP.'
)


def _unavailable(errors: list[GraphQLError] | None) -> bool:
    return any(
        (error.extensions or {}).get("code") == outages.SERVICE_UNAVAILABLE
        for error in errors or ()
    )


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _wants_plain_json(headers: Mapping[str, str]) -> bool:
    """A JSON POST's headers asking for a plain JSON answer (not a multipart stream):
    what SPAs and apps send. Read here: Strawberry parses a Content-Type with the
    e-mail parser."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" and "multipart" not in headers.get("accept", "")


class DocketGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = TextFrames
    graphql_transport_ws_handler_class = GraphQLTransportWS

    def __init__(self, schema: Any, settings: Settings) -> None:
        protocols = [GRAPHQL_TRANSPORT_WS_PROTOCOL]
        if settings.graphql_ws_legacy:
            protocols.append(GRAPHQL_WS_PROTOCOL)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=settings.max_subscriptions_per_socket,
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.persisted_queries = PersistedQueries()
        # The engine's direct lane, as build_schema installed it (None: off).
        self.direct = schema.engine.direct if schema.engine is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["type"] != "http":
                await super().__call__(scope, receive, send)
                return
            request = Request(scope, receive)
            try:
                if scope["method"] == "POST" and _wants_plain_json(request.headers):
                    response = await self._answer_json_post(request)
                else:
                    response = await self.run(request)
            except HTTPException as error:
                response = refusals.response_for(error)
                metrics.ERRORS.labels(refusals.code_of(error)).inc()
            except Exception as error:
                if not outages.is_outage(error):
                    raise
                outages.report(error)  # before any execution: signing in, say
                response = refusals.response_for(
                    refusals.Refusal(503, outages.MESSAGE, outages.SERVICE_UNAVAILABLE)
                )
                response.headers["retry-after"] = str(outages.RETRY_AFTER_SECONDS)
            await response(scope, receive, send)
        except ClientDisconnect:
            # The client left before its body arrived (a closed tab, a load test
            # stopping): nobody is there to answer, and it is no server error.
            log.debug("client left before sending its whole request")

    async def _answer_json_post(self, request: Request) -> Response:
        """What Strawberry's `run` does for a JSON POST, the request nearly every client
        sends, in the same order and through the same hooks, without its checks for the
        other kinds of request (sockets, GET, the IDE, batches, streams); those
        cost ~15 us of every request, measured (bench/)."""
        adapter = self.request_adapter_class(request)
        root_value = await self.get_root_value(request)  # type: ignore[func-returns-value]
        remembered = remembered_queries.recalled(
            self.settings, self.direct, _bearer(request.headers.get("authorization"))
        )
        request_data: GraphQLRequestData | None = None
        if remembered is not None:
            request_data = refusals.one_operation(self.parse_json(await request.body()))
            answer = await self._answer_remembered(
                request, adapter, root_value, remembered, request_data
            )
            if answer is not None:
                return answer
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        if request_data is None:
            request_data = refusals.one_operation(self.parse_json(await request.body()))
        keyed = await self._keyed(context, request.headers.get(idempotency.HEADER), request_data)
        if keyed is None:
            result = await self.execute_single(
                request, adapter, sub_response, context, root_value, request_data
            )
            response_data = await self._response_data(request, result)
            return self.create_response(response_data=response_data, sub_response=sub_response)

        async def run() -> idempotency.Answer:  # inside the transaction that keeps its answer
            result = await self.execute_single(
                request, adapter, sub_response, context, root_value, request_data
            )
            response_data = await self._response_data(request, result)
            status = sub_response.status_code or 200
            return idempotency.Answer(
                self.encode_json(response_data), status, result.data is not None
            )

        return idempotency.response(await idempotency.answer_once(keyed, run), sub_response)

    async def _answer_remembered(
        self,
        request: Request,
        adapter: Any,
        root_value: Any,
        remembered: Remembered,
        request_data: GraphQLRequestData,
    ) -> Response | None:
        """An admitted query answered from a remembered viewer (`api.remembered_queries`);
        None where it may not start so, or the viewer did not hold."""
        if idempotency.sent(request.headers.get(idempotency.HEADER), request_data.extensions):
            return None
        sub_response = await self.get_sub_response(request)
        found = remembered_queries.started(
            self.settings, self.direct, request, sub_response, remembered, request_data
        )
        if found is None:
            return None
        context, gate = found
        result = await behind(
            gate,
            lambda: self.execute_single(
                request, adapter, sub_response, context, root_value, request_data
            ),
        )
        if result is None:
            return None
        response_data = await self._response_data(request, result)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    async def _response_data(self, request: Request, result: ExecutionResult) -> Any:
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return response_data

    async def _keyed(
        self, context: Context, header: str | None, request_data: GraphQLRequestData
    ) -> idempotency.Keyed | None:
        """The request as one that runs once per key (`api.idempotency`), if it is one."""
        extensions = request_data.extensions
        if not idempotency.sent(header, extensions):
            return None
        query = request_data.query
        if query is None:  # a persisted query's hash: the key covers its text
            with contextlib.suppress(PersistedQueryError):
                digest = requested_hash(extensions)
                query = await self.persisted_queries.lookup(digest) if digest else None
        keyed = idempotency.keyed(
            context.viewer,
            header,
            extensions,
            query,
            request_data.operation_name,
            request_data.variables,
            max_tokens=self.settings.max_tokens,
        )
        if keyed is not None:
            context.extra[idempotency.EXTENSION] = keyed  # the standard lane, whatever is on
        return keyed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        """Strawberry's way for the requests that are not a plain JSON POST (GET, streamed
        answers): a mutation with an idempotency key is refused there, not run unkept."""
        if isinstance(request_data, GraphQLRequestData) and await self._keyed(
            context, request.headers.get(idempotency.HEADER), request_data
        ):
            raise refusals.Refusal(400, idempotency.NOT_JSON, idempotency.NOT_ALLOWED)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def _viewer_for(self, token: str | None) -> Viewer:
        if token is None:
            return ANONYMOUS
        viewer = await auth.authenticate(token, secret=self.settings.secret())
        return viewer or ANONYMOUS

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(settings=self.settings, request=request, response=response)
        if isinstance(request, Request):
            context.viewer = await self._viewer_for(_bearer(request.headers.get("authorization")))
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate the socket from `connection_init` ({"authorization": "Bearer ..."})."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        token = _bearer(header) if isinstance(header, str) else None
        viewer = await self._viewer_for(token)
        if not viewer.is_authenticated:
            raise ConnectionRejectionError({"message": "Sign in first."})
        context.viewer = viewer
        context.extra["socket_token"] = token
        return None

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One operation, measured (`api.metrics`); refused for its budget, the answer
        is an HTTP 429 with Retry-After (`schema.budgets`)."""
        started = time.perf_counter()
        result = await self._execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        codes = [str((error.extensions or {}).get("code")) for error in result.errors or ()]
        metrics.observe(request_data.operation_name, started, codes)
        wait = budgets.retry_after(result.errors)
        if wait is not None:
            sub_response.status_code = 429
            sub_response.headers["Retry-After"] = str(wait)
        elif result.data is None and _unavailable(result.errors):
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
        return result

    async def _execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Queries by hash (automatic persisted queries), then direct or Strawberry's execution."""

        async def standard() -> ExecutionResult:
            return await self._execute_over_http(request_adapter, context, root_value, request_data)

        async def execute() -> ExecutionResult:
            query = request_data.query
            if self.direct is None or query is None or idempotency.EXTENSION in context.extra:
                return await standard()
            variables, name = request_data.variables, request_data.operation_name
            return await self.direct.execute(context, query, variables, name, standard)

        try:
            digest = requested_hash(request_data.extensions)
            if digest is None:
                return await execute()
            if request_data.query is None:
                request_data.query = await self.persisted_queries.lookup(digest)
                return await execute()
            check_matches(digest, request_data.query)
        except PersistedQueryError as error:
            return ExecutionResult(data=None, errors=[error.as_graphql_error()])
        result = await execute()
        if result.data is not None and keeps(context.viewer, request_data.query):
            await self.persisted_queries.register(digest, request_data.query)
        return result

    async def _execute_over_http(
        self,
        request_adapter: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's execution of one HTTP operation, without subscriptions: they
        need the socket (and its token checks). Strawberry would run them as a
        query and answer "Unexpected error" (a null for a non-null root field)."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is not OperationType.SUBSCRIPTION:
                raise HTTPException(
                    400, error.as_http_error_reason(request_adapter.method)
                ) from error
            refusal = GraphQLError(
                _SUBSCRIPTION_OVER_HTTP, extensions={"code": "OPERATION_NOT_SUPPORTED"}
            )
            return ExecutionResult(data=None, errors=[refusal])
        except CannotGetOperationTypeError as error:
            raise refusals.Refusal(
                400, error.as_http_error_reason(), refusals.OPERATION_RESOLUTION_FAILURE
            ) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    def should_render_graphql_ide(self, request: Any) -> bool:
        if request.method != "GET":
            return False  # as Strawberry decides, without reading the Accept header
        # A GET with `extensions` (a persisted query's hash) is an operation, not a visit.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "GET" and not any(h in request.headers for h in CSRF_SAFE_HEADERS):
            raise refusals.Refusal(
                400, "GET queries need the header X-Docket-CSRF: 1 (or use POST with JSON)."
            )
        # A plain JSON POST never comes here (`_answer_json_post`).
        return refusals.checked(refusals.one_operation(await super().parse_http_body(request)))

    @property
    def graphql_ide_html(self) -> str:
        """Docket's own GraphiQL page (`api.graphiql`): assets served here, no CDN.

        Its script signs subscriptions in with the Headers pane's token (the
        `connection_init` payload) and keeps no headers in the browser's storage.
        """
        return graphiql.page_html()

    async def render_graphql_ide(self, request: Request) -> Response:
        """The page with its Content-Security-Policy and other security headers."""
        return graphiql.page_response(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)
