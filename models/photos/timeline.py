"""The photo events of a request's timeline, and how a photo change reaches its request."""

from __future__ import annotations

from models import account_requests as requests
from models.photos.tables import Photo
from models.viewer import Viewer

PHOTO_EVENTS = (
    requests.EventKind.PHOTO_ADDED,
    requests.EventKind.PHOTO_UPDATED,
    requests.EventKind.PHOTO_REMOVED,
)


async def request_changed(
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
