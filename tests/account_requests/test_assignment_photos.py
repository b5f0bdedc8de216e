"""An assignee sees and adds the photos of the requests assigned to them (issue 22, 1-2).

Project managers and accounting see no photos by role (DESIGN §4) but those of the
requests assigned to them; an account manager also sees those of a request assigned
to them on an account they no longer manage.
"""

from __future__ import annotations

import pytest

from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.conftest import StoredObjects
from tests.factories import make_account, staff
from tests.photos.operations import PHOTO_NODE, REQUEST_PHOTOS, add_photo


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING], ids=lambda r: r.value)
async def test_an_assignee_without_photo_rights_sees_and_adds_photos_of_their_request(
    gql: GraphQLClient, stored_objects: StoredObjects, role: Role
) -> None:
    # given a request assigned to them, with a dispatcher's photo, and one not theirs
    dispatcher = await staff(Role.DISPATCHER)
    assignee = await staff(role)
    account = await make_account()
    mine = await make_request(account, assignee=assignee.user)
    other = await make_request(account)
    theirs = await add_photo(gql, dispatcher, mine)
    hidden = await add_photo(gql, dispatcher, other)

    # when they add a photo of their own to their request
    added = await add_photo(gql, assignee, mine)

    # then they see both photos of their request, none of the other one
    node = (await gql(REQUEST_PHOTOS, {"id": request_gid(mine)}, assignee.token))["node"]
    assert {photo["id"] for photo in node["photos"]["nodes"]} == {theirs["id"], added["id"]}
    assert (await gql(PHOTO_NODE, {"id": hidden["id"]}, assignee.token))["node"] is None
    other_node = (await gql(REQUEST_PHOTOS, {"id": request_gid(other)}, assignee.token))["node"]
    assert other_node["photos"]["totalCount"] == 0


async def test_a_manager_sees_the_photos_of_their_request_after_losing_the_account(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given Mona's request on Acme has a photo, then Acme is taken from her
    dispatcher = await staff(Role.DISPATCHER)
    mona = await staff(Role.ACCOUNT_MANAGER)
    acme = await make_account(manager=mona.user)
    mine = await make_request(acme, assignee=mona.user)
    photo = await add_photo(gql, dispatcher, mine)
    await set_manager(gql, dispatcher, acme.id, None)
    # when she opens the photo
    node = (await gql(PHOTO_NODE, {"id": photo["id"]}, mona.token))["node"]
    # then it is there
    assert node is not None
