"""Admins register, list, change, rotate and remove webhook endpoints; bad input is
a userError, never a crash."""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.client import GraphQLClient, assert_user_error, error_pairs
from tests.factories import staff
from tests.ids import gid
from tests.webhooks.operations import (
    DELETE,
    ENDPOINTS,
    NODE,
    ROTATE,
    UPDATE,
    create_endpoint,
    endpoint_for,
)

URL = "https://hooks.example.com/docket"


async def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await create_endpoint(
        gql,
        admin,
        URL,
        ["JOB_CREATED", "ACCOUNT_REQUEST_CREATED", "JOB_CREATED"],
        description="  Dispatch board  ",
    )

    # then
    assert payload["userErrors"] == []
    endpoint = payload["webhookEndpoint"]
    assert endpoint["url"] == URL
    assert endpoint["description"] == "Dispatch board"
    assert endpoint["eventTypes"] == ["ACCOUNT_REQUEST_CREATED", "JOB_CREATED"]
    assert endpoint["enabled"] is True
    assert endpoint["consecutiveFailures"] == 0
    assert payload["secret"].startswith("whsec_") and len(payload["secret"]) > 40
    listed = await gql(ENDPOINTS, token=admin.token)
    assert listed["webhookEndpoints"]["totalCount"] == 1
    assert listed["webhookEndpoints"]["nodes"] == [endpoint]
    assert (await gql(NODE, {"id": endpoint["id"]}, admin.token))["node"] == {
        "id": endpoint["id"],
        "url": URL,
    }


async def test_endpoints_are_listed_oldest_first_in_pages(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    made = [
        (await endpoint_for(gql, admin, f"https://hooks.example.com/{n}", "JOB_CREATED"))[0]
        for n in range(3)
    ]

    # when
    first = (await gql(ENDPOINTS, {"first": 2}, admin.token))["webhookEndpoints"]
    rest = (
        await gql(ENDPOINTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, admin.token)
    )["webhookEndpoints"]

    # then
    assert [n["id"] for n in first["nodes"]] == made[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [n["id"] for n in rest["nodes"]] == made[2:]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_an_admin_changes_and_removes_an_endpoint(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, URL, "JOB_CREATED")

    # when
    changes = {
        "id": endpoint_id,
        "url": "https://other.example.com/in",
        "description": "Billing",
        "eventTypes": ["CREDIT_REQUEST_DECIDED", "CREDIT_LIMIT_CROSSED"],
        "enabled": False,
    }
    updated = (await gql(UPDATE, {"input": changes}, admin.token))["updateWebhookEndpoint"]

    # then
    assert updated["userErrors"] == []
    endpoint = updated["webhookEndpoint"]
    assert (endpoint["url"], endpoint["description"], endpoint["enabled"]) == (
        "https://other.example.com/in",
        "Billing",
        False,
    )
    assert endpoint["eventTypes"] == ["CREDIT_REQUEST_DECIDED", "CREDIT_LIMIT_CROSSED"]
    assert endpoint["disabledReason"] == "Disabled by an admin."
    assert endpoint["disabledAt"] is not None

    # when
    enabled = (await gql(UPDATE, {"input": {"id": endpoint_id, "enabled": True}}, admin.token))[
        "updateWebhookEndpoint"
    ]["webhookEndpoint"]

    # then
    assert (enabled["enabled"], enabled["disabledAt"], enabled["disabledReason"]) == (
        True,
        None,
        None,
    )

    # when
    deleted = (await gql(DELETE, {"input": {"id": endpoint_id}}, admin.token))[
        "deleteWebhookEndpoint"
    ]

    # then
    assert deleted == {"deletedWebhookEndpointId": endpoint_id, "userErrors": []}
    assert (await gql(ENDPOINTS, token=admin.token))["webhookEndpoints"]["totalCount"] == 0
    again = (await gql(DELETE, {"input": {"id": endpoint_id}}, admin.token))[
        "deleteWebhookEndpoint"
    ]
    assert_user_error(again, "NOT_FOUND", ["input", "id"])


async def test_rotating_shows_a_new_secret_and_keeps_the_old_one_for_the_overlap(
    gql: GraphQLClient,
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, secret = await endpoint_for(gql, admin, URL, "JOB_CREATED")

    # when
    rotated = (await gql(ROTATE, {"input": {"id": endpoint_id}}, admin.token))[
        "rotateWebhookEndpointSecret"
    ]

    # then
    assert rotated["userErrors"] == []
    assert rotated["secret"] != secret and rotated["secret"].startswith("whsec_")
    endpoint = rotated["webhookEndpoint"]
    assert endpoint["secretRotatedAt"] is not None
    assert endpoint["previousSecretExpiresAt"] > endpoint["secretRotatedAt"]

    # when: rotated again with no overlap
    now = (await gql(ROTATE, {"input": {"id": endpoint_id, "overlapHours": 0}}, admin.token))[
        "rotateWebhookEndpointSecret"
    ]

    # then
    assert now["webhookEndpoint"]["previousSecretExpiresAt"] is None


BAD_URLS = [
    ("", "REQUIRED"),
    ("not a url", "INVALID"),
    ("ftp://files.example.com/in", "INVALID"),
    ("https://", "INVALID"),
    ("https://user:pass@hooks.example.com/in", "INVALID"),
    ("https://hooks.example.com:99999/in", "INVALID"),
    ("https://hooks.example.com/" + "a" * 2_000, "TOO_LONG"),
    ("https://hooks.example.com/\x7f", "INVALID"),
]


@pytest.mark.parametrize(("url", "code"), BAD_URLS)
async def test_a_bad_url_is_a_user_error(gql: GraphQLClient, url: str, code: str) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await create_endpoint(gql, admin, url, ["JOB_CREATED"])

    # then
    assert payload["webhookEndpoint"] is None and payload["secret"] is None
    assert error_pairs(payload) == [(code, ["input", "url"])]


async def test_other_bad_input_is_a_user_error_too(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    endpoint_id, _ = await endpoint_for(gql, admin, URL, "JOB_CREATED")

    # when / then: no event types
    payload = await create_endpoint(gql, admin, URL, [])
    assert error_pairs(payload) == [("REQUIRED", ["input", "eventTypes"])]
    changed = await gql(UPDATE, {"input": {"id": endpoint_id, "eventTypes": []}}, admin.token)
    assert error_pairs(changed["updateWebhookEndpoint"]) == [("REQUIRED", ["input", "eventTypes"])]

    # a description too long
    payload = await create_endpoint(gql, admin, URL, ["JOB_CREATED"], description="x" * 501)
    assert error_pairs(payload) == [("TOO_LONG", ["input", "description"])]

    # an overlap beyond a week, or negative
    for hours in (169, -1, 2_000_000_000):
        rotated = await gql(
            ROTATE, {"input": {"id": endpoint_id, "overlapHours": hours}}, admin.token
        )
        assert error_pairs(rotated["rotateWebhookEndpointSecret"]) == [
            ("INVALID", ["input", "overlapHours"])
        ]

    # an ID of another type, or of no endpoint
    for other in (gid("User", admin.id), gid("WebhookEndpoint", 999_999)):
        missing = await gql(UPDATE, {"input": {"id": other, "enabled": False}}, admin.token)
        assert_user_error(missing["updateWebhookEndpoint"], "NOT_FOUND", ["input", "id"])

    # a NUL character: refused before anything runs
    body = await gql.raw(CREATE_RAW, {"url": "https://hooks.example.com/\x00"}, admin.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


CREATE_RAW = """
mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: [JOB_CREATED]}) { secret }
}
"""
