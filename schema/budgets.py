"""Query budgets: every operation is priced before it runs (`schema.cost`) and paid
from a token bucket shared by all API processes (the broker's `take`).

- A document priced over MAX_QUERY_COST is refused outright (MAX_COST_EXCEEDED):
  no budget could ever pay for it.
- Signed-in callers pay from a bucket of their own (QUERY_POINTS_BURST points,
  refilled at QUERY_POINTS_PER_SECOND); anonymous callers, who can only sign in or
  read what needs no sign-in, from a much smaller one per client address
  (ANONYMOUS_POINTS_*): signing in costs an argon2 hash, so guessing across many
  e-mails from one address is slowed as guessing one e-mail is (models.auth).
- A caller whose bucket cannot pay is refused with THROTTLED, `retryAfter` in the
  error and `Retry-After` on the HTTP answer; nothing runs and nothing is paid.

The client's address is the connection's, or the one X-Forwarded-For names when
the connection comes from a proxy listed in TRUSTED_PROXIES (uvicorn resolves it).
"""

from __future__ import annotations

import math
from typing import Any

from graphql import GraphQLError, GraphQLSchema

from api.broker import current_broker
from schema.cost import operation_cost

THROTTLED = "THROTTLED"
BUCKETS = "points:"
MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
_PAID = "query_points_paid"


async def charge(
    context: Any,
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> GraphQLError | None:
    """Price this operation and pay for it; the refusal, or None once paid (a request
    is charged once, whichever lanes it goes through)."""
    settings = context.settings
    if not settings.query_budgets or context.extra.get(_PAID):
        return None
    points = operation_cost(schema, document, operation_name, variables)
    if points > settings.max_query_cost:
        return GraphQLError(
            f"This query may cost {points} points; at most {settings.max_query_cost} are "
            "allowed. Ask for fewer items (`first`) or fewer nested lists.",
            extensions={"code": MAX_COST_EXCEEDED, "cost": points},
        )
    viewer = context.viewer
    if viewer.is_authenticated:
        key = f"{BUCKETS}{'u' if viewer.user_id else 'c'}{viewer.user_id or viewer.contact.id}"
        burst, rate = settings.query_points_burst, settings.query_points_per_second
    else:
        key = f"{BUCKETS}ip:{client_address(context.request)}"
        burst, rate = settings.anonymous_points_burst, settings.anonymous_points_per_second
    wait = await current_broker().take(key, points, burst, rate)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        return GraphQLError(
            f"Too many requests: this query costs {points} points; try again in {seconds} s.",
            extensions={"code": THROTTLED, "retryAfter": seconds, "cost": points},
        )
    context.extra[_PAID] = True
    return None


async def forget_budgets() -> None:
    """Every caller's budget full again (after lowering the limits, say)."""
    await current_broker().forget_buckets(BUCKETS)


def client_address(request: Any) -> str:
    client = getattr(request, "client", None)
    return client.host if client is not None else "unknown"


def retry_after(errors: list[GraphQLError] | None) -> int | None:
    """The Retry-After of an answer refused for its budget, else None."""
    for error in errors or ():
        extensions = error.extensions or {}
        if extensions.get("code") == THROTTLED:
            return int(extensions["retryAfter"])
    return None
