"""GET /metrics: what an operator watches, in Prometheus' text format."""

from __future__ import annotations

import re

import httpx
import pytest

from api import metrics
from models.permissions import Role
from tests.factories import staff


def _value(text: str, series: str) -> float:
    """The value of one series (name with labels) in a scrape; 0 when absent."""
    match = re.search(rf"^{re.escape(series)} ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_operations_errors_and_live_figures(http: httpx.AsyncClient) -> None:
    # given a scrape before
    admin = await staff(Role.ADMIN)
    headers = {"authorization": f"Bearer {admin.token}"}
    before = (await http.get("/metrics")).text
    # when clients send a named operation twice (named as Apollo names it), a refused
    # document and a malformed body
    for _ in range(2):
        await http.post(
            "/graphql",
            json={"query": "query Dash { me { __typename } }", "operationName": "Dash"},
            headers=headers,
        )
    await http.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    await http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    after = await http.get("/metrics")
    # then each shows, by operation and by code, beside the live figures
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    requests = 'docket_graphql_requests_total{operation="Dash"}'
    assert _value(text, requests) - _value(before, requests) == 2
    for code in ("GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"):
        series = f'docket_graphql_errors_total{{code="{code}"}}'
        assert _value(text, series) - _value(before, series) == 1
    assert 'docket_graphql_request_seconds_bucket{le="0.005",operation="Dash"}' in text
    assert _value(text, "docket_broker_up") == 1.0
    assert "docket_subscriptions_open " in text and "docket_outbox_pending " in text


def test_operation_names_cannot_grow_the_series_without_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "_names", set())  # this process's names stay as they were
    # given a process that has seen as many names as it keeps
    for n in range(metrics.MAX_OPERATIONS):
        metrics.operation_label(f"Screen{n}")
    # when a client invents another, or sends no name
    # then it is counted as "other" (or "anonymous"), never as a new series
    assert metrics.operation_label("Invented") == "other"
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("Screen3") == "Screen3"
