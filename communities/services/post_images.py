"""Post photos: refuse what isn't a reasonable image, then re-encode so no EXIF (GPS!) survives."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2048  # pixels; larger photos are scaled down on re-encode


@dataclass
class CleanImage:
    file: ContentFile
    width: int
    height: int


def _max_bytes() -> int:
    return getattr(settings, "POST_IMAGE_MAX_BYTES", 5 * 1024 * 1024)


def clean_image(upload) -> CleanImage:
    """Validate one upload (size, real image, pixel count) and return a fresh JPEG/PNG without metadata."""
    if upload.size > _max_bytes():
        raise ValidationError({"images": f"“{upload.name}” is larger than {_max_bytes() // (1024 * 1024)} MB."})
    try:
        upload.seek(0)
        probe = Image.open(upload)
        width, height = probe.size
        if width * height > settings.IMAGE_MAX_PIXELS:
            raise ValidationError({"images": f"“{upload.name}” has too many pixels."})
        probe.verify()  # catches truncated and corrupt files before we decode them fully
        upload.seek(0)
        image = ImageOps.exif_transpose(Image.open(upload))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"images": f"“{upload.name}” is not an image we can read (JPEG, PNG, GIF or WebP)."}) \
            from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    return CleanImage(file=ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}"),
                      width=image.width, height=image.height)


def clean_images(uploads) -> list[CleanImage]:
    uploads = list(uploads or [])
    limit = getattr(settings, "POST_IMAGES_MAX", 4)
    if len(uploads) > limit:
        raise ValidationError({"images": f"Up to {limit} photos per post."})
    return [clean_image(u) for u in uploads]
