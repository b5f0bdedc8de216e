"""The photo documents tests send, and the upload handshake as a client performs it.

Uploads go the way a mobile client sends them: `createPhotoUpload`, then a
multipart POST of the returned fields and the file to the returned URL (the
app's own endpoint on the file backend, moto's S3 on the services run), then
`completePhotoUpload`.
"""

from __future__ import annotations

from typing import Any

import httpx

from models.account_requests import AccountRequest
from tests.account_requests.rows import request_gid
from tests.client import GraphQLClient
from tests.factories import Person
from tests.photos.images import image_bytes

PHOTO_FIELDS = """
    id status description displayInPortal filename contentType byteSize width height
    url thumbnailUrl urlExpiresAt createdAt completedAt
    uploadedBy { name } uploadedByContact { name }
"""

CREATE_UPLOAD = f"""
mutation($input: CreatePhotoUploadInput!) {{
  createPhotoUpload(input: $input) {{
    photo {{ {PHOTO_FIELDS} }}
    uploadTarget {{ url fields {{ name value }} expiresAt }}
    userErrors {{ code field message }}
  }}
}}
"""

COMPLETE_UPLOAD = f"""
mutation($input: CompletePhotoUploadInput!) {{
  completePhotoUpload(input: $input) {{
    photo {{ {PHOTO_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE_PHOTO = f"""
mutation($input: UpdatePhotoInput!) {{
  updatePhoto(input: $input) {{
    photo {{ {PHOTO_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

DELETE_PHOTO = """
mutation($input: DeletePhotoInput!) {
  deletePhoto(input: $input) {
    deletedPhotoId
    accountRequest { id }
    userErrors { code field message }
  }
}
"""

REQUEST_PHOTOS = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on AccountRequest {{
      photos(first: 50) {{ totalCount nodes {{ {PHOTO_FIELDS} }} }}
      timeline(first: 50) {{ nodes {{ kind before after }} }}
    }}
  }}
}}
"""

PHOTO_NODE = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Photo {{ {PHOTO_FIELDS} }} }} }}
"""


async def create_upload(
    gql: GraphQLClient,
    person: Person,
    request: AccountRequest,
    data: bytes,
    *,
    content_type: str = "image/jpeg",
    filename: str = "leak.jpg",
    byte_size: int | None = None,
    description: str | None = "Water under the sink",
    display_in_portal: bool = False,
) -> dict[str, Any]:
    """The createPhotoUpload payload (photo, uploadTarget, userErrors)."""
    variables = {
        "input": {
            "accountRequestId": request_gid(request),
            "filename": filename,
            "contentType": content_type,
            "byteSize": len(data) if byte_size is None else byte_size,
            "description": description,
            "displayInPortal": display_in_portal,
        }
    }
    result: dict[str, Any] = (await gql(CREATE_UPLOAD, variables, token=person.token))[
        "createPhotoUpload"
    ]
    return result


async def post_file(
    target: dict[str, Any],
    data: bytes,
    filename: str = "leak.jpg",
    content_type: str = "image/jpeg",
) -> httpx.Response:
    """Send the bytes the way a client does: the target's fields in order, then `file`."""
    fields = [(field["name"], (None, field["value"])) for field in target["fields"]]
    files = [*fields, ("file", (filename, data, content_type))]
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(target["url"], files=files)


async def complete(gql: GraphQLClient, person: Person, photo_id: str) -> dict[str, Any]:
    result: dict[str, Any] = (
        await gql(COMPLETE_UPLOAD, {"input": {"photoId": photo_id}}, token=person.token)
    )["completePhotoUpload"]
    return result


async def add_photo(
    gql: GraphQLClient,
    person: Person,
    request: AccountRequest,
    data: bytes | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The whole handshake; returns the READY photo."""
    data = data if data is not None else image_bytes()
    created = await create_upload(gql, person, request, data, **options)
    assert created["userErrors"] == [], created["userErrors"]
    sent = await post_file(
        created["uploadTarget"], data, content_type=options.get("content_type", "image/jpeg")
    )
    assert sent.status_code in (200, 201, 204), sent.text
    done = await complete(gql, person, created["photo"]["id"])
    assert done["userErrors"] == [], done["userErrors"]
    photo: dict[str, Any] = done["photo"]
    return photo


async def download(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url)


async def request_photos_node(gql: GraphQLClient, person: Person, request: AccountRequest) -> Any:
    """The request as `person` sees it: its photos and timeline."""
    return (await gql(REQUEST_PHOTOS, {"id": request_gid(request)}, token=person.token))["node"]


async def photo_node(gql: GraphQLClient, person: Person, photo_id: str) -> Any:
    """The photo as `person` sees it."""
    return (await gql(PHOTO_NODE, {"id": photo_id}, token=person.token))["node"]


def photo_events(node: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """The PHOTO_ entries of a request timeline, as (kind, before, after)."""
    return [
        (event["kind"], event["before"], event["after"])
        for event in node["timeline"]["nodes"]
        if event["kind"].startswith("PHOTO_")
    ]
