"""Queries that start from a remembered viewer (`models.remembered`, `fastpath.gate`).

On PostgreSQL, with the direct lane on, a query already admitted there (so a query,
not a mutation) whose bearer token has a remembered staff viewer starts from that
viewer instead of signing in. It runs behind a gate that lends no connection before
the database confirms the viewer (the JSON lane proves it inside its own statement);
the view throws the answer away and signs in afresh if it was not confirmed.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import GraphQLRequestData

from api.context import REMEMBERED, Context
from api.settings import Settings
from fastpath.gate import Gate
from models import auth
from models.remembered import Remembered, proof


def recalled(settings: Settings, direct: Any, token: str | None) -> Remembered | None:
    """The viewer remembered for this bearer token, where queries may start from one."""
    if direct is None or settings.uses_sqlite or token is None:
        return None
    return auth.recalled(token, secret=settings.secret())


def started(
    settings: Settings,
    direct: Any,
    request: Request,
    sub_response: Response,
    remembered: Remembered,
    request_data: GraphQLRequestData,
) -> tuple[Context, Gate] | None:
    """The context of this request started from the remembered viewer, and its gate;
    None unless it is an admitted query (the caller then signs in as always)."""
    query = request_data.query
    if query is None:
        return None
    context = Context(settings=settings, request=request, response=sub_response)
    context.viewer = remembered.viewer
    context.extra[REMEMBERED] = remembered  # its statements may be remembered too
    if not direct.admitted(context, query, request_data.operation_name):
        return None
    return context, Gate(functools.partial(auth.still_signed_in, remembered), proof(remembered))
