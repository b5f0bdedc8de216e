"""The ASGI application factory."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from tortoise import connections

from api import graphiql, metrics, uploads
from api.broker import current_broker
from api.graphql_view import DocketGraphQL
from api.lifespan import make_lifespan
from api.logs import configure_logging
from api.middleware import EdgeMiddleware
from api.settings import Settings
from api.storage import UPLOAD_PATH, current_storage
from schema import build_schema


async def healthz(request: Request) -> JSONResponse:
    """The process is alive (no dependency is checked)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Each dependency, checked now. Without the database nothing can be answered: 503,
    and a load balancer sends no traffic. Without the broker every request still is,
    but live updates and shared persisted queries are off: 200, status "degraded"
    (all processes share one broker: taking them all out would turn an outage of
    live updates into an outage of everything). Without the object store, only photo
    uploads fail: 200, "degraded" too."""
    checks = {"database": "ok", "broker": "ok", "storage": "ok"}
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means "not ready", never a crash
        checks["database"] = f"unavailable: {str(error)[:200]}"
    if not await current_broker().check():
        checks["broker"] = "unavailable"
    try:  # photos only: without the store, everything else is still answered
        await asyncio.wait_for(current_storage().check(), 2)
    except Exception as error:
        checks["storage"] = f"unavailable: {str(error)[:200]}"
    if checks["database"] != "ok":
        return JSONResponse({"status": "unavailable", **checks}, 503)
    status = "ok" if set(checks.values()) == {"ok"} else "degraded"
    return JSONResponse({"status": status, **checks})


def build_app(settings: Settings, *, configure_logs: bool = True) -> Starlette:
    """A Docket API for these settings: GraphQL at /graphql, health at /healthz, /readyz,
    on the file backend the signed /uploads and /files endpoints, and with GraphiQL on
    its assets at /graphiql/assets/."""
    if configure_logs:
        configure_logging(settings.log_level)
    settings.secret()  # create the generated key now, not inside the first request
    graphql = DocketGraphQL(build_schema(settings), settings)

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *uploads.routes,
            *(graphiql.routes() if settings.graphiql else []),
            *([Route("/metrics", metrics.endpoint)] if settings.metrics else []),
        ],
        middleware=[
            Middleware(
                EdgeMiddleware,
                max_bytes=settings.max_body_bytes,
                path_limits={UPLOAD_PATH: uploads.MAX_UPLOAD_BODY},
                cors_options={
                    "allow_origins": settings.cors_origins,
                    "allow_methods": ["GET", "POST", "OPTIONS"],
                    # What browser clients send: Apollo Client adds its two CSRF-safe
                    # headers (api.graphql_view.CSRF_SAFE_HEADERS) to every request.
                    "allow_headers": [
                        "authorization",
                        "content-type",
                        "x-docket-csrf",
                        "x-request-id",
                        "apollo-require-preflight",
                        "x-apollo-operation-name",
                        "idempotency-key",
                    ],
                    "expose_headers": ["x-request-id", "idempotent-replayed"],
                    "max_age": 600,
                },
            ),
        ],
        lifespan=make_lifespan(settings),
    )


def app_from_environment() -> Starlette:
    """Entry point for `uvicorn --factory api.app:app_from_environment` (used by serve)."""
    from api.settings import load_settings_or_exit

    return build_app(load_settings_or_exit())
