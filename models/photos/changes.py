"""Changing and removing photos."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from models import account_requests as requests
from models.errors import DomainError, ErrorCode, Forbidden, not_found
from models.photos.tables import DESCRIPTION_LENGTH, Photo, PhotoStatus
from models.photos.timeline import PHOTO_EVENTS, request_changed
from models.photos.visibility import may_change, uploaded_by, visible_photos
from models.validation import optional_text
from models.viewer import Viewer


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
    if not visible and not (photo.status is PhotoStatus.PENDING and uploaded_by(viewer, photo)):
        raise not_found("id", "photo")
    request = await requests.AccountRequest.get(id=photo.request_id)
    if not await may_change(viewer, photo, request):
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
        await request_changed(request, viewer, requests.EventKind.PHOTO_UPDATED, photo)
    return photo


async def delete_photo(viewer: Viewer, photo_id: int) -> tuple[requests.AccountRequest, list[str]]:
    """Remove the row; returns the request and the object keys to delete after commit."""
    photo, request = await _changeable(viewer, photo_id)
    keys = [key for key in (photo.key, photo.thumbnail_key) if key]
    await photo.delete()
    if photo.status is PhotoStatus.READY:
        await request_changed(request, viewer, requests.EventKind.PHOTO_REMOVED, photo)
    return request, keys
