"""Uploaded images: proven to be real images within limits, re-encoded without metadata.

Re-encoding drops EXIF (including GPS positions that could reveal a farmer's home) and
anything smuggled after the image data.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.error_codes import CommonErrorCode

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    sha256: str
    location: Point | None = None  # only when the uploader chose to keep it


def _reject(message: str, code: str) -> None:
    raise ValidationError(message, code=code)


# What Pillow raises for a broken or hostile file: truncated data, a compressed chunk that
# expands past its limit (ValueError), a decompression bomb.
UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)


def _open_checked(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except UNREADABLE:
        _reject(_("This file is not a valid image."), CommonErrorCode.INVALID_IMAGE)
    if image_format not in ALLOWED_FORMATS:
        _reject(_("Upload a JPEG, PNG or WebP image."), CommonErrorCode.IMAGE_FORMAT)
    if width * height > settings.MAX_UPLOAD_IMAGE_PIXELS:
        _reject(_("This image has too many pixels."), CommonErrorCode.IMAGE_TOO_LARGE)
    image = Image.open(io.BytesIO(data))
    try:
        image.load()  # a header can promise more than the data holds
    except UNREADABLE:
        _reject(_("This file is not a valid image."), CommonErrorCode.INVALID_IMAGE)
    return image


def pixel_count(upload) -> int:
    """An uploaded file's pixels, read from its header only (0 if it is not an image),
    so a request's decoding work can be bounded before any image is decoded."""
    try:
        with Image.open(upload) as probe:
            width, height = probe.size
    except UNREADABLE:
        return 0
    finally:
        upload.seek(0)
    return width * height


_GPS_IFD = 0x8825


def _degrees(value, reference: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    sign = -1 if reference in ("S", "W") else 1
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _exif_location(image: Image.Image) -> Point | None:
    """Where a photo was taken, from its EXIF GPS tags, if it says."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
        latitude, longitude = _degrees(gps[2], gps[1]), _degrees(gps[4], gps[3])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Point(longitude, latitude, srid=4326)


def clean_image(upload, name: str = "photo", keep_location: bool = False) -> CleanImage:
    """Validate an uploaded file and return it re-encoded, with its SHA-256 digest."""
    if not hasattr(upload, "read") or not hasattr(upload, "size"):
        _reject(_("This file is not a valid image."), CommonErrorCode.INVALID_IMAGE)
    if upload.size > settings.MAX_UPLOAD_IMAGE_BYTES:
        _reject(
            _("An image may be at most %(size)d MB.")
            % {"size": settings.MAX_UPLOAD_IMAGE_BYTES // (1024 * 1024)},
            CommonErrorCode.FILE_TOO_LARGE,
        )
    upload.seek(0)
    image = _open_checked(upload.read())
    location = _exif_location(image) if keep_location else None
    image_format = image.format
    image = ImageOps.exif_transpose(image)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    output = io.BytesIO()
    image.save(output, format=image_format, quality=85, optimize=True)
    data = output.getvalue()
    extension = ALLOWED_FORMATS[image_format]
    content = ContentFile(data, name=f"{name}.{extension}")
    return CleanImage(content, hashlib.sha256(data).hexdigest(), location)


def thumbnail(source, size: int = 320) -> ContentFile:
    """A small JPEG of an image already cleaned, for slow connections."""
    with Image.open(source) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=75, optimize=True)
    return ContentFile(output.getvalue(), name="thumb.jpg")
