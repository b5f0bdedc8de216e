"""What an uploaded file really is, and the copies customers may download.

The declared content type is only a claim: `sniff` reads the first bytes.
`prepare` decodes the image, strips location metadata (EXIF GPS, and XMP, which
may carry it too) and draws a thumbnail. Pure functions of bytes: no storage,
no database, run in a process apart by the caller (`prepare_apart`).
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/jpeg"
# Phone cameras stay far below this; a "photo" over it is a decompression bomb.
MAX_PIXELS = 80_000_000

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
log = logging.getLogger(__name__)
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


_pool: ProcessPoolExecutor | None = None


async def prepare_apart(data: bytes, content_type: str) -> PreparedImage:
    """`prepare` in a process of its own, one image at a time.

    Decoding is the memory: an 8,900 x 8,900 PNG of 225 KB takes ~750 MB. In a
    thread, four at once took an API process to 3.1 GB and 2.5 GB stayed (the
    allocator keeps freed pages). A child process that ends after each image gives
    everything back, and one worker bounds the peak to one image.
    """
    global _pool
    # A pool breaks when its child ends without an answer: killed for memory, or (on
    # Python 3.11, under load) the replacement of a child that ended after its one task
    # racing the next submission. One more try on a fresh pool tells the two apart.
    for attempt in range(2):
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=1,
            )
        pool = _pool
        try:
            return await asyncio.get_running_loop().run_in_executor(
                pool, prepare, data, content_type
            )
        except BrokenProcessPool:
            if _pool is pool:
                _pool = None
            pool.shutdown(wait=False)
            log.info("the image process ended without an answer (try %d of 2)", attempt + 1)
    raise ImageRejected("The image could not be processed.")


def close_pool() -> None:
    """Stop the image process (the app's shut-down): its manager thread would
    otherwise keep the process alive."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


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
