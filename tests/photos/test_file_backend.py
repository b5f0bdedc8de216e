"""The file backend's signed endpoints hold the limits an S3 presigned POST carries.

On the services run photos go to S3, where these endpoints answer 404; these
tests belong to the embedded run.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from models.permissions import Role
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.conftest import Server, StoredObjects
from tests.factories import make_account, staff
from tests.photos.images import image_bytes
from tests.photos.operations import PHOTO_NODE, add_photo, create_upload, download, post_file

pytestmark = pytest.mark.file_storage_only


def _with_field(target: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    fields = [
        {"name": f["name"], "value": value if f["name"] == name else f["value"]}
        for f in target["fields"]
    ]
    return {**target, "fields": fields}


async def _target(gql: GraphQLClient, data: bytes) -> dict[str, Any]:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    created = await create_upload(gql, dispatcher, request, data)
    target: dict[str, Any] = created["uploadTarget"]
    return target


async def test_the_target_is_the_apps_own_upload_endpoint(
    gql: GraphQLClient, server: Server
) -> None:
    target = await _target(gql, image_bytes())
    assert target["url"] == f"{server.url}/uploads"
    assert [f["name"] for f in target["fields"]] == [
        "key",
        "Content-Type",
        "size",
        "expires",
        "signature",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", "account-requests/1/someone-elses-photo"),
        ("Content-Type", "text/html"),
        ("size", "99999999"),
        ("expires", "99999999999"),
        ("signature", "0" * 64),
    ],
)
async def test_a_changed_field_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects, field: str, value: str
) -> None:
    data = image_bytes()
    target = await _target(gql, data)
    sent = await post_file(_with_field(target, field, value), data)
    assert sent.status_code == 403
    assert sent.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_objects.keys() == set()


async def test_a_bigger_file_than_signed_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    data = image_bytes()
    target = await _target(gql, data)
    sent = await post_file(target, data + b"\0" * 100)
    assert sent.status_code == 400
    assert sent.json()["errors"][0]["extensions"]["code"] == "UPLOAD_SIZE_MISMATCH"
    assert stored_objects.keys() == set()


async def test_a_body_over_any_photo_limit_is_refused_unread(server: Server) -> None:
    # only the headers are sent: the answer must not wait for 200 MB
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: multipart/form-data; boundary=x\r\n"
        + f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    await writer.wait_closed()
    assert status_line.split()[1] == b"413"


async def test_a_form_without_a_file_is_refused(gql: GraphQLClient, server: Server) -> None:
    target = await _target(gql, image_bytes())
    form = {f["name"]: f["value"] for f in target["fields"]}
    async with httpx.AsyncClient(timeout=30) as client:
        sent = await client.post(target["url"], data=form, files={"other": ("x", b"y")})
    assert sent.status_code == 400


async def test_a_large_photo_passes_the_general_body_limit(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # the GraphQL body cap (1 MB) does not apply to the upload endpoint
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    big = image_bytes("PNG", (1200, 900)) + b""
    padded = big + b"\0" * max(0, 1_100_000 - len(big))  # trailing bytes after IEND
    photo = await add_photo(gql, dispatcher, request, padded, content_type="image/png")
    assert photo["status"] == "READY"


def _tampered(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_download_links_are_signed_and_expire(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)
    served = await download(photo["url"])
    assert served.status_code == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    # a changed type, name or expiry breaks the signature
    for name, value in [("type", "text/html"), ("name", "x.html"), ("expires", "99999999999")]:
        assert (await download(_tampered(photo["url"], name, value))).status_code == 403
    # another key with the same signature is refused too
    other = (
        photo["url"]
        .replace(".thumb.jpg", "")
        .replace("/files/account-requests/", "/files/account-requests/9")
    )
    assert (await download(other)).status_code in (403, 404)
    # and a path out of the folder is never served
    escape = photo["url"].split("/files/")[0] + "/files/../../etc/passwd"
    assert (await download(escape)).status_code in (403, 404)


async def test_an_expired_download_link_is_refused(
    gql: GraphQLClient,
    server: Server,
    stored_objects: StoredObjects,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)
    # links issued an hour in the past
    monkeypatch.setattr(server.settings, "download_expiry_seconds", -3600)
    data = await gql(PHOTO_NODE, {"id": photo["id"]}, token=dispatcher.token)
    expired = await download(data["node"]["url"])
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["extensions"]["code"] == "EXPIRED"
