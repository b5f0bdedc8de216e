"""What an operator watches: GET /metrics in Prometheus' text format.

- `docket_graphql_requests_total{operation}` and
  `docket_graphql_request_seconds{operation}` (a histogram): every HTTP operation,
  by the `operationName` of the request (Apollo, urql and Relay send it; requests
  without one count as "anonymous");
- `docket_graphql_errors_total{code}`: errors answered, by code (HTTP-level refusals
  included), so a rise of THROTTLED, SERVICE_UNAVAILABLE or INTERNAL_SERVER_ERROR shows;
- `docket_idempotent_replays_total`: kept answers sent again for a retried idempotency
  key (docs/idempotency.md), nothing run;
- `docket_subscriptions_open`, `docket_broker_up`, `docket_outbox_pending`: read when
  scraped.

Operation names are the client's to choose: beyond MAX_OPERATIONS distinct names a
process counts the rest as "other", so no client can grow the series without bound.
Each process keeps its own figures (Prometheus adds them up across targets); with
`docket serve --workers N`, set PROMETHEUS_MULTIPROC_DIR to a folder the workers share.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response

from api.broker import current_broker
from models import outbox

disable_created_metrics()  # one series per counter, not two
MAX_OPERATIONS = 500
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "docket_graphql_requests", "GraphQL operations over HTTP.", ["operation"], registry=REGISTRY
)
SECONDS = Histogram(
    "docket_graphql_request_seconds",
    "Time to answer a GraphQL operation over HTTP.",
    ["operation"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)
ERRORS = Counter("docket_graphql_errors", "Errors answered, by code.", ["code"], registry=REGISTRY)
REPLAYS = Counter(
    "docket_idempotent_replays",
    "Kept answers sent again for an idempotency key.",
    registry=REGISTRY,
)
_names: set[str] = set()
# Each label's two series, looked up once (`labels()` checks and locks at every call):
# at most MAX_OPERATIONS names, "anonymous" and "other".
_series: dict[str, tuple[Any, Any]] = {}


def operation_label(name: object) -> str:
    if not isinstance(name, str) or not name:
        return "anonymous"
    if name in _names:
        return name
    if len(_names) >= MAX_OPERATIONS or len(name) > 100:
        return "other"
    _names.add(name)
    return name


def _series_of(label: str) -> tuple[Any, Any]:
    series = _series.get(label)
    if series is None:
        series = _series[label] = (REQUESTS.labels(label), SECONDS.labels(label))
    return series


def observe(operation: object, started: float, codes: Iterable[str]) -> None:
    requests, seconds = _series_of(operation_label(operation))
    requests.inc()
    seconds.observe(time.perf_counter() - started)
    for code in codes:
        ERRORS.labels(code).inc()


class _Live:
    """Figures read at scrape time."""

    def __init__(self) -> None:
        self.outbox_pending = 0.0

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return ()  # nothing to read before the app has started

    def collect(self) -> Iterable[GaugeMetricFamily]:
        broker = current_broker()
        yield GaugeMetricFamily(
            "docket_subscriptions_open",
            "Subscriptions open on this process.",
            value=broker.subscriber_count(),
        )
        yield GaugeMetricFamily(
            "docket_broker_up", "1 while the event broker answers.", value=float(broker.healthy)
        )
        yield GaugeMetricFamily(
            "docket_outbox_pending", "Mail waiting in the outbox.", value=self.outbox_pending
        )


_live = _Live()
REGISTRY.register(_live)


async def endpoint(request: Request) -> Response:
    """GET /metrics (the outbox is counted in the database, once per scrape)."""
    _live.outbox_pending = float(await outbox.pending_count())
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shared = CollectorRegistry()
        MultiProcessCollector(shared, path=folder)
        shared.register(_live)
        return Response(generate_latest(shared), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
