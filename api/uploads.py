"""The file backend's signed endpoints: what S3 does for presigned POSTs and GETs.

`POST /uploads` takes the form `createPhotoUpload` returned (fields, then the
file) and stores it only if the signature holds, the target has not expired and
the file has exactly the announced size. `GET /files/<key>` serves an object to
whoever holds an unexpired signed URL.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from api.middleware import BodyTooLarge
from api.storage import (
    DOWNLOAD_PATH,
    UPLOAD_PATH,
    FileStorage,
    StorageError,
    content_disposition,
    current_storage,
    valid_key,
    write_atomically,
)
from models import photos

# The largest body the endpoint reads: the highest photo limit company settings
# allow (100 MB) plus room for the form fields.
MAX_UPLOAD_BODY = 100 * 1024 * 1024 + 64 * 1024


def _error(status: int, code: str, message: str) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    return Response(body, status_code=status, media_type="application/json")


def _file_storage() -> FileStorage | None:
    try:
        storage = current_storage()
    except StorageError:
        return None
    return storage if isinstance(storage, FileStorage) else None


async def receive_upload(request: Request) -> Response:
    storage = _file_storage()
    if storage is None:
        return _error(404, "NOT_FOUND", "This API stores files in S3; upload there.")
    if not request.headers.get("content-length", "").isdigit():
        return _error(411, "LENGTH_REQUIRED", "Send the upload with a Content-Length.")
    # The body's size is capped by EdgeMiddleware (MAX_UPLOAD_BODY for this path).
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=4096)
    except BodyTooLarge:
        raise  # EdgeMiddleware answers 413
    except ClientDisconnect:
        return _error(400, "INVALID", "The upload was interrupted.")
    except Exception:  # a malformed multipart body, whatever the parser calls it
        return _error(400, "INVALID", "Send a multipart/form-data body: the fields, then `file`.")
    try:
        return await _store(storage, form)
    finally:
        await form.close()


async def _store(storage: FileStorage, form: FormData) -> Response:
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _error(400, "INVALID", "The form has no `file` field.")
    key = fields.get("key", "")
    content_type = fields.get("Content-Type", "")
    size = fields.get("size", "")
    expires = fields.get("expires", "")
    signature = fields.get("signature", "")
    signed = storage.signer.verify(signature, "upload", key, content_type, size, expires)
    if not (signed and valid_key(key) and size.isdigit() and expires.isdigit()):
        return _error(403, "FORBIDDEN", "The upload fields were changed or are incomplete.")
    if int(expires) < time.time():
        return _error(403, "UPLOAD_EXPIRED", "This upload target has expired.")
    if not await photos.takes_upload(key):
        return _error(409, "UPLOAD_COMPLETED", "This upload target was used already.")
    if upload.size != int(size):
        return _error(
            400,
            "UPLOAD_SIZE_MISMATCH",
            f"The file has {upload.size} bytes; this target takes exactly {size}.",
        )
    await upload.seek(0)
    data = await upload.read()
    await asyncio.to_thread(write_atomically, storage.path_of(key), data)
    return Response(status_code=204)


async def serve_file(request: Request) -> Response:
    storage = _file_storage()
    if storage is None:
        return _error(404, "NOT_FOUND", "No such file.")
    key = request.path_params["key"]
    query = request.query_params
    content_type = query.get("type", "")
    name = query.get("name", "")
    expires = query.get("expires", "")
    signature = query.get("signature", "")
    signed = storage.signer.verify(signature, "download", key, content_type, name, expires)
    if not (signed and valid_key(key) and expires.isdigit()):
        return _error(403, "FORBIDDEN", "This link is not valid.")
    remaining = int(expires) - int(time.time())
    if remaining <= 0:
        return _error(403, "EXPIRED", "This link has expired; fetch the photo again for a new one.")
    path = storage.path_of(key)
    if not await asyncio.to_thread(path.is_file):
        return _error(404, "NOT_FOUND", "No such file.")
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "content-disposition": content_disposition(name),
            "cache-control": f"private, max-age={remaining}",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


routes = [
    Route(UPLOAD_PATH, receive_upload, methods=["POST"]),
    Route(f"{DOWNLOAD_PATH}/{{key:path}}", serve_file, methods=["GET", "HEAD"]),
]
