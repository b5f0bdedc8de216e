"""Real images for the photo tests, made in memory: any format, any size, GPS or not."""

from __future__ import annotations

import io
from typing import Any

from PIL import ExifTags, Image


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DocketCam"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif


def image_bytes(
    kind: str = "JPEG", size: tuple[int, int] = (640, 480), *, gps: bool = False
) -> bytes:
    """A real image of `kind` (JPEG, PNG, WEBP, HEIF), with GPS EXIF when asked."""
    if kind == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image = Image.new("RGB", size, (40, 120, 200))
    out = io.BytesIO()
    options: dict[str, Any] = {"exif": _gps_exif().tobytes()} if gps else {}
    image.save(out, kind, **options)
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, Any]:
    """The GPS block of an image's EXIF (empty when there is none)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    exif = Image.open(io.BytesIO(data)).getexif()
    return dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
