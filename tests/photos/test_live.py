"""A photo change is a change of its request: followers see it live, lists see it moved."""

from __future__ import annotations

import asyncio

from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient
from tests.conftest import Server, StoredObjects
from tests.factories import make_account, portal_contact, staff
from tests.photos.operations import DELETE_PHOTO, add_photo, create_upload
from tests.ws import socket

FOLLOW = """
subscription Follow($id: ID!) {
  accountRequestUpdated(id: $id) {
    updatedAt
    photos { totalCount nodes { description thumbnailUrl } }
    timeline(first: 1) { nodes { kind } }
  }
}
"""
UPDATED_AT = """
query($id: ID!) { node(id: $id) { ... on AccountRequest { updatedAt } } }
"""


async def test_followers_see_photos_arrive_and_leave(
    server: Server, gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a dispatcher and the account's portal contact follow a request
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    customer = await portal_contact(account)
    request = await make_request(account)
    before = (await gql(UPDATED_AT, {"id": request_gid(request)}, dispatcher.token))["node"]
    async with (
        socket(server.ws_url, dispatcher.token) as staff_ws,
        socket(server.ws_url, customer.token) as customer_ws,
    ):
        await staff_ws.subscribe("r", FOLLOW, {"id": request_gid(request)})
        await customer_ws.subscribe("r", FOLLOW, {"id": request_gid(request)})
        await asyncio.sleep(0.2)

        # when the dispatcher adds a photo the portal does not show
        photo = await add_photo(gql, dispatcher, request, description="Meter cabinet")
        staff_view = await staff_ws.next_data("accountRequestUpdated")
        customer_view = await customer_ws.next_data("accountRequestUpdated")

        # then staff see it with a thumbnail, the customer sees the request but not it
        assert staff_view["photos"]["totalCount"] == 1
        assert staff_view["photos"]["nodes"][0]["description"] == "Meter cabinet"
        assert staff_view["photos"]["nodes"][0]["thumbnailUrl"]
        assert staff_view["timeline"]["nodes"] == [{"kind": "PHOTO_ADDED"}]
        assert staff_view["updatedAt"] > before["updatedAt"]
        assert customer_view["photos"]["totalCount"] == 0
        assert customer_view["timeline"]["nodes"] == []

        # and when it is removed, followers see it gone
        removed = await gql(DELETE_PHOTO, {"input": {"id": photo["id"]}}, dispatcher.token)
        assert removed["deletePhoto"]["userErrors"] == []
        after_delete = await staff_ws.next_data("accountRequestUpdated")
        assert after_delete["photos"]["totalCount"] == 0
        assert after_delete["timeline"]["nodes"] == [{"kind": "PHOTO_REMOVED"}]


async def test_an_upload_that_is_never_completed_publishes_nothing(
    server: Server, gql: GraphQLClient
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    async with socket(server.ws_url, dispatcher.token) as ws:
        await ws.subscribe("r", FOLLOW, {"id": request_gid(request)})
        await asyncio.sleep(0.2)
        created = await create_upload(gql, dispatcher, request, b"\xff\xd8\xff" + b"0" * 100)
        assert created["userErrors"] == []
        assert await ws.nothing_within(0.5)
