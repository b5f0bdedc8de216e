"""What an uploaded file really is, and the copies customers may download.

The declared content type is only a claim: `sniff` reads the first bytes.
`prepare` decodes the image, strips location metadata (EXIF GPS, and XMP, which
may carry it too) and draws a thumbnail. Pure functions of bytes: no storage,
no database, run in a worker thread by the caller.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/jpeg"
# Phone cameras stay far below this; a "photo" over it is a decompression bomb.
MAX_PIXELS = 80_000_000

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
_heif_registered = False


def sniff(head: bytes) -> str | None:
    """The image type the first bytes prove, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


class ImageRejected(Exception):
    """The bytes carry the right signature but do not decode as a usable image."""


@dataclass(frozen=True)
class PreparedImage:
    width: int
    height: int
    cleaned: bytes | None  # the image without location data; None when it had none
    thumbnail: bytes


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def prepare(data: bytes, content_type: str) -> PreparedImage:
    """Decode, strip location metadata when present, and draw a JPEG thumbnail."""
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_FORMATS[content_type]])
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected("The image has too many pixels.")
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("The file does not decode as an image.") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("The image is damaged or incomplete.") from None
    cleaned = _without_location(image, content_type) if _has_location(image) else None
    return PreparedImage(
        width=image.width, height=image.height, cleaned=cleaned, thumbnail=_thumbnail(image)
    )


def _has_location(image: Image.Image) -> bool:
    exif = image.getexif()
    if exif.get(ExifTags.IFD.GPSInfo) is not None or exif.get_ifd(ExifTags.IFD.GPSInfo):
        return True
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode()
    return b"GPS" in xmp


def _without_location(image: Image.Image, content_type: str) -> bytes:
    """Re-encode with the EXIF minus its GPS block and without XMP, keeping the rest."""
    exif = image.getexif()
    exif.pop(ExifTags.IFD.GPSInfo, None)
    options: dict[str, object] = {"exif": exif.tobytes()}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if content_type == "image/jpeg":
        options |= {"quality": "keep", "subsampling": "keep"}
    elif content_type == "image/webp":
        options |= {"quality": 92}
    elif content_type == "image/heic":
        options |= {"quality": 92, "xmp": None}
    out = io.BytesIO()
    image.save(out, format=_FORMATS[content_type], **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """Upright (EXIF orientation applied), at most 320 px a side, no metadata."""
    upright = ImageOps.exif_transpose(image)
    small = upright.convert("RGB") if upright.mode != "RGB" else upright.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()
