"""Post photos: a count limit per post, then the shared Pillow validation (communities.images)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ..images import validate_and_reencode


def clean_images(uploads) -> list[ContentFile]:
    """Validated, re-encoded copies (no EXIF/GPS), each with `.width`/`.height`; errors name the file."""
    uploads = list(uploads or [])
    limit = getattr(settings, "POST_IMAGES_MAX", 4)
    if len(uploads) > limit:
        raise ValidationError({"images": f"Up to {limit} photos per post."})
    max_bytes = getattr(settings, "POST_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(validate_and_reencode(upload, max_bytes=max_bytes, max_pixels=settings.IMAGE_MAX_PIXELS))
        except ValidationError as exc:
            raise ValidationError({"images": f"“{upload.name}”: {exc.messages[0]}"}) from exc
    return cleaned
