"""Photos on account requests: upload targets, completion checks, visibility, purge.

The bytes live in object storage (`models.storage.ObjectStore`), never in the
database. A photo starts PENDING with a signed upload target; completion proves
the object is there, has the declared size and really is an allowed image, and
only then makes it READY. Whatever completion refuses is deleted from the store.
"""

from models.photos.changes import PhotoChanges, delete_photo, update_photo
from models.photos.completion import CLOCK_SKEW, SERVED_SUFFIX, complete_upload, served_key
from models.photos.housekeeping import STALE_AFTER, purge_stale_uploads, takes_upload
from models.photos.tables import DESCRIPTION_LENGTH, FILENAME_LENGTH, Photo, PhotoStatus
from models.photos.timeline import PHOTO_EVENTS
from models.photos.uploads import PhotoUpload, UploadData, create_upload
from models.photos.visibility import sees_photos, visible_photos

__all__ = [
    "CLOCK_SKEW",
    "DESCRIPTION_LENGTH",
    "FILENAME_LENGTH",
    "PHOTO_EVENTS",
    "SERVED_SUFFIX",
    "STALE_AFTER",
    "Photo",
    "PhotoChanges",
    "PhotoStatus",
    "PhotoUpload",
    "UploadData",
    "complete_upload",
    "create_upload",
    "delete_photo",
    "purge_stale_uploads",
    "sees_photos",
    "served_key",
    "takes_upload",
    "update_photo",
    "visible_photos",
]
