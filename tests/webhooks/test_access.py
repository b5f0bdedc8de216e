"""Webhooks are the admins' alone: every field refuses everyone else, and `node`
answers another's webhook IDs as IDs that do not exist."""

from __future__ import annotations

from typing import Any

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid
from tests.webhooks.operations import (
    CREATE,
    DELETE,
    DELIVERIES,
    ENDPOINTS,
    NODE,
    PING,
    RESEND,
    ROTATE,
    UPDATE,
    endpoint_for,
)

URL = "https://hooks.example.com/docket"


def _operations(endpoint_id: str, delivery_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (ENDPOINTS, {}),
        (DELIVERIES, {"filter": {"endpointId": endpoint_id}}),
        (CREATE, {"input": {"url": URL, "eventTypes": ["JOB_CREATED"]}}),
        (UPDATE, {"input": {"id": endpoint_id, "enabled": False}}),
        (DELETE, {"input": {"id": endpoint_id}}),
        (ROTATE, {"input": {"id": endpoint_id}}),
        (RESEND, {"input": {"id": delivery_id}}),
        (PING, {"input": {"id": endpoint_id}}),
    ]


NAMES = ["endpoints", "deliveries", "create", "update", "delete", "rotate", "resend", "ping"]
NOT_ADMINS = [r for r in Role if r is not Role.ADMIN]


async def _someone(kind: str) -> Person:
    if kind == "contact":
        return await portal_contact(await make_account())
    return await staff(Role(kind))


@pytest.mark.parametrize("position", range(len(NAMES)), ids=NAMES)
async def test_anonymous_callers_are_refused(gql: GraphQLClient, position: int) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, URL, "JOB_CREATED")
    query, variables = _operations(endpoint_id, gid("WebhookDelivery", 1))[position]

    # when
    body = await gql.raw(query, variables)

    # then
    assert_unauthenticated(body)


@pytest.mark.parametrize("kind", [r.value for r in NOT_ADMINS] + ["contact"])
async def test_everyone_but_admins_is_refused_everything(gql: GraphQLClient, kind: str) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, URL, "JOB_CREATED")
    someone = await _someone(kind)

    for query, variables in _operations(endpoint_id, gid("WebhookDelivery", 1)):
        # when
        body = await gql.raw(query, variables, someone.token)

        # then
        assert_forbidden(body)

    # and `node` answers as for an ID that does not exist
    assert (await gql(NODE, {"id": endpoint_id}, someone.token))["node"] is None
    still = await gql(ENDPOINTS, token=admin.token)
    assert still["webhookEndpoints"]["nodes"][0]["enabled"] is True
