"""Image validation: non-images, bombs and oversize files refused; EXIF (GPS included) stripped."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.images import validate_and_reencode

LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_pixels": 40_000_000}


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (53.0, 48.0, 0.0), 3: "W", 4: (1.0, 33.0, 0.0)}  # GPSInfo: Leeds
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_exif_and_gps_are_stripped_and_the_image_kept():
    source = jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    result = validate_and_reencode(upload(source), **LIMITS)
    cleaned = Image.open(io.BytesIO(result.read()))
    assert cleaned.format == "JPEG"
    assert cleaned.size == (64, 48) and (result.width, result.height) == (64, 48)
    assert dict(cleaned.getexif()) == {}
    assert b"PhoneMaker" not in result.file.getvalue()
    assert result.name.endswith(".jpg") and "photo" not in result.name


def test_a_text_file_is_refused_with_a_message():
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(b"<?php echo 'hi'; ?>", name="x.jpg"), **LIMITS)
    assert exc.value.code == "not_image"
    assert "not an image" in exc.value.messages[0]


def test_a_decompression_bomb_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")  # a few KB on disk, 144 Mpx decoded
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(buffer.getvalue(), name="bomb.png"), **LIMITS)
    assert exc.value.code == "dimensions"
    assert "40 megapixels" in exc.value.messages[0]


def test_dimensions_over_our_limit_are_refused_with_the_size():
    buffer = io.BytesIO()
    Image.new("1", (3000, 3000)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(buffer.getvalue(), name="big.png"), max_bytes=10**6, max_pixels=4_000_000)
    assert exc.value.code == "dimensions"
    assert "3000×3000" in exc.value.messages[0]


def test_oversize_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(jpeg_with_gps((400, 400))), max_bytes=1000, max_pixels=40_000_000)
    assert exc.value.code == "too_big"


def test_truncated_image_is_refused():
    data = jpeg_with_gps((300, 300))
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(data[: len(data) // 2]), **LIMITS)
    assert exc.value.code == "corrupt"


def test_png_with_alpha_stays_png_and_large_images_are_downscaled():
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 1500), (0, 0, 0, 0)).save(buffer, format="PNG")
    result = validate_and_reencode(upload(buffer.getvalue(), name="a.png"), **LIMITS)
    assert result.name.endswith(".png")
    assert (result.width, result.height) == (2048, 1024)
    assert Image.open(io.BytesIO(result.read())).mode == "RGBA"


def test_gif_becomes_a_still_png_and_webp_stays_webp():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, format="GIF")
    assert validate_and_reencode(upload(buffer.getvalue(), name="a.gif"), **LIMITS).name.endswith(".png")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="WEBP")
    assert validate_and_reencode(upload(buffer.getvalue(), name="a.webp"), **LIMITS).name.endswith(".webp")


def test_unsupported_format_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    with pytest.raises(ValidationError) as exc:
        validate_and_reencode(upload(buffer.getvalue(), name="a.bmp"), **LIMITS)
    assert exc.value.code == "format"
