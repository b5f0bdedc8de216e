"""Strawberry's ASGI view, adapted: bearer auth, socket auth, orjson, GET only when safe."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types import ExecutionResult

from api import fanout
from api.context import Context
from api.persisted_queries import (
    PersistedQueries,
    PersistedQueryError,
    check_matches,
    keeps,
    requested_hash,
)
from api.settings import Settings
from models import auth
from models.viewer import ANONYMOUS, Viewer
from schema.direct import DirectQueries

log = logging.getLogger("docket.graphql")

# A browser cannot send these headers cross-site without a CORS preflight, so a
# GET carrying one cannot be a forged request (same idea as Apollo's CSRF guard).
CSRF_SAFE_HEADERS = ("x-docket-csrf", "apollo-require-preflight", "x-apollo-operation-name")


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


# Read when a socket opens, so the pane's current headers (the bearer token) are used.
_WS_CONNECTION_PARAMS = """        wsConnectionParams: () => {
          try { return JSON.parse(window.docketHeaders || parameters.headers || "{}"); }
          catch (error) { return {}; }
        },
"""
_KEEP_HEADERS = (
    "setHeaders(newHeaders);",
    "setHeaders(newHeaders); window.docketHeaders = newHeaders;",
)


def _wants_plain_json(headers: Mapping[str, str]) -> bool:
    """A JSON POST's headers asking for a plain JSON answer (not a multipart stream):
    what SPAs and apps send. Read here: Strawberry parses a Content-Type with the
    e-mail parser."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" and "multipart" not in headers.get("accept", "")


def _one_operation(data: object) -> GraphQLRequestData:
    """A request's one operation; batches are refused."""
    if isinstance(data, list):
        raise HTTPException(400, "Batched operations are not accepted.")
    return data if isinstance(data, GraphQLRequestData) else _request_data(data)


def _request_data(data: object) -> GraphQLRequestData:
    """The operation of a JSON body (not a batch), checked as Strawberry checks it."""
    if not isinstance(data, dict):
        raise HTTPException(400, "The request body must be a JSON object.")
    query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
    if not isinstance(query, (str, type(None))):
        raise HTTPException(
            400, "The GraphQL operation's `query` must be a string or null, if provided."
        )
    if not isinstance(variables, (dict, type(None))):
        raise HTTPException(
            400, "The GraphQL operation's `variables` must be an object or null, if provided."
        )
    if not isinstance(extensions, (dict, type(None))):
        raise HTTPException(
            400, "The GraphQL operation's `extensions` must be an object or null, if provided."
        )
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=data.get("operationName"),
        extensions=extensions,
        protocol="http",
    )


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages as text frames, as browsers' clients expect.

    Strawberry sends whatever `encode_json` returns, and orjson returns bytes: as
    binary frames a browser hands graphql-ws a Blob it cannot parse.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def send_text(self, text: str) -> None:
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's graphql-transport-ws handler, with direct delivery (`api.fanout`).

    Each operation's task knows its socket and operation id, and a group
    leader's `next` frame is handed to its group as it goes out.
    """

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        fanout.CURRENT.set(fanout.Sink(self, operation.id))  # this task's own context
        await super().run_operation(operation)

    async def send_message(self, message: Message) -> None:
        sink = fanout.CURRENT.get()
        if (
            message["type"] == "next"
            and sink is not None
            and sink.operation_id == message["id"]
            and await fanout.send_as_leader(sink, cast(dict[str, Any], message["payload"]))
        ):
            return
        await super().send_message(message)


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
        self.direct = (
            DirectQueries(schema, max_tokens=settings.max_tokens, check=settings.execution_check)
            if settings.direct_queries
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["type"] == "http" and scope["method"] == "POST":
                request = Request(scope, receive)
                if _wants_plain_json(request.headers):
                    try:
                        response = await self._answer_json_post(request)
                    except HTTPException as error:
                        response = PlainTextResponse(error.reason, status_code=error.status_code)
                    await response(scope, receive, send)
                    return
            await super().__call__(scope, receive, send)
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
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        request_data = _one_operation(self.parse_json(await request.body()))
        result = await self.execute_single(
            request, adapter, sub_response, context, root_value, request_data
        )
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data=response_data, sub_response=sub_response)

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
        """Queries by hash (automatic persisted queries), then direct or Strawberry's execution."""

        async def standard() -> ExecutionResult:
            return await super(DocketGraphQL, self).execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )

        async def execute() -> ExecutionResult:
            query = request_data.query
            if self.direct is None or query is None:
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
            raise HTTPException(
                400, "GET queries need the header X-Docket-CSRF: 1 (or use POST with JSON)."
            )
        # A plain JSON POST never comes here (`_answer_json_post`).
        return _one_operation(await super().parse_http_body(request))

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL whose subscriptions sign in with the token of its Headers pane.

        GraphiQL sends its headers over HTTP only; graphql-transport-ws wants the
        token in `connection_init`, so hand the pane's headers over there as well.
        """
        html = super().graphql_ide_html
        hook = "subscriptionUrl,\n"
        if hook not in html or _KEEP_HEADERS[0] not in html:
            return html  # a GraphiQL page of another shape: serve it as it is
        html = html.replace(_KEEP_HEADERS[0], _KEEP_HEADERS[1], 1)
        return html.replace(hook, hook + _WS_CONNECTION_PARAMS, 1)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)
