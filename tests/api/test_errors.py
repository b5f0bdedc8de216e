"""Unexpected failures are masked for the client and logged with an error ID."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from tortoise import connections

from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient
from tests.conftest import Server
from tests.factories import make_account, make_site, portal_contact, staff
from tests.service_requests.operations import submitted
from tests.ws import socket

TEAMS = "{ teams { nodes { name } } }"


@pytest.fixture
async def broken_teams_table() -> AsyncIterator[None]:
    """A real database failure: the table a query needs is gone for a moment."""
    conn = connections.get("default")
    await conn.execute_script('ALTER TABLE "teams" RENAME TO "teams_away"')
    yield
    await conn.execute_script('ALTER TABLE "teams_away" RENAME TO "teams"')


async def test_database_failure_is_masked_and_logged(
    gql: GraphQLClient, broken_teams_table: None, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    # when
    with caplog.at_level(logging.ERROR, logger="docket.graphql"):
        body = await gql.raw(TEAMS, token=admin.token)
    # then the client learns nothing of the cause
    error = body["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    for leak in ("no such table", "does not exist", "Traceback", "OperationalError"):
        assert leak not in str(body)
    # and the log has the real exception under the same ID
    records = [r for r in caplog.records if getattr(r, "error_id", None)]
    assert records[0].error_id == error["extensions"]["errorId"]
    assert records[0].exc_info is not None


async def test_bad_global_id_is_a_client_error(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    # when
    body = await gql.raw('{ node(id: "not-an-id!") { id } }', token=admin.token)
    # then
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a Docket ID" in body["errors"][0]["message"]


async def test_a_failing_subscription_event_is_masked_too(
    server: Server, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a dispatcher watching the queue, and a count that fails with a secret
    async def broken_count() -> int:
        raise OSError("disk /srv/secret-volume is gone")

    monkeypatch.setattr(sr, "pending_count", broken_count)
    account = await make_account()
    site = await make_site(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("q", "subscription { serviceRequestQueueChanged { pendingCount } }")
        await asyncio.sleep(0.1)
        # when a request is submitted
        await submitted(gql, contact, site)
        message = await ws.receive()
    # then the subscriber hears of a masked error, nothing of its cause
    assert message["type"] == "next"
    error = message["payload"]["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret-volume" not in str(message)
