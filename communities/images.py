"""Uploaded images (avatars, pet photos, post images): validated with Pillow and re-encoded.

Re-encoding from decoded pixels is the point: whatever the upload carried besides pixels (EXIF with GPS
coordinates, comments, polyglot payloads appended to the file) is not copied into the stored file.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Source format → the format we store. GIF becomes a still PNG (first frame): no animation bombs.
OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ALLOWED_LABEL = "JPEG, PNG, WebP or GIF"


def _mb(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Open from the header only, refuse by format and pixel count before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValidationError(f"This image has too many pixels; the limit is {max_pixels // 1_000_000} megapixels.",
                              code="dimensions") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(f"This file is not an image we can read (use {ALLOWED_LABEL}).",
                              code="not_image") from exc
    if image.format not in OUTPUT_FORMAT:
        raise ValidationError(f"Images must be {ALLOWED_LABEL}.", code="format")
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ValidationError(
            f"This image is {width}×{height} pixels; the limit is {max_pixels // 1_000_000} megapixels.",
            code="dimensions")
    return image


def _decode(image: Image.Image) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise ValidationError("This image is damaged or truncated.", code="corrupt") from exc
    # Respect the camera's orientation tag, then drop it with the rest of the metadata.
    return ImageOps.exif_transpose(image)


def validate_and_reencode(upload, *, max_bytes: int, max_pixels: int, max_side: int = 2048) -> ContentFile:
    """Return a clean re-encoded copy of `upload`, or raise ValidationError with a message for the field.

    The result has `.width` and `.height` (after downscaling to `max_side`) and a random file name, so
    the uploader's file name (which may carry personal data) is not kept either.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"This file is {_mb(size)}; the limit is {_mb(max_bytes)}.", code="too_big")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"This file is larger than {_mb(max_bytes)}.", code="too_big")
    image = _open_checked(data, max_pixels)
    out_format = OUTPUT_FORMAT[image.format]
    image = _decode(image)
    if out_format == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = image.copy()
    clean.info = {}  # no EXIF, XMP, ICC text or comments travel to the output
    buffer = io.BytesIO()
    save_kwargs = {"quality": 85, "optimize": True} if out_format in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(buffer, format=out_format, **save_kwargs)
    result = ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{EXTENSION[out_format]}")
    result.width, result.height = clean.size
    return result
