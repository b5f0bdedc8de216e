"""Who may add photos to a request."""

from __future__ import annotations

from typing import Any

import pytest

from models.permissions import Role
from models.photos import Photo
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, error_pairs
from tests.conftest import StoredObjects
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid
from tests.photos.images import image_bytes
from tests.photos.operations import (
    CREATE_UPLOAD,
    add_photo,
    create_upload,
)
from tests.photos.operations import request_photos_node as _request_node


def _upload_input(request_id: str) -> dict[str, Any]:
    return {
        "input": {
            "accountRequestId": request_id,
            "filename": "leak.jpg",
            "contentType": "image/jpeg",
            "byteSize": len(image_bytes()),
        }
    }


async def test_anonymous_callers_cannot_start_an_upload(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    request = await make_request(await make_account())
    body = await gql.raw(CREATE_UPLOAD, _upload_input(request_gid(request)))
    assert_unauthenticated(body)
    assert await Photo.all().count() == 0


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_project_managers_and_accounting_cannot_start_an_upload(
    gql: GraphQLClient, stored_objects: StoredObjects, role: Role
) -> None:
    # given a role that sees the request but no photos
    viewer = await staff(role)
    request = await make_request(await make_account())
    # when it starts an upload
    body = await gql.raw(CREATE_UPLOAD, _upload_input(request_gid(request)), token=viewer.token)
    # then it is refused at the top level, and nothing is written
    assert_forbidden(body)
    assert await Photo.all().count() == 0
    assert stored_objects.keys() == set()


async def test_technician_adds_photos_only_to_requests_assigned_to_them(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a technician, a request of someone else and one assigned to them
    technician = await staff(Role.TECHNICIAN)
    account = await make_account()
    not_theirs = await make_request(account, assignee=(await staff(Role.TECHNICIAN)).user)
    unassigned = await make_request(account)
    theirs = await make_request(account, assignee=technician.user)

    # when they start uploads on each
    refused = [
        await gql.raw(CREATE_UPLOAD, _upload_input(request_gid(row)), token=technician.token)
        for row in (not_theirs, unassigned)
    ]
    photo = await add_photo(gql, technician, theirs)

    # then the others' requests are refused, their own takes the photo
    for body in refused:
        assert_forbidden(body)
    assert photo["status"] == "READY"
    assert photo["uploadedBy"] == {"name": technician.user.name}
    assert await Photo.filter(request_id__in=[not_theirs.id, unassigned.id]).count() == 0


async def test_account_manager_adds_photos_to_own_accounts_only(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a manager's account, its sub-account and another account
    manager = await staff(Role.ACCOUNT_MANAGER)
    managed = await make_account(manager=manager.user)
    own = await make_request(managed)
    sub = await make_request(await make_account(parent=managed))
    other = await make_request(await make_account())

    # when the manager adds photos to each
    on_own = await add_photo(gql, manager, own)
    on_sub = await add_photo(gql, manager, sub)
    on_other = await create_upload(gql, manager, other, image_bytes())
    ghost = await gql(
        CREATE_UPLOAD, _upload_input(gid("AccountRequest", 999_999)), token=manager.token
    )

    # then its own accounts take them; the other answers like a request that does not exist
    assert on_own["status"] == on_sub["status"] == "READY"
    assert error_pairs(on_other) == [("NOT_FOUND", ["input", "accountRequestId"])]
    assert on_other["userErrors"] == ghost["createPhotoUpload"]["userErrors"]
    assert on_other["photo"] is None and on_other["uploadTarget"] is None
    assert await Photo.filter(request_id=other.id).count() == 0


async def test_portal_contact_adds_photos_that_always_show_in_the_portal(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a portal contact and a request of its account
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)

    # when it starts an upload asking not to show it in the portal
    created = await create_upload(gql, contact, request, image_bytes(), display_in_portal=False)
    assert created["userErrors"] == []
    photo = await add_photo(gql, contact, request, display_in_portal=False)

    # then the photo is flagged anyway, and recorded as the contact's
    assert created["photo"]["displayInPortal"] is True
    assert photo["displayInPortal"] is True
    assert photo["uploadedBy"] is None
    assert photo["uploadedByContact"] == {"name": contact.row.name}
    # and the portal lists it
    node = await _request_node(gql, contact, request)
    assert [p["id"] for p in node["photos"]["nodes"]] == [photo["id"]]


async def test_portal_contact_cannot_add_photos_to_another_accounts_request(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a portal contact and a request of another account
    contact = await portal_contact(await make_account())
    foreign = await make_request(await make_account())

    # when it starts an upload there, and on an ID that does not exist
    created = await create_upload(gql, contact, foreign, image_bytes())
    ghost = await gql(
        CREATE_UPLOAD, _upload_input(gid("AccountRequest", 999_999)), token=contact.token
    )

    # then both answer alike, NOT_FOUND, and nothing is written anywhere
    assert error_pairs(created) == [("NOT_FOUND", ["input", "accountRequestId"])]
    assert created["userErrors"] == ghost["createPhotoUpload"]["userErrors"]
    assert created["photo"] is None and created["uploadTarget"] is None
    assert await Photo.all().count() == 0
    assert stored_objects.keys() == set()
