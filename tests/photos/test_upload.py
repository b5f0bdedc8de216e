"""The upload handshake end to end, and every way it refuses, leaving nothing behind."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from api import housekeeping
from api.storage import current_storage
from fastpath.direct import DirectQueries
from models.permissions import Role
from models.photos import Photo, PhotoStatus
from schema import photos as photos_schema
from schema.relay.ids import decode_id
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, error_pairs
from tests.conftest import Server, StoredObjects
from tests.factories import make_account, staff
from tests.photos.images import gps_of, image_bytes
from tests.photos.operations import (
    REQUEST_PHOTOS,
    add_photo,
    complete,
    create_upload,
    download,
    post_file,
)

UPDATE_SETTINGS = """
mutation($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) { userErrors { code field message } }
}
"""


async def test_round_trip_create_post_complete_download(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a dispatcher and a request
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    original = image_bytes("JPEG", (640, 480), gps=True)
    assert gps_of(original)  # the camera recorded where it was

    # when the dispatcher starts an upload
    created = await create_upload(gql, dispatcher, request, original, display_in_portal=True)
    # then a PENDING photo and a target that carries everything the client needs
    assert created["userErrors"] == []
    photo = created["photo"]
    assert photo["status"] == "PENDING"
    assert photo["url"] is None and photo["thumbnailUrl"] is None
    target = created["uploadTarget"]
    names = [field["name"] for field in target["fields"]]
    assert "key" in names and "Content-Type" in names
    key = next(field["value"] for field in target["fields"] if field["name"] == "key")
    assert key.startswith(f"account-requests/{request.id}/") and "leak" not in key

    # when the client POSTs the bytes with nothing but those fields, then completes
    sent = await post_file(target, original)
    assert sent.status_code in (200, 201, 204), sent.text
    done = await complete(gql, dispatcher, photo["id"])

    # then the photo is READY with its size, dimensions and signed links
    assert done["userErrors"] == []
    ready = done["photo"]
    assert ready["status"] == "READY"
    assert (ready["width"], ready["height"]) == (640, 480)
    assert ready["uploadedBy"]["name"] == dispatcher.row.name
    assert ready["description"] == "Water under the sink"
    assert ready["displayInPortal"] is True

    # and the download is the image without its location, with a small thumbnail
    image = await download(ready["url"])
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/jpeg")
    assert len(image.content) == ready["byteSize"]
    assert gps_of(image.content) == {}
    thumbnail = await download(ready["thumbnailUrl"])
    assert thumbnail.status_code == 200
    small = Image.open(io.BytesIO(thumbnail.content))
    assert small.format == "JPEG" and max(small.size) <= 320
    served = f"{key}.verified"  # the upload key itself is gone: a target cannot reach it
    assert stored_objects.keys() == {served, f"{served}.thumb.jpg"}

    # and the request lists it, with the photo in its timeline
    data = await gql(REQUEST_PHOTOS, {"id": request_gid(request)}, token=dispatcher.token)
    node = data["node"]
    assert [p["id"] for p in node["photos"]["nodes"]] == [ready["id"]]
    assert {"kind": "PHOTO_ADDED", "before": None, "after": ready["id"]} in node["timeline"][
        "nodes"
    ]


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("PNG", "image/png"), ("WEBP", "image/webp"), ("HEIF", "image/heic")],
)
async def test_every_allowed_type_completes(
    gql: GraphQLClient, stored_objects: StoredObjects, kind: str, content_type: str
) -> None:
    # given an image of each allowed type, with a location
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes(kind, (300, 200), gps=True)
    # when it is uploaded
    photo = await add_photo(gql, dispatcher, request, data, content_type=content_type)
    # then it is READY and served without its location
    assert photo["contentType"] == content_type
    served = await download(photo["url"])
    assert served.status_code == 200
    assert gps_of(served.content) == {}


async def test_an_image_without_location_is_served_byte_for_byte(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    original = image_bytes("JPEG", gps=False)
    photo = await add_photo(gql, dispatcher, request, original)
    assert (await download(photo["url"])).content == original


async def test_oversize_is_refused_before_any_upload(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given an upload limit of 1 MB
    admin = await staff(Role.ADMIN)
    limited = await gql(UPDATE_SETTINGS, {"input": {"maxPhotoBytes": 1024 * 1024}}, admin.token)
    assert limited["updateCompanySettings"]["userErrors"] == []
    request = await make_request(await make_account())
    # when a client announces a bigger file
    created = await create_upload(
        gql, admin, request, b"x", byte_size=1024 * 1024 + 1, content_type="image/jpeg"
    )
    # then it is refused with the reason, and nothing is written anywhere
    assert error_pairs(created) == [("PHOTO_TOO_LARGE", ["input", "byteSize"])]
    assert "1 MB" in created["userErrors"][0]["message"]
    assert created["photo"] is None and created["uploadTarget"] is None
    assert await Photo.all().count() == 0
    assert stored_objects.keys() == set()


@pytest.mark.parametrize("content_type", ["image/gif", "text/html", "application/pdf"])
async def test_a_type_not_allowed_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects, content_type: str
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    created = await create_upload(gql, dispatcher, request, b"GIF89a", content_type=content_type)
    assert error_pairs(created) == [("PHOTO_TYPE_NOT_ALLOWED", ["input", "contentType"])]
    assert await Photo.all().count() == 0


async def test_a_type_the_company_turned_off_is_refused(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    await gql(UPDATE_SETTINGS, {"input": {"allowedPhotoTypes": ["image/jpeg"]}}, admin.token)
    request = await make_request(await make_account())
    created = await create_upload(gql, admin, request, image_bytes("PNG"), content_type="image/png")
    assert error_pairs(created) == [("PHOTO_TYPE_NOT_ALLOWED", ["input", "contentType"])]


async def test_html_renamed_to_jpg_is_refused_and_deleted(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a page saved as photo.jpg and announced as a JPEG
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    page = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    created = await create_upload(gql, dispatcher, request, page, filename="photo.jpg")
    assert created["userErrors"] == []
    # when it is uploaded (the store takes any bytes) and completed
    sent = await post_file(created["uploadTarget"], page, filename="photo.jpg")
    assert sent.status_code in (200, 201, 204)
    assert len(stored_objects.keys()) == 1
    done = await complete(gql, dispatcher, created["photo"]["id"])
    # then completion refuses it, deletes the object, and the photo never shows
    assert error_pairs(done) == [("NOT_AN_IMAGE", ["input", "photoId"])]
    assert done["photo"] is None
    assert stored_objects.keys() == set()
    data = await gql(REQUEST_PHOTOS, {"id": request_gid(request)}, token=dispatcher.token)
    assert data["node"]["photos"]["totalCount"] == 0


async def test_a_png_announced_as_jpeg_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes("PNG")
    created = await create_upload(gql, dispatcher, request, data, content_type="image/jpeg")
    await post_file(created["uploadTarget"], data)
    done = await complete(gql, dispatcher, created["photo"]["id"])
    assert error_pairs(done) == [("NOT_AN_IMAGE", ["input", "photoId"])]
    assert "PNG" in done["userErrors"][0]["message"]
    assert stored_objects.keys() == set()


async def test_a_truncated_image_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # the first bytes say JPEG, the rest is missing
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes("JPEG")[:200]
    created = await create_upload(gql, dispatcher, request, data)
    await post_file(created["uploadTarget"], data)
    done = await complete(gql, dispatcher, created["photo"]["id"])
    assert error_pairs(done) == [("NOT_AN_IMAGE", ["input", "photoId"])]
    assert stored_objects.keys() == set()


async def test_completing_before_uploading_says_so_and_keeps_the_photo_pending(
    gql: GraphQLClient,
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    created = await create_upload(gql, dispatcher, request, image_bytes())
    done = await complete(gql, dispatcher, created["photo"]["id"])
    assert error_pairs(done) == [("UPLOAD_NOT_FOUND", ["input", "photoId"])]
    _, key = decode_id(created["photo"]["id"])
    assert (await Photo.get(id=key)).status is PhotoStatus.PENDING


async def test_a_second_completion_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)
    again = await complete(gql, dispatcher, photo["id"])
    assert error_pairs(again) == [("ALREADY_COMPLETED", ["input", "photoId"])]
    # and the photo and its objects are untouched
    assert len(stored_objects.keys()) == 2
    assert (await download(photo["url"])).status_code == 200


async def test_an_expired_target_is_refused_and_leaves_nothing(
    gql: GraphQLClient,
    server: Server,
    stored_objects: StoredObjects,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a target that expired an hour ago
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes()
    monkeypatch.setattr(server.settings, "upload_expiry_seconds", -3600)
    created = await create_upload(gql, dispatcher, request, data)
    monkeypatch.undo()
    # when the client still sends the bytes
    sent = await post_file(created["uploadTarget"], data)
    # then the store refuses them, or (an emulator that ignores the policy) completion does
    if sent.status_code in (200, 201, 204):
        done = await complete(gql, dispatcher, created["photo"]["id"])
        assert error_pairs(done) == [("UPLOAD_EXPIRED", ["input", "photoId"])]
    else:
        assert sent.status_code == 403
        done = await complete(gql, dispatcher, created["photo"]["id"])
        assert error_pairs(done) == [("UPLOAD_NOT_FOUND", ["input", "photoId"])]
    assert stored_objects.keys() == set()


async def test_a_file_of_another_size_than_announced_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes()
    created = await create_upload(gql, dispatcher, request, data, byte_size=len(data) - 10)
    sent = await post_file(created["uploadTarget"], data)
    if sent.status_code in (200, 201, 204):  # the store ignored the size condition
        done = await complete(gql, dispatcher, created["photo"]["id"])
        assert error_pairs(done) == [("UPLOAD_SIZE_MISMATCH", ["input", "photoId"])]
    else:
        assert sent.status_code in (400, 403)
    assert stored_objects.keys() == set()


async def test_the_photo_limit_per_request_holds(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    await gql(UPDATE_SETTINGS, {"input": {"maxPhotosPerRequest": 2}}, admin.token)
    request = await make_request(await make_account())
    for _ in range(2):
        assert (await create_upload(gql, admin, request, image_bytes()))["userErrors"] == []
    third = await create_upload(gql, admin, request, image_bytes())
    assert error_pairs(third) == [("TOO_MANY_ITEMS", ["input", "accountRequestId"])]
    assert await Photo.all().count() == 2


async def test_only_the_uploader_completes(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    other = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes()
    created = await create_upload(gql, dispatcher, request, data)
    await post_file(created["uploadTarget"], data)
    done = await complete(gql, other, created["photo"]["id"])
    assert error_pairs(done) == [("NOT_FOUND", ["input", "photoId"])]
    assert len(stored_objects.keys()) == 1  # still the uploader's to complete


async def test_filename_keeps_only_its_last_segment(gql: GraphQLClient) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    created = await create_upload(
        gql, dispatcher, request, image_bytes(), filename="C:\\Users\\me\\..\\leak.jpg"
    )
    assert created["photo"]["filename"] == "leak.jpg"
    blank = await create_upload(gql, dispatcher, request, image_bytes(), filename="  ")
    assert error_pairs(blank) == [("REQUIRED", ["input", "filename"])]


async def _no_second_look(*_: Any) -> None:
    return None


async def test_one_answer_carries_one_link_per_photo(
    gql: GraphQLClient, stored_objects: StoredObjects, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a photo, and a clock that jumps past a link-expiry window at every look
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)
    moments = iter(range(0, 10_000, 400))
    base = photos_schema.now()
    monkeypatch.setattr(photos_schema, "now", lambda: base + timedelta(seconds=next(moments)))
    # (a second execution, as the execution check makes, would answer another window)
    monkeypatch.setattr(DirectQueries, "_compare", _no_second_look)
    # when one answer names the photo twice
    data = await gql(
        "query($id: ID!) { a: node(id: $id) { ... on Photo { url thumbnailUrl urlExpiresAt } }"
        " b: node(id: $id) { ... on Photo { url thumbnailUrl urlExpiresAt } } }",
        {"id": photo["id"]},
        token=dispatcher.token,
    )
    # then both mentions carry the same links and the same expiry
    assert data["a"] == data["b"]


async def test_a_used_upload_target_cannot_replace_the_verified_photo(
    gql: GraphQLClient, server: Server, stored_objects: StoredObjects
) -> None:
    # given a READY photo, verified and stripped of its location
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    original = image_bytes("JPEG", (640, 480), gps=True)
    created = await create_upload(gql, dispatcher, request, original)
    target = created["uploadTarget"]
    assert (await post_file(target, original)).status_code in (200, 201, 204)
    ready = (await complete(gql, dispatcher, created["photo"]["id"]))["photo"]
    served = (await download(ready["url"])).content
    assert gps_of(served) == {}

    # when the target, still within its lifetime, is used again: the original with its
    # location, and bytes that are no image at all
    for replacement in (original, b"no image, as long as one".ljust(len(original))):
        again = await post_file(target, replacement)
        # then the file backend refuses; S3 (which cannot) stores them under a key
        # nothing serves
        if server.settings.storage_url.startswith("file://"):
            assert again.status_code == 409, again.text
            assert again.json()["errors"][0]["extensions"]["code"] == "UPLOAD_COMPLETED"
        data = await gql(REQUEST_PHOTOS, {"id": request_gid(request)}, token=dispatcher.token)
        [shown] = data["node"]["photos"]["nodes"]
        assert (await download(shown["url"])).content == served

    # and housekeeping removes whatever a used target left, once it has expired
    _, photo_id = decode_id(ready["id"])
    row = await Photo.get(id=photo_id)
    await Photo.filter(id=photo_id).update(upload_expires_at=row.completed_at)
    await housekeeping.purge_uploads(current_storage())
    assert stored_objects.keys() == {row.key, f"{row.key}.thumb.jpg"}
