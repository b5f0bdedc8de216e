"""The floor: a bare Starlette app answering each scenario with asyncpg and orjson.

Not part of the product. Each endpoint reads the same POST body as /graphql
(only its `variables` are used), checks the same bearer token, runs the same
statements as the product (sign-in; the page, `status IN (...)` as
the ORM writes it so PostgreSQL walks the (status, time) index; one query per
relation, `id = ANY($1)`), but selects only the columns the answer needs, and
builds the same JSON as the GraphQL answer: same keys, nesting, order and
values. The runner checks both answers are equal before it times anything.

    uvicorn --factory bench.floor:create_app      # BENCH_DATABASE_URL, SECRET_KEY
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import floor_limit
from bench.common import SECRET_KEY, database_url
from schema.relay.ids import encode_id

# Tortoise's default pool for one API process is 1-5 connections: the same here.
POOL_SIZE = 5
PRIORITY_OF_URGENCY = {"NORMAL": "MEDIUM", "URGENT": "HIGH"}


Json = dict[str, Any]
Handler = Callable[[asyncpg.Connection, Json], Awaitable[Json]]


def _iso(value: datetime | None) -> str | None:
    # Strawberry's DateTime scalar serializes with isoformat().
    return value.isoformat() if value is not None else None


def _json(payload: object, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status, media_type="application/json")


async def _by_id(
    conn: asyncpg.Connection, sql: str, ids: Iterable[int | None]
) -> dict[int, asyncpg.Record]:
    keys = sorted({key for key in ids if key is not None})
    if not keys:
        return {}
    return {row["id"]: row for row in await conn.fetch(sql, keys)}


async def _viewer(conn: asyncpg.Connection, header: str | None, secret: str) -> list[str] | None:
    """The roles of the bearer token's active user, as models.auth.authenticate reads them."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    digest = hmac.new(secret.encode(), token.strip().encode(), hashlib.sha256).hexdigest()
    # One statement, as models.auth.authenticate signs in.
    row = await conn.fetchrow(
        "SELECT u.id, (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id)"
        " AS roles FROM auth_tokens t JOIN users u ON u.id = t.user_id AND u.is_active"
        " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
        digest,
        datetime.now(UTC),
    )
    if row is None or not row["roles"]:
        return None
    return str(row["roles"]).split(",")


async def dashboard(conn: asyncpg.Connection, variables: Json) -> Json:
    first = int(variables.get("first", 20))
    rows = await conn.fetch(
        "SELECT id, status, note, created_at, updated_at, type_id, account_id, assignee_id,"
        " contact_id FROM account_requests WHERE status IN ($1)"
        " ORDER BY updated_at DESC, id DESC LIMIT $2",
        "OPEN",
        first + 1,
    )
    rows = rows[:first]
    types = await _by_id(
        conn,
        "SELECT id, name FROM account_request_types WHERE id = ANY($1::int[])",
        (row["type_id"] for row in rows),
    )
    accounts = await _by_id(
        conn,
        "SELECT id, name, number FROM accounts WHERE id = ANY($1::int[])",
        (row["account_id"] for row in rows),
    )
    users = await _by_id(
        conn,
        "SELECT id, name FROM users WHERE id = ANY($1::int[])",
        (row["assignee_id"] for row in rows),
    )
    contacts = await _by_id(
        conn,
        "SELECT id, name, email FROM contacts WHERE id = ANY($1::int[])",
        (row["contact_id"] for row in rows),
    )
    nodes = []
    for row in rows:
        kind = types.get(row["type_id"])
        account = accounts.get(row["account_id"])
        assignee = users.get(row["assignee_id"])
        contact = contacts.get(row["contact_id"])
        nodes.append(
            {
                "id": encode_id("AccountRequest", row["id"]),
                "status": row["status"],
                "note": row["note"],
                "createdAt": _iso(row["created_at"]),
                "updatedAt": _iso(row["updated_at"]),
                "type": {"name": kind["name"]} if kind else None,
                "account": {"name": account["name"], "number": account["number"]}
                if account
                else None,
                "assignee": {"name": assignee["name"]} if assignee else None,
                "contact": {"name": contact["name"], "email": contact["email"]}
                if contact
                else None,
            }
        )
    return {"accountRequests": {"nodes": nodes}}


async def review_queue(conn: asyncpg.Connection, variables: Json) -> Json:
    first = int(variables.get("first", 20))
    rows = await conn.fetch(
        "SELECT id, description, urgency, status, account_id, site_id FROM service_requests"
        " WHERE status IN ($1) ORDER BY submitted_at DESC, id DESC LIMIT $2",
        "PENDING",
        first + 1,
    )
    rows = rows[:first]
    accounts = await _by_id(
        conn,
        "SELECT id, name, default_sla_hours FROM accounts WHERE id = ANY($1::int[])",
        (row["account_id"] for row in rows),
    )
    sites = await _by_id(
        conn,
        "SELECT id, name, city FROM sites WHERE id = ANY($1::int[])",
        (row["site_id"] for row in rows),
    )
    company_hours = await conn.fetchval(
        "SELECT default_sla_hours FROM company_settings WHERE id = 1"
    )
    nodes = []
    for row in rows:
        account = accounts.get(row["account_id"])
        site = sites.get(row["site_id"])
        draft = None
        if row["status"] == "PENDING" and account is not None:
            hours = account["default_sla_hours"]
            hours = company_hours if hours is None else hours
            due = datetime.now(UTC) + timedelta(hours=hours) if hours is not None else None
            draft = {"priority": PRIORITY_OF_URGENCY[row["urgency"]], "slaDueAt": _iso(due)}
        nodes.append(
            {
                "id": encode_id("ServiceRequest", row["id"]),
                "description": row["description"],
                "urgency": row["urgency"],
                "status": row["status"],
                "account": {"name": account["name"]} if account else None,
                "site": {"name": site["name"], "city": site["city"]} if site else None,
                "jobDraft": draft,
            }
        )
    return {"serviceRequests": {"nodes": nodes}}


def _request_key(global_id: str) -> int | None:
    padded = global_id + "=" * (-len(global_id) % 4)
    type_name, _, key = base64.urlsafe_b64decode(padded).decode().partition(":")
    return int(key) if type_name == "AccountRequest" and key.isdigit() else None


async def node(conn: asyncpg.Connection, variables: Json) -> Json:
    key = _request_key(str(variables["id"]))
    row = None
    if key is not None:
        row = await conn.fetchrow(
            "SELECT id, status, note FROM account_requests WHERE id = ANY($1::int[])", [key]
        )
    if row is None:
        return {"node": None}
    events = await conn.fetch(
        "SELECT kind, created_at FROM account_request_events WHERE request_id = ANY($1::int[])"
        " ORDER BY id DESC LIMIT 20",
        [row["id"]],
    )
    return {
        "node": {
            "id": encode_id("AccountRequest", row["id"]),
            "status": row["status"],
            "note": row["note"],
            "timeline": {
                "nodes": [
                    {"kind": event["kind"], "createdAt": _iso(event["created_at"])}
                    for event in events
                ]
            },
        }
    }


async def sign_in(conn: asyncpg.Connection, variables: Json) -> Json:
    """`{ __typename }`: nothing but the sign-in every request makes."""
    return {"__typename": "Query"}


HANDLERS: dict[str, Handler] = {
    "sign-in": sign_in,
    "dashboard": dashboard,
    "review-queue": review_queue,
    "node": node,
}


async def _lent_as_it_is(conn: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is, as Docket's pool (fastpath.pg_pool)
    lends it: asyncpg's pool would otherwise reset it after every request (advisory
    locks, cursors, LISTEN, settings), a second round trip the floor's own requests
    never need, since they take none of those."""


def create_app() -> Starlette:
    secret = os.environ.get("SECRET_KEY", SECRET_KEY)
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(
            database_url(), min_size=1, max_size=POOL_SIZE, reset=_lent_as_it_is
        )
        try:
            yield
        finally:
            await pool.close()

    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            body = orjson.loads(await request.body())
            assert pool is not None
            async with pool.acquire() as conn:
                roles = await _viewer(conn, request.headers.get("authorization"), secret)
                if not roles:
                    return _json({"errors": [{"message": "Sign in first."}]}, 401)
                data = await handler(conn, body.get("variables") or {})
            return _json({"data": data})

        return serve

    def limit_endpoint(route: str) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            body = orjson.loads(await request.body())
            scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _json({"errors": [{"message": "Sign in first."}]}, 401)
            digest = hmac.new(secret.encode(), token.strip().encode(), hashlib.sha256).hexdigest()
            first = int((body.get("variables") or {}).get("first", 20))
            assert pool is not None
            async with pool.acquire() as conn:
                data = await floor_limit.answer(conn, route, digest, first)
            if data is None:
                return _json({"errors": [{"message": "Sign in first."}]}, 401)
            return Response(b'{"data":' + data.encode() + b"}", media_type="application/json")

        return serve

    routes = [
        Route(f"/{name}", endpoint(handler), methods=["POST"]) for name, handler in HANDLERS.items()
    ]
    routes += [
        Route(f"/limit/{name}", limit_endpoint(name), methods=["POST"])
        for name in floor_limit.STATEMENTS
    ]
    return Starlette(routes=routes, lifespan=lifespan)
