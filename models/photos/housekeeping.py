"""Stale uploads: which targets still take bytes, and purging what never completed."""

from __future__ import annotations

from datetime import timedelta

from models.clock import now
from models.photos.completion import SERVED_SUFFIX
from models.photos.tables import Photo, PhotoStatus
from models.storage import ObjectStore

STALE_AFTER = timedelta(hours=24)


async def takes_upload(key: str) -> bool:
    """Does an upload target for `key` still lead anywhere: a PENDING photo whose target
    has not expired? (The file backend refuses other uploads; on S3 `purge_stale_uploads`
    removes what a used target still received.)"""
    return await Photo.filter(
        key=key, status=PhotoStatus.PENDING, upload_expires_at__gt=now()
    ).exists()


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
