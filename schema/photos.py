"""Photos on account requests: the type, the upload handshake, changes and removal."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from api.context import Info
from api.permissions import requires
from api.storage import store_for
from fastpath import related
from models import images, photos
from models.clock import now
from models.permissions import Permission
from models.storage import ObjectStore
from models.storage import UploadTarget as Target
from schema.account_requests.types import AccountRequest
from schema.accounts.types import Contact
from schema.errors import UserError, after_commit, run_in_transaction
from schema.nodes import register_node, rows_of_loader
from schema.relay.connections import Node
from schema.relay.ids import encode_id, key_for
from schema.users import User

strawberry.enum(photos.PhotoStatus, description="Whether a photo's bytes have been verified.")

# Download URLs expire on a five-minute grid, so on the file backend repeated reads
# within one window return the same URL and browsers can cache the image (an S3
# signature also carries the second it was made in).
_URL_GRID = 300
SeesPhotos = requires(
    Permission.VIEW_ALL_PHOTOS,
    Permission.VIEW_OWN_ACCOUNT_PHOTOS,
    Permission.VIEW_ASSIGNED_PHOTOS,
    or_portal_contact=True,
)


def store(info: Info) -> ObjectStore:
    """The store, with file-backend URLs under the API's address as this client reached it."""
    settings = info.context.settings
    base = settings.public_url or str(info.context.request.base_url)
    return store_for(base.replace("ws://", "http://", 1).replace("wss://", "https://", 1))


def _url_expiry(info: Info) -> datetime:
    loaders = info.context.loaders
    if loaders.download_expiry is None:
        seconds = info.context.settings.download_expiry_seconds
        moment = now() + timedelta(seconds=seconds)
        stamp = int(moment.timestamp())
        loaders.download_expiry = datetime.fromtimestamp(
            stamp + (-stamp % _URL_GRID), moment.tzinfo
        )
    return loaders.download_expiry


async def _download_url(info: Info, key: str, content_type: str, filename: str) -> str:
    links = info.context.loaders.download_urls
    if key not in links:
        expires = _url_expiry(info)
        links[key] = await store(info).download_url(key, content_type, filename, expires)
    return links[key]


@strawberry.type(description="An image on an account request; its bytes live in object storage.")
class Photo(Node):
    status: photos.PhotoStatus = strawberry.field(
        description="PENDING until `completePhotoUpload` verified the bytes, then READY."
    )
    description: str = strawberry.field(description="What the photo shows.")
    display_in_portal: bool = strawberry.field(
        description="Shown to the account's portal contacts (always, for photos they added)."
    )
    filename: str = strawberry.field(description="The file name the uploader gave.")
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/webp or image/heic."
    )
    byte_size: int = strawberry.field(description="Size in bytes of what `url` serves.")
    width: int | None = strawberry.field(description="Width in pixels, once READY.")
    height: int | None = strawberry.field(description="Height in pixels, once READY.")
    created_at: datetime = strawberry.field(description="When the upload began.")
    completed_at: datetime | None = strawberry.field(description="When it became READY.")
    key: strawberry.Private[str]
    thumbnail_key: strawberry.Private[str | None]
    request_id: strawberry.Private[int]
    uploaded_by_user_id: strawberry.Private[int | None]
    uploaded_by_contact_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: photos.Photo) -> Photo:
        return cls(
            id=strawberry.ID(encode_id("Photo", row.id)),
            status=row.status,
            description=row.description,
            display_in_portal=row.display_in_portal,
            filename=row.filename,
            content_type=row.content_type,
            byte_size=row.byte_size,
            width=row.width,
            height=row.height,
            created_at=row.created_at,
            completed_at=row.completed_at,
            key=row.key,
            thumbnail_key=row.thumbnail_key,
            request_id=row.request_id,
            uploaded_by_user_id=row.uploaded_by_user_id,
            uploaded_by_contact_id=row.uploaded_by_contact_id,
        )

    @strawberry.field(
        description="A signed link to the image (location data removed), valid until "
        "`urlExpiresAt`; null while PENDING."
    )
    async def url(self, info: Info) -> str | None:
        if self.status is not photos.PhotoStatus.READY:
            return None
        return await _download_url(info, self.key, self.content_type, self.filename)

    @strawberry.field(
        description="A signed link to a JPEG thumbnail (at most 320 px a side); null while PENDING."
    )
    async def thumbnail_url(self, info: Info) -> str | None:
        if self.status is not photos.PhotoStatus.READY or self.thumbnail_key is None:
            return None
        name = self.filename.rsplit(".", 1)[0] + "-thumbnail.jpg"
        return await _download_url(info, self.thumbnail_key, images.THUMBNAIL_TYPE, name)

    @strawberry.field(description="When `url` and `thumbnailUrl` stop working; ask again after.")
    def url_expires_at(self, info: Info) -> datetime | None:
        return _url_expiry(info) if self.status is photos.PhotoStatus.READY else None

    account_request: AccountRequest | None = related(
        "request_id", "account_requests_by_id", description="The request the photo belongs to."
    )
    uploaded_by: User | None = related(
        "uploaded_by_user_id",
        "users_by_id",
        description="The staff user who added it, if staff did.",
    )

    uploaded_by_contact: Contact | None = related(
        "uploaded_by_contact_id",
        "contacts_by_id",
        description="The portal contact who added it, if one did.",
    )


async def _load_photos(info: Info, ids: list[int]) -> list[photos.Photo | None]:
    return await info.context.loaders.photos_by_id.load_many(ids)


register_node("Photo", _load_photos, Photo.from_row, rows=rows_of_loader("photos_by_id"))


# --- mutations -------------------------------------------------------------------


@strawberry.type(description="One form field to send with the upload, in this order.")
class UploadField:
    name: str = strawberry.field(description="The form field's name.")
    value: str = strawberry.field(description="Its value, sent unchanged.")


@strawberry.type(
    description="Where to send a photo's bytes: a multipart/form-data POST to `url` with "
    "every field of `fields`, then the file as the last field, named `file`."
)
class UploadTarget:
    url: str = strawberry.field(description="Where to POST.")
    fields: list[UploadField] = strawberry.field(description="Form fields to send first.")
    expires_at: datetime = strawberry.field(description="The target refuses uploads after this.")


@strawberry.input(description="A photo about to be uploaded.")
class CreatePhotoUploadInput:
    account_request_id: strawberry.ID = strawberry.field(description="The request it belongs to.")
    filename: str = strawberry.field(description="The file's name (shown on download).")
    content_type: str = strawberry.field(
        description="The file's type, one of the allowed photo types of company settings."
    )
    byte_size: int = strawberry.field(description="The file's exact size in bytes.")
    description: str | None = strawberry.field(default=None, description="What it shows.")
    display_in_portal: bool = strawberry.field(
        default=False,
        description="Show it to the account's portal contacts (always true for a contact's own).",
    )


@strawberry.type(description="Result of createPhotoUpload.")
class CreatePhotoUploadPayload:
    photo: Photo | None = strawberry.field(description="The photo, PENDING until completed.")
    upload_target: UploadTarget | None = strawberry.field(description="Where to send the bytes.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A photo whose bytes were sent to its upload target.")
class CompletePhotoUploadInput:
    photo_id: strawberry.ID = strawberry.field(description="The PENDING photo.")


@strawberry.type(description="Result of completePhotoUpload.")
class CompletePhotoUploadPayload:
    photo: Photo | None = strawberry.field(description="The photo, now READY.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the upload was refused; the uploaded object is then deleted."
    )


@strawberry.input(description="Changes to a photo; fields left out stay as they are.")
class UpdatePhotoInput:
    id: strawberry.ID = strawberry.field(description="The photo to change.")
    description: str | None = strawberry.field(default=None, description="New description.")
    display_in_portal: bool | None = strawberry.field(
        default=None, description="Show it in the portal, or stop showing it."
    )


@strawberry.type(description="Result of updatePhoto.")
class UpdatePhotoPayload:
    photo: Photo | None = strawberry.field(description="The photo.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A photo to remove with its stored bytes.")
class DeletePhotoInput:
    id: strawberry.ID = strawberry.field(description="The photo to remove.")


@strawberry.type(description="Result of deletePhoto.")
class DeletePhotoPayload:
    deleted_photo_id: strawberry.ID | None = strawberry.field(description="The removed photo's ID.")
    account_request: AccountRequest | None = strawberry.field(description="Its request.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


def _target(target: Target) -> UploadTarget:
    return UploadTarget(
        url=target.url,
        fields=[UploadField(name=name, value=value) for name, value in target.fields.items()],
        expires_at=target.expires_at,
    )


@strawberry.type
class PhotoMutations:
    @strawberry.mutation(
        description="Start a photo upload: a PENDING photo and a short-lived upload target "
        "that accepts exactly this type and size. Then POST the bytes there and call "
        "`completePhotoUpload`.",
        permission_classes=[SeesPhotos],
    )
    async def create_photo_upload(
        self, info: Info, input: CreatePhotoUploadInput
    ) -> CreatePhotoUploadPayload:
        viewer = info.context.viewer
        data = photos.UploadData(
            request_id=key_for(input.account_request_id, "AccountRequest"),
            filename=input.filename,
            content_type=input.content_type,
            byte_size=input.byte_size,
            description=input.description,
            display_in_portal=input.display_in_portal,
        )
        expires_in = timedelta(seconds=info.context.settings.upload_expiry_seconds)
        upload, errors = await run_in_transaction(
            lambda: photos.create_upload(viewer, data, store(info), expires_in)
        )
        if upload is None:
            return CreatePhotoUploadPayload(photo=None, upload_target=None, user_errors=errors)
        return CreatePhotoUploadPayload(
            photo=Photo.from_row(upload.photo), upload_target=_target(upload.target), user_errors=[]
        )

    @strawberry.mutation(
        description="Verify an uploaded photo (it exists, has the announced size and really "
        "is an allowed image), remove its location data and make it READY. Only its uploader "
        "completes it.",
        permission_classes=[SeesPhotos],
    )
    async def complete_photo_upload(
        self, info: Info, input: CompletePhotoUploadInput
    ) -> CompletePhotoUploadPayload:
        viewer = info.context.viewer
        photo_id = key_for(input.photo_id, "Photo")
        row, errors = await run_in_transaction(
            lambda: photos.complete_upload(viewer, photo_id, store(info))
        )
        return CompletePhotoUploadPayload(
            photo=Photo.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change a photo's description or portal flag: staff who may edit the "
        "request, or the portal contact who added it (description only).",
        permission_classes=[SeesPhotos],
    )
    async def update_photo(self, info: Info, input: UpdatePhotoInput) -> UpdatePhotoPayload:
        viewer = info.context.viewer
        changes = photos.PhotoChanges(
            description=input.description, display_in_portal=input.display_in_portal
        )
        row, errors = await run_in_transaction(
            lambda: photos.update_photo(viewer, key_for(input.id, "Photo"), changes)
        )
        return UpdatePhotoPayload(photo=Photo.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Remove a photo and its stored bytes: staff who may edit the request, "
        "or the portal contact who added it.",
        permission_classes=[SeesPhotos],
    )
    async def delete_photo(self, info: Info, input: DeletePhotoInput) -> DeletePhotoPayload:
        viewer = info.context.viewer
        outcome, errors = await run_in_transaction(
            lambda: photos.delete_photo(viewer, key_for(input.id, "Photo"))
        )
        if outcome is None:
            return DeletePhotoPayload(
                deleted_photo_id=None, account_request=None, user_errors=errors
            )
        request, keys = outcome
        await after_commit(lambda: store(info).delete(*keys))  # a rollback keeps the bytes
        return DeletePhotoPayload(
            deleted_photo_id=input.id,
            account_request=AccountRequest.from_row(request),
            user_errors=[],
        )
