"""Loaders for photos: a request's photos, scoped by who may see them."""

from __future__ import annotations

from datetime import datetime

from fastpath.batch import BatchLoader
from loaders.base import rows_by_id, rows_by_key
from models import photos
from models.viewer import Viewer


class PhotoLoaders:
    def __init__(self, viewer: Viewer) -> None:
        self.photos_by_id: BatchLoader[int, photos.Photo | None] = rows_by_id(
            lambda: photos.visible_photos(viewer)
        )
        # Newest first, as the request's gallery shows them.
        self.photos_by_request_id: BatchLoader[int, list[photos.Photo]] = rows_by_key(
            lambda: photos.visible_photos(viewer).order_by("-id"), "request_id"
        )
        # Signed download links, made once per operation: every mention of a photo
        # in one answer carries the same link and the same expiry (an S3 signature
        # changes with the second it is made in).
        self.download_urls: dict[str, str] = {}
        self.download_expiry: datetime | None = None
