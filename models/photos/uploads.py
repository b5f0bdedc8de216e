"""Starting an upload: the declared name, type and size, and the signed target."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from models import account_requests as requests
from models import company
from models.clock import now
from models.errors import DomainError, ErrorCode, Forbidden
from models.photos.tables import DESCRIPTION_LENGTH, FILENAME_LENGTH, Photo, PhotoStatus
from models.photos.visibility import may_add, visible_request
from models.storage import ObjectStore, UploadTarget
from models.validation import clean_text, optional_text
from models.viewer import Viewer

_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/heif": "image/heic"}


@dataclass
class UploadData:
    request_id: int
    filename: str
    content_type: str
    byte_size: int
    description: str | None = None
    display_in_portal: bool = False


@dataclass(frozen=True)
class PhotoUpload:
    photo: Photo
    target: UploadTarget


def _filename(value: str) -> str:
    # Only the last path segment: some browsers send the whole local path.
    name = value.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return clean_text(name, "filename", FILENAME_LENGTH)


def _content_type(value: str, allowed: list[str]) -> str:
    content_type = value.strip().lower()
    content_type = _TYPE_ALIASES.get(content_type, content_type)
    if content_type not in allowed:
        raise DomainError(
            ErrorCode.PHOTO_TYPE_NOT_ALLOWED,
            f"Photos may be {', '.join(sorted(allowed))}.",
            "contentType",
        )
    return content_type


def _size(value: int, limit: int) -> int:
    if value < 1:
        raise DomainError(ErrorCode.INVALID, "byteSize must be at least 1.", "byteSize")
    if value > limit:
        raise DomainError(
            ErrorCode.PHOTO_TOO_LARGE,
            f"Photos may be at most {megabytes(limit)} ({limit} bytes).",
            "byteSize",
        )
    return value


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


async def create_upload(
    viewer: Viewer, data: UploadData, store: ObjectStore, expires_in: timedelta
) -> PhotoUpload:
    """A PENDING photo and the signed target its bytes go to (key, type and size fixed)."""
    request = await visible_request(viewer, data.request_id)
    if not await may_add(viewer, request):
        raise Forbidden("You may not add photos to this request.")
    limits = await company.get_settings()
    filename = _filename(data.filename)
    content_type = _content_type(data.content_type, limits.allowed_photo_types)
    byte_size = _size(data.byte_size, limits.max_photo_bytes)
    description = optional_text(data.description, "description", DESCRIPTION_LENGTH) or ""
    # Lock the request so two uploads cannot both take the last free place.
    await requests.AccountRequest.select_for_update().get(id=request.id)
    taken = await Photo.filter(
        Q(status=PhotoStatus.READY) | Q(upload_expires_at__gt=now()), request_id=request.id
    ).count()
    if taken >= limits.max_photos_per_request:
        raise DomainError(
            ErrorCode.TOO_MANY_ITEMS,
            f"A request holds at most {limits.max_photos_per_request} photos.",
            "accountRequestId",
        )
    expires_at = now() + expires_in
    photo = await Photo.create(
        request_id=request.id,
        key=f"account-requests/{request.id}/{uuid.uuid4().hex}",
        filename=filename,
        content_type=content_type,
        byte_size=byte_size,
        description=description,
        # A customer's own photos always show in the portal.
        display_in_portal=True if viewer.is_contact else data.display_in_portal,
        uploaded_by_user_id=viewer.user_id,
        uploaded_by_contact_id=viewer.contact.id if viewer.contact else None,
        upload_expires_at=expires_at,
    )
    target = await store.upload_target(photo.key, content_type, byte_size, expires_at)
    return PhotoUpload(photo=photo, target=target)
