"""The WebSocket side of /graphql: graphql-transport-ws with text frames, direct
delivery of subscription events (`api.fanout`), and mutations that run once per
idempotency key (`api.idempotency`, the key in the subscribe payload's `extensions`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any, cast

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http import process_result
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    NextMessage,
    NextMessagePayload,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from api import fanout, idempotency, outages
from api.context import Context
from api.http_refusals import Refusal

log = logging.getLogger("docket.graphql")


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
    """Strawberry's graphql-transport-ws handler, with direct delivery (`api.fanout`)
    and idempotency keys.

    Each operation's task knows its socket and operation id, and a group
    leader's `next` frame is handed to its group as it goes out.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The `extensions` of subscribe messages that carry a key, by operation id
        # (Strawberry's Operation keeps no extensions).
        self.keyed_extensions: dict[str, Mapping[str, Any]] = {}

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        extensions = message["payload"].get("extensions")
        if isinstance(extensions, Mapping) and idempotency.sent(None, extensions):
            self.keyed_extensions[message["id"]] = extensions
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        fanout.CURRENT.set(fanout.Sink(self, operation.id))  # this task's own context
        extensions = self.keyed_extensions.pop(operation.id, None)
        if extensions is not None and await self._ran_keyed(operation, extensions):
            return
        await super().run_operation(operation)

    async def _ran_keyed(
        self, operation: Operation[Context, None], extensions: Mapping[str, Any]
    ) -> bool:
        """Run `operation` once per key if it is a keyed mutation; False if it is not."""
        context = self.context
        outcome: list[ExecutionResult] = []

        async def run() -> idempotency.Answer:
            result = await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
                allowed_operation_types=(OperationType.MUTATION,),
                operation_extensions=dict(extensions),
            )
            outcome.append(result)
            body = orjson.dumps(process_result(result))
            return idempotency.Answer(body, keep=result.data is not None)

        try:
            await context.refresh_viewer()  # a socket outlives logouts: whose key is it now?
            keyed = idempotency.keyed(
                context.viewer,
                None,
                extensions,
                operation.query,
                operation.operation_name,
                operation.variables,
                max_tokens=context.settings.max_tokens,
            )
            if keyed is None:
                return False
            answer = await idempotency.answer_once(keyed, run)
        except Refusal as refusal:
            error = GraphQLError(refusal.reason, extensions={"code": refusal.code})
            await operation.send_initial_errors([error])
            return True
        except Exception as error:  # outside execution: told, coded and logged here
            await operation.send_initial_errors([_failure(error)])
            return True
        if answer.replayed:
            payload = cast(NextMessagePayload, idempotency.replayed_payload(answer.body))
            await operation.send_operation_message(
                NextMessage(id=operation.id, type="next", payload=payload)
            )
        elif isinstance(outcome[0], PreExecutionError):
            await operation.send_initial_errors(outcome[0].errors or [])
            return True
        else:
            await operation.send_next(outcome[0])
        await operation.send_operation_message({"id": operation.id, "type": "complete"})
        return True

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


def _failure(error: Exception) -> GraphQLError:
    """What a socket is told when a keyed operation fails outside GraphQL's execution
    (the database gone while claiming the key or committing), coded as HTTP answers it."""
    if outages.is_outage(error):
        outages.report(error)
        return GraphQLError(outages.MESSAGE, extensions={"code": outages.SERVICE_UNAVAILABLE})
    error_id = uuid.uuid4().hex[:16]
    log.error(
        "unexpected error %s in a keyed operation",
        error_id,
        exc_info=error,
        extra={"error_id": error_id},
    )
    return GraphQLError(
        "Unexpected error.", extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id}
    )
