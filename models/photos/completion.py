"""Completing an upload: proving the stored object is the declared image, then READY."""

from __future__ import annotations

from datetime import timedelta

from models import account_requests as requests
from models import company, images
from models.clock import now
from models.errors import DomainError, ErrorCode, not_found
from models.photos.tables import Photo, PhotoStatus
from models.photos.timeline import request_changed
from models.photos.uploads import megabytes
from models.photos.visibility import uploaded_by
from models.storage import ObjectStore, StoredObject
from models.viewer import Viewer
from models.webhooks import WebhookEventType, emit, payloads

# Objects may be written this long after their target's expiry: clocks differ.
CLOCK_SKEW = timedelta(seconds=60)

_TYPE_NAMES = {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/webp": "a WebP image",
    "image/heic": "a HEIC image",
}

SERVED_SUFFIX = ".verified"


def served_key(upload_key: str) -> str:
    """Where a completed photo's verified bytes live (see `complete_upload`)."""
    return upload_key + SERVED_SUFFIX


async def complete_upload(viewer: Viewer, photo_id: int, store: ObjectStore) -> Photo:
    """Verify the uploaded object, strip location data, draw the thumbnail: READY."""
    photo = await Photo.select_for_update().get_or_none(id=photo_id)
    if photo is None or not uploaded_by(viewer, photo):
        raise not_found("photoId", "photo upload")
    if photo.status is PhotoStatus.READY:
        raise DomainError(
            ErrorCode.ALREADY_COMPLETED, "This upload is already complete.", "photoId"
        )
    stored = await store.stat(photo.key)
    if stored is None:
        raise DomainError(
            ErrorCode.UPLOAD_NOT_FOUND,
            "Nothing has been uploaded for this photo yet: send the file to the upload "
            "target first.",
            "photoId",
        )
    try:
        limits = await company.get_settings()
        _check_stored(photo, stored, limits)
        data = await store.read(photo.key)  # within the size limit, checked above
        _check_type(photo, images.sniff(data), limits)
        prepared = await images.prepare_apart(data, photo.content_type)
    except images.ImageRejected as rejected:
        await store.delete(photo.key)
        raise DomainError(ErrorCode.NOT_AN_IMAGE, str(rejected), "photoId") from None
    except DomainError:
        await store.delete(photo.key)  # nothing refused stays in the store
        raise
    # What is served lives under a key no upload target names: a second POST to the
    # target (still signed until it expires) can never replace the verified bytes.
    upload_key, photo.key = photo.key, served_key(photo.key)
    served = prepared.cleaned if prepared.cleaned is not None else data
    await store.write(photo.key, served, photo.content_type)
    await store.delete(upload_key)
    photo.byte_size = len(served)
    photo.thumbnail_key = f"{photo.key}.thumb.jpg"
    await store.write(photo.thumbnail_key, prepared.thumbnail, images.THUMBNAIL_TYPE)
    photo.status = PhotoStatus.READY
    photo.width, photo.height = prepared.width, prepared.height
    photo.completed_at = now()
    await photo.save()
    request = await requests.AccountRequest.get(id=photo.request_id)
    await request_changed(request, viewer, requests.EventKind.PHOTO_ADDED, photo)
    await emit(WebhookEventType.PHOTO_ADDED, payloads.photo(photo))
    return photo


def _check_stored(photo: Photo, stored: StoredObject, limits: company.CompanySettings) -> None:
    if stored.modified_at > photo.upload_expires_at + CLOCK_SKEW:
        raise DomainError(
            ErrorCode.UPLOAD_EXPIRED,
            "The file arrived after its upload target expired; start a new upload.",
            "photoId",
        )
    if stored.size > limits.max_photo_bytes:
        raise DomainError(
            ErrorCode.PHOTO_TOO_LARGE,
            f"Photos may be at most {megabytes(limits.max_photo_bytes)}.",
            "photoId",
        )
    if stored.size != photo.byte_size:
        raise DomainError(
            ErrorCode.UPLOAD_SIZE_MISMATCH,
            f"The uploaded file has {stored.size} bytes, not the {photo.byte_size} announced.",
            "photoId",
        )


def _check_type(photo: Photo, actual: str | None, limits: company.CompanySettings) -> None:
    """`actual` is what the first bytes prove (`images.sniff`)."""
    if actual is None:
        raise DomainError(ErrorCode.NOT_AN_IMAGE, "The file is not an image.", "photoId")
    if actual != photo.content_type:
        raise DomainError(
            ErrorCode.NOT_AN_IMAGE,
            f"The file is {_TYPE_NAMES[actual]}, not {photo.content_type} as announced.",
            "photoId",
        )
    if actual not in limits.allowed_photo_types:
        raise DomainError(
            ErrorCode.PHOTO_TYPE_NOT_ALLOWED, f"{actual} photos are not allowed.", "photoId"
        )
