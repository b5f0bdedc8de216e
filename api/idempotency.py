"""Idempotency keys for mutations, as Stripe's Idempotency-Key (docs/idempotency.md).

A mutation request carrying a key (the `Idempotency-Key` header, or `idempotencyKey`
in the request's `extensions`, also over WebSocket) runs once per signed-in person and
key: the request's one transaction claims the key first, runs the mutation (whose own
transactions become savepoints), keeps the encoded answer on the key and commits;
events and after-commit actions follow the commit. A retry with the same body gets
the kept answer, byte for byte, without running anything; a concurrent one waits on
the key's unique index until the first commits, then does the same. The same key
with another body is refused (IDEMPOTENCY_KEY_REUSED).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    parse,
)
from starlette.responses import Response
from tortoise.transactions import in_transaction

from api import metrics
from api.broker import publish
from api.http_refusals import Refusal
from models import idempotency
from models.events import hold_until_commit
from models.viewer import Viewer

log = logging.getLogger("docket.idempotency")

HEADER = "idempotency-key"
EXTENSION = "idempotencyKey"
REPLAYED_HEADER = "Idempotent-Replayed"
REPLAYED_EXTENSION = "idempotentReplayed"

INVALID = "IDEMPOTENCY_KEY_INVALID"
REUSED = "IDEMPOTENCY_KEY_REUSED"
NOT_ALLOWED = "IDEMPOTENCY_KEY_NOT_ALLOWED"

# 1 to 255 visible ASCII characters: a UUID, a ULID, a client's own scheme.
_KEY = re.compile(rf"[\x21-\x7e]{{1,{idempotency.KEY_LENGTH}}}")
_NOT_KEYED = frozenset({"login", "__typename"})
_CLAIM_ATTEMPTS = 3

WRONG_KEY = (
    "The idempotency key must be 1 to 255 visible ASCII characters (no spaces), given "
    "once: as the Idempotency-Key header or as `extensions.idempotencyKey`, or both alike."
)
WITH_LOGIN = (
    "`login` does not run under an idempotency key: send it in a request of its own "
    "(where a key is ignored), and the other mutations with the key."
)
REUSED_MESSAGE = (
    "This idempotency key was used in the last 24 hours with another request (query, "
    "operationName or variables). Use a new key for a new request."
)
NOT_JSON = (
    "Mutations with an idempotency key are taken as a JSON POST answered with JSON "
    "(Content-Type: application/json, no multipart Accept), or over the WebSocket."
)


@dataclass(frozen=True)
class Keyed:
    """A mutation request that runs at most once: whose key, which key, which request."""

    owner: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    """An encoded answer; `keep`: worth keeping (something ran: `data` is not null)."""

    body: bytes
    status_code: int = 200
    keep: bool = True
    replayed: bool = False


def sent(header: str | None, extensions: Mapping[str, Any] | None) -> bool:
    """Does the request carry a key at all (the cheap test every request takes)?"""
    return header is not None or (extensions is not None and EXTENSION in extensions)


def keyed(
    viewer: Viewer,
    header: str | None,
    extensions: Mapping[str, Any] | None,
    query: str | None,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_tokens: int,
) -> Keyed | None:
    """The keyed request this is, or None where the key plays no part: no key, nobody
    signed in (keys are scoped to a person), not a mutation (queries and subscriptions
    ignore keys), `login` alone, or a document that does not parse or name its
    operation (the usual answer says so). Refusal: a malformed key, login mixed in."""
    owner = idempotency.owner_of(viewer)
    if owner is None or query is None or not sent(header, extensions):
        return None
    fields = _mutation_fields(query, operation_name, max_tokens)
    if fields is None or fields <= _NOT_KEYED:
        return None
    key = _key(header, (extensions or {}).get(EXTENSION))
    if "login" in fields:
        raise Refusal(400, WITH_LOGIN, NOT_ALLOWED)
    return Keyed(owner, key, fingerprint(query, operation_name, variables))


def fingerprint(query: str, operation_name: str | None, variables: Mapping[str, Any] | None) -> str:
    """sha256 of the request as canonical JSON (keys sorted): what "the same body" means."""
    request = {"query": query, "operationName": operation_name, "variables": variables or {}}
    return hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _key(header: str | None, extension: object) -> str:
    key = header if header is not None else extension
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Refusal(400, WRONG_KEY, INVALID)
    if extension is not None and extension != key:
        raise Refusal(400, WRONG_KEY, INVALID)
    return key


def _mutation_fields(
    query: str, operation_name: str | None, max_tokens: int
) -> frozenset[str] | None:
    """The root field names of the mutation to run, None if it is no mutation (or unknown)."""
    document = _parsed(query, max_tokens)
    operation = get_operation_ast(document, operation_name) if document is not None else None
    if document is None or operation is None or operation.operation is not OperationType.MUTATION:
        return None
    fragments = {
        definition.name.value: definition.selection_set
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    names: set[str] = set()
    _collect(operation.selection_set, fragments, names, set())
    return frozenset(names)


def _collect(
    selections: SelectionSetNode,
    fragments: Mapping[str, SelectionSetNode],
    names: set[str],
    seen: set[str],
) -> None:
    """Root field names through inline fragments and spreads (skip/include ignored: a
    field that may run counts)."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, names, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            spread = fragments.get(selection.name.value)
            if spread is not None:
                _collect(spread, fragments, names, seen)


@lru_cache(maxsize=256)
def _parsed(query: str, max_tokens: int) -> DocumentNode | None:
    try:
        return parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None


async def answer_once(request: Keyed, run: Callable[[], Awaitable[Answer]]) -> Answer:
    """The kept answer to this key, else `run()`'s, kept with the change it made."""
    for _ in range(_CLAIM_ATTEMPTS):
        found = await idempotency.stored_answer(request.owner, request.key)
        if found is not None:
            if found.fingerprint != request.fingerprint:
                raise Refusal(422, REUSED_MESSAGE, REUSED)
            metrics.REPLAYS.inc()
            return Answer(found.body, found.status_code, replayed=True)
        try:
            return await _first(request, run)
        except idempotency.KeyTaken:
            continue  # its holder committed while this request waited: the answer is kept
    raise RuntimeError(f"idempotency key of {request.owner} taken, but no answer kept")


class _NothingToKeep(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer


async def _first(request: Keyed, run: Callable[[], Awaitable[Answer]]) -> Answer:
    """Claim, run, keep and commit in one transaction; then what waited for the commit."""
    with hold_until_commit() as held:
        try:
            async with in_transaction():
                row = await idempotency.claim(request.owner, request.key, request.fingerprint)
                answer = await run()
                if not answer.keep:
                    # Nothing ran (a refused document, variables, a budget): nothing to
                    # keep, and the claim is rolled back so a corrected retry runs.
                    raise _NothingToKeep(answer)
                await idempotency.record(row, answer.status_code, answer.body)
        except _NothingToKeep as nothing:
            return nothing.answer
    await publish(held.events)
    for action in held.actions:
        try:
            await action()
        except Exception:  # committed and answered: what is left is clean-up
            log.exception("an after-commit action of an idempotent request failed")
    return answer


def replayed_payload(body: bytes) -> dict[str, Any]:
    """A kept answer as a WebSocket `next` payload, marked as a replay (no header there)."""
    payload: dict[str, Any] = orjson.loads(body)
    payload["extensions"] = {**payload.get("extensions", {}), REPLAYED_EXTENSION: True}
    return payload


def response(answer: Answer, sub_response: Response) -> Response:
    """The HTTP response of an answer: its bytes as kept, marked when replayed."""
    reply = Response(answer.body, answer.status_code, media_type="application/json")
    reply.headers.raw.extend(sub_response.headers.raw)
    if answer.replayed:
        reply.headers[REPLAYED_HEADER] = "true"
    return reply
