"""Photos on account requests: upload targets, completion checks, visibility, purge.

The bytes live in object storage (`models.storage.ObjectStore`), never in the
database. A photo starts PENDING with a signed upload target; completion proves
the object is there, has the declared size and really is an allowed image, and
only then makes it READY. Whatever completion refuses is deleted from the store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import account_requests as requests
from models import accounts, company, images
from models.accounts import Contact
from models.base import TimestampedModel
from models.clock import now
from models.errors import DomainError, ErrorCode, Forbidden, not_found
from models.permissions import Permission
from models.storage import ObjectStore, StoredObject, UploadTarget
from models.users import User
from models.validation import clean_text, optional_text
from models.viewer import Viewer

DESCRIPTION_LENGTH = 2_000
FILENAME_LENGTH = 255
# Objects may be written this long after their target's expiry: clocks differ.
CLOCK_SKEW = timedelta(seconds=60)
STALE_AFTER = timedelta(hours=24)
_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/heif": "image/heic"}
_TYPE_NAMES = {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/webp": "a WebP image",
    "image/heic": "a HEIC image",
}


class PhotoStatus(str, Enum):
    PENDING = "PENDING"
    READY = "READY"


class Photo(TimestampedModel):
    """An image on an account request, stored in object storage under a generated key."""

    request: fields.ForeignKeyRelation[requests.AccountRequest] = fields.ForeignKeyField(
        "models.AccountRequest", related_name="photos", on_delete=fields.CASCADE
    )
    request_id: int
    status = fields.CharEnumField(PhotoStatus, max_length=16, default=PhotoStatus.PENDING)
    key = fields.CharField(max_length=200, unique=True)
    thumbnail_key = fields.CharField(max_length=220, null=True)
    filename = fields.CharField(max_length=FILENAME_LENGTH)
    content_type = fields.CharField(max_length=64)
    byte_size = fields.BigIntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    description = fields.TextField(default="")
    display_in_portal = fields.BooleanField(default=False)
    uploaded_by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="uploaded_photos", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_user_id: int | None
    uploaded_by_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="uploaded_photos", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_contact_id: int | None
    upload_expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "photos"
        indexes = (("request_id", "status", "id"), ("status", "created_at"))


PHOTO_EVENTS = (
    requests.EventKind.PHOTO_ADDED,
    requests.EventKind.PHOTO_UPDATED,
    requests.EventKind.PHOTO_REMOVED,
)


# --- visibility and rights -------------------------------------------------------


def visible_photos(viewer: Viewer) -> QuerySet[Photo]:
    """READY photos the viewer may see (DESIGN §4): every one, an account manager's
    accounts' ones, or for a portal contact those flagged for the portal."""
    ready = Photo.filter(status=PhotoStatus.READY)
    if viewer.can(Permission.VIEW_ALL_PHOTOS):
        return ready
    if viewer.can(Permission.VIEW_OWN_ACCOUNT_PHOTOS):
        managed = requests.AccountRequest.filter(
            account_id__in=Subquery(accounts.managed_accounts(viewer).values("id"))
        )
        return ready.filter(request_id__in=Subquery(managed.values("id")))
    if viewer.is_contact:
        own = requests.visible_account_requests(viewer)
        return ready.filter(display_in_portal=True, request_id__in=Subquery(own.values("id")))
    return Photo.filter(id__in=[])


def sees_photos(viewer: Viewer) -> bool:
    return viewer.is_contact or any(
        viewer.can(permission)
        for permission in (Permission.VIEW_ALL_PHOTOS, Permission.VIEW_OWN_ACCOUNT_PHOTOS)
    )


async def _may_add(viewer: Viewer, request: requests.AccountRequest) -> bool:
    if viewer.is_contact:
        return True  # the request is visible to them, so it is of their account
    return await requests.may_edit(viewer, request)


async def _may_change(viewer: Viewer, photo: Photo, request: requests.AccountRequest) -> bool:
    """Staff who may edit the request; a portal contact, only the photos they added."""
    if viewer.is_contact:
        return viewer.contact is not None and photo.uploaded_by_contact_id == viewer.contact.id
    return await requests.may_edit(viewer, request)


def _uploaded_by(viewer: Viewer, photo: Photo) -> bool:
    if viewer.user_id is not None:
        return photo.uploaded_by_user_id == viewer.user_id
    return viewer.contact is not None and photo.uploaded_by_contact_id == viewer.contact.id


async def _visible_request(viewer: Viewer, request_id: int) -> requests.AccountRequest:
    request = await requests.visible_account_requests(viewer).get_or_none(id=request_id)
    if request is None:
        raise not_found("accountRequestId", "account request")
    return request


# --- upload ------------------------------------------------------------------------


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
            f"Photos may be at most {_megabytes(limit)} ({limit} bytes).",
            "byteSize",
        )
    return value


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


async def create_upload(
    viewer: Viewer, data: UploadData, store: ObjectStore, expires_in: timedelta
) -> PhotoUpload:
    """A PENDING photo and the signed target its bytes go to (key, type and size fixed)."""
    request = await _visible_request(viewer, data.request_id)
    if not await _may_add(viewer, request):
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


# --- completion --------------------------------------------------------------------


async def complete_upload(viewer: Viewer, photo_id: int, store: ObjectStore) -> Photo:
    """Verify the uploaded object, strip location data, draw the thumbnail: READY."""
    photo = await Photo.select_for_update().get_or_none(id=photo_id)
    if photo is None or not _uploaded_by(viewer, photo):
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
    await _request_changed(request, viewer, requests.EventKind.PHOTO_ADDED, photo)
    return photo


async def _request_changed(
    request: requests.AccountRequest, viewer: Viewer, kind: requests.EventKind, photo: Photo
) -> None:
    """A photo change is a change of its request: timeline, `updatedAt`, live feed."""
    removed = kind is requests.EventKind.PHOTO_REMOVED
    await requests.record_event(
        request,
        viewer,
        kind,
        str(photo.id) if removed else None,
        None if removed else str(photo.id),
        visible_in_portal=photo.display_in_portal,
    )
    await request.save(update_fields=["updated_at"])
    requests.publish_change(request)


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
            f"Photos may be at most {_megabytes(limits.max_photo_bytes)}.",
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


# --- changes -----------------------------------------------------------------------


@dataclass
class PhotoChanges:
    description: str | None = None
    display_in_portal: bool | None = None


async def _changeable(viewer: Viewer, photo_id: int) -> tuple[Photo, requests.AccountRequest]:
    """A READY photo the viewer sees and may change, or a pending one they uploaded."""
    photo = await Photo.select_for_update().get_or_none(id=photo_id)
    if photo is None:
        raise not_found("id", "photo")
    visible = await visible_photos(viewer).filter(id=photo_id).exists()
    if not visible and not (photo.status is PhotoStatus.PENDING and _uploaded_by(viewer, photo)):
        raise not_found("id", "photo")
    request = await requests.AccountRequest.get(id=photo.request_id)
    if not await _may_change(viewer, photo, request):
        raise Forbidden("You may not change this photo.")
    return photo, request


async def update_photo(viewer: Viewer, photo_id: int, changes: PhotoChanges) -> Photo:
    photo, request = await _changeable(viewer, photo_id)
    description = optional_text(changes.description, "description", DESCRIPTION_LENGTH)
    if description is not None:
        photo.description = description
    flag = changes.display_in_portal
    if flag is not None and flag != photo.display_in_portal:
        if viewer.is_contact or (not flag and photo.uploaded_by_contact_id is not None):
            raise DomainError(
                ErrorCode.INVALID,
                "Photos added by a customer always show in the portal.",
                "displayInPortal",
            )
        photo.display_in_portal = flag
        # The portal's timeline follows the photo: it shows what the portal shows.
        await requests.AccountRequestEvent.filter(
            Q(after=str(photo.id)) | Q(before=str(photo.id)),
            request_id=photo.request_id,
            kind__in=PHOTO_EVENTS,
        ).update(visible_in_portal=flag)
    await photo.save()
    if photo.status is PhotoStatus.READY:
        await _request_changed(request, viewer, requests.EventKind.PHOTO_UPDATED, photo)
    return photo


async def delete_photo(viewer: Viewer, photo_id: int) -> tuple[requests.AccountRequest, list[str]]:
    """Remove the row; returns the request and the object keys to delete after commit."""
    photo, request = await _changeable(viewer, photo_id)
    keys = [key for key in (photo.key, photo.thumbnail_key) if key]
    await photo.delete()
    if photo.status is PhotoStatus.READY:
        await _request_changed(request, viewer, requests.EventKind.PHOTO_REMOVED, photo)
    return request, keys


SERVED_SUFFIX = ".verified"


def served_key(upload_key: str) -> str:
    """Where a completed photo's verified bytes live (see `complete_upload`)."""
    return upload_key + SERVED_SUFFIX


async def takes_upload(key: str) -> bool:
    """Does an upload target for `key` still lead anywhere: a PENDING photo whose target
    has not expired? (The file backend refuses other uploads; on S3 `purge_stale_uploads`
    removes what a used target still received.)"""
    return await Photo.filter(
        key=key, status=PhotoStatus.PENDING, upload_expires_at__gt=now()
    ).exists()


# --- housekeeping ------------------------------------------------------------------


async def purge_stale_uploads(store: ObjectStore, older_than: timedelta = STALE_AFTER) -> int:
    """Delete uploads never completed (the rows and whatever reached the store), and
    whatever reached the upload keys of completed photos after completion, while their
    targets could still be used (an S3 presigned POST works until it expires)."""
    await _purge_used_targets(store, older_than)
    purged = 0
    cutoff = now() - older_than
    while True:
        stale = await Photo.filter(status=PhotoStatus.PENDING, created_at__lt=cutoff).limit(200)
        if not stale:
            return purged
        await store.delete(*(photo.key for photo in stale))
        await Photo.filter(
            id__in=[photo.id for photo in stale], status=PhotoStatus.PENDING
        ).delete()
        purged += len(stale)


async def _purge_used_targets(store: ObjectStore, older_than: timedelta) -> None:
    recent = await Photo.filter(
        status=PhotoStatus.READY,
        upload_expires_at__lt=now(),
        upload_expires_at__gte=now() - older_than,
    ).values_list("key", flat=True)
    # Photos completed before served keys existed are served from their upload key.
    served = [str(key) for key in recent]
    used = [key.removesuffix(SERVED_SUFFIX) for key in served if key.endswith(SERVED_SUFFIX)]
    for start in range(0, len(used), 200):
        await store.delete(*used[start : start + 200])
