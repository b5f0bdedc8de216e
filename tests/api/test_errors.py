"""Unexpected failures are masked for the client and logged with an error ID."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from tortoise import connections

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff

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
