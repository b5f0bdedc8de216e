"""What the domain needs from object storage; `api/storage.py` implements it.

Photo bytes never pass through GraphQL or the database: the client sends them
straight to the store, and the domain only asks the store about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class UploadTarget:
    """Where and how a client sends one file: a multipart POST of `fields`, then the file."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    size: int
    modified_at: datetime


class ObjectStore(Protocol):
    async def upload_target(
        self, key: str, content_type: str, byte_size: int, expires_at: datetime
    ) -> UploadTarget:
        """A signed POST target that accepts exactly this key, type and size until expiry."""
        ...

    async def stat(self, key: str) -> StoredObject | None:
        """The stored object's size and last write, None when there is none."""
        ...

    async def read(self, key: str) -> bytes:
        """The object's bytes."""
        ...

    async def write(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, *keys: str) -> None:
        """Remove these objects; a missing one is not an error."""
        ...

    async def download_url(
        self, key: str, content_type: str, filename: str, expires_at: datetime
    ) -> str:
        """A signed URL that serves the object inline until `expires_at`."""
        ...
