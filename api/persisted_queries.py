"""Automatic persisted queries, Apollo's protocol: the hash first, the text only on a miss.

A client sends `extensions: {"persistedQuery": {"version": 1, "sha256Hash": h}}`
without the query. A known hash runs its query. An unknown hash answers
PERSISTED_QUERY_NOT_FOUND, and the client sends hash and query together. That
pair runs the query (the hash must match the text) and, once the query has
parsed and validated, registers it for every process, through the broker's
shared values. Mobile and SPA clients send a 64-character hash instead of their
documents, and GET requests with a hash are cacheable by proxies.

A persisted query is only text. It runs with the caller's own permissions, as
if the caller had sent it. Only signed-in callers register queries, and only
texts up to MAX_BYTES: comments are free of the token limit, so an anonymous
caller could otherwise fill the shared store with megabyte-sized texts.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections import OrderedDict
from typing import Any

from graphql import GraphQLError

from api.broker import BrokerUnavailable, current_broker
from models.viewer import Viewer

VERSION = 1
TTL_SECONDS = 30 * 24 * 3600  # refreshed each time the text is sent again
LOCAL_ENTRIES = 1024  # per process, in front of the broker: a hash's text never changes
MAX_BYTES = 64_000  # longer texts still run; they are just not kept
_HASH = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A persisted-query request the protocol refuses; becomes a GraphQL error."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def as_graphql_error(self) -> GraphQLError:
        return GraphQLError(str(self), extensions={"code": self.code})


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The sha256Hash a request asks for, or None if it does not use the protocol."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != VERSION:
        raise PersistedQueryError("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise PersistedQueryError(
            "sha256Hash must be 64 lower-case hex digits.", "PERSISTED_QUERY_BAD_HASH"
        )
    return digest


def check_matches(digest: str, query: str) -> None:
    if hashlib.sha256(query.encode()).hexdigest() != digest:
        raise PersistedQueryError(
            "The query does not match its sha256Hash.", "PERSISTED_QUERY_HASH_MISMATCH"
        )


def keeps(viewer: Viewer, query: str) -> bool:
    """Is this query, which parsed and validated, to be registered for this caller?"""
    return viewer.is_authenticated and len(query.encode()) <= MAX_BYTES


class PersistedQueries:
    """Registered query texts by hash: a small local cache over the broker's shared values."""

    def __init__(self) -> None:
        self._local: OrderedDict[str, str] = OrderedDict()

    async def lookup(self, digest: str) -> str:
        text = self._local.get(digest)
        if text is None:
            try:
                text = await current_broker().get_value(_key(digest))
            except BrokerUnavailable:
                text = None  # the client then sends the text, which runs as usual
            if text is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            self._keep(digest, text)
        else:
            self._local.move_to_end(digest)
        return text

    async def register(self, digest: str, query: str) -> None:
        """Keep the text for every process; while the broker is down, for this one."""
        with contextlib.suppress(BrokerUnavailable):
            await current_broker().set_value(_key(digest), query, TTL_SECONDS)
        self._keep(digest, query)

    def _keep(self, digest: str, text: str) -> None:
        self._local[digest] = text
        self._local.move_to_end(digest)
        while len(self._local) > LOCAL_ENTRIES:
            self._local.popitem(last=False)


def _key(digest: str) -> str:
    return f"apq:{digest}"
