"""Query budgets: operations are priced before they run and paid from buckets shared
by all processes (schema.budgets, schema.cost)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from graphql import parse

from api.app import build_app
from api.settings import Settings
from models.permissions import Role
from schema import budgets, build_schema
from schema.cost import operation_cost
from tests.auth.operations import LOGIN
from tests.factories import make_account, staff

LIST = "query($n: Int) { accounts(first: $n) { totalCount nodes { id name } } }"
HUGE = """
{ accounts(first: 100) { nodes { accountRequests(first: 100) {
    nodes { timeline(first: 100) { nodes { kind } } } } } } }
"""

Client = Callable[..., Any]


@pytest.fixture
async def budgeted(
    server: object, settings: Settings
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Clients of an app with small budgets, on the test server's database and broker."""

    await budgets.forget_budgets()  # users' IDs restart with every test, budgets do not

    def client(**limits: float) -> httpx.AsyncClient:
        app = build_app(settings.model_copy(update=limits), configure_logs=False)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d")

    yield client
    await budgets.forget_budgets()  # the other tests' users and address start full


async def _post(http: httpx.AsyncClient, token: str | None, query: str, **variables: Any) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def test_a_list_costs_its_page_and_a_fragment_is_priced_where_it_is_spread() -> None:
    schema = build_schema(Settings())._schema
    plain = parse("{ accounts(first: 50) { totalCount nodes { id manager { name } } } }")
    spread = parse(
        "query($n: Int) { accounts(first: $n) { ...Page } } "
        "fragment Page on AccountConnection { nodes { id manager { name } } }"
    )
    # 1 for the connection, and per account 1 for itself and 1 for its manager
    assert operation_cost(schema, plain, None, {}) == 1 + 50 * 2
    assert operation_cost(schema, spread, None, {"n": 50}) == 1 + 50 * 2
    assert operation_cost(schema, spread, None, {}) == 1 + 20 * 2  # the default page
    assert operation_cost(schema, parse("{ __typename }"), None, {}) == 1


async def test_a_document_over_the_cost_limit_is_refused_before_it_runs(
    budgeted: Callable[..., httpx.AsyncClient],
) -> None:
    # given an admin
    admin = await staff(Role.ADMIN)
    async with budgeted() as http:
        # when a million objects may be asked for
        response = await _post(http, admin.token, HUGE)
    # then the query is refused with its price, whatever the budget
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] > 1_000_000
    assert response.json()["data"] is None


async def test_a_caller_over_budget_is_throttled_with_retry_after(
    budgeted: Callable[..., httpx.AsyncClient],
) -> None:
    # given two users, and a budget of 50 points refilled at 0.01 a second
    await make_account()
    ada, bob = await staff(Role.ADMIN), await staff(Role.ADMIN)
    async with budgeted(query_points_burst=50, query_points_per_second=0.01) as http:
        # when Ada lists 20 accounts (21 points) three times: the later sends go
        # through the direct lane, which must pay too
        answers = [await _post(http, ada.token, LIST, n=20) for _ in range(3)]
        bobs = await _post(http, bob.token, LIST, n=20)
    # then the third is refused, with when to try again; Bob's budget is his own
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert all("errors" not in answer.json() for answer in answers[:2])
    [error] = answers[2].json()["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert int(answers[2].headers["retry-after"]) == error["extensions"]["retryAfter"] > 0
    assert bobs.status_code == 200 and "errors" not in bobs.json()


async def test_anonymous_sign_in_attempts_are_limited_per_client_address(
    budgeted: Callable[..., httpx.AsyncClient],
) -> None:
    # given a budget per address of three sign-ins
    price = operation_cost(build_schema(Settings())._schema, parse(LOGIN), None, {})
    budget = {"anonymous_points_burst": 3 * price + 1, "anonymous_points_per_second": 0.01}
    async with budgeted(**budget) as http:
        # when one address tries passwords for many e-mails
        codes = []
        for n in range(5):
            variables = {"input": {"email": f"user{n}@example.com", "password": "guess"}}
            response = await _post(http, None, LOGIN, **variables)
            errors = response.json().get("errors") or [{"extensions": {"code": "ANSWERED"}}]
            codes.append((response.status_code, errors[0]["extensions"]["code"]))
    # then it is slowed down, as guessing one e-mail is
    assert codes[:3] == [(200, "ANSWERED")] * 3
    assert codes[3:] == [(429, "THROTTLED")] * 2
