"""Hostile uploads through every upload field (avatar, pet photo, Commons and pod post photos): a clear
message next to the field with the form filled in, or a safe re-encoded image without EXIF/GPS."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from communities.models import Pet, PostImage, Tag, User
from microgroups.models import Pod
from tests.factories import UserFactory, join

pytestmark = pytest.mark.django_db


def _image(size=(64, 48), fmt="JPEG", **save) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buf, format=fmt, **save)
    return buf.getvalue()


def _huge_png() -> bytes:
    """A real, fully decodable image over the pixel limit (41 megapixels), cheap as 1-bit."""
    buf = io.BytesIO()
    Image.new("1", (8200, 5000)).save(buf, format="PNG")
    return buf.getvalue()


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (53.0, 48.0, 0.0), 3: "W", 4: (1.0, 32.0, 0.0)}  # GPS: Leeds
    return _image(exif=exif.tobytes())


def _png_bomb(width=30000, height=30000) -> bytes:
    """A tiny file declaring a huge canvas (a decompression bomb): header and one compressed empty stream."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    raw = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


HOSTILE = {
    "text file named .jpg": ("notes.jpg", b"just some text, not an image", "image/jpeg"),
    "html posing as png": ("x.png", b"<html><script>alert(1)</script></html>", "image/png"),
    "svg with a script": ("x.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
    "php with a gif header": ("shell.gif", b"GIF89a<?php system($_GET['c']); ?>", "image/gif"),
    "truncated jpeg": ("cut.jpg", _image()[:200], "image/jpeg"),
    "decompression bomb": ("bomb.png", _png_bomb(), "image/png"),
    "huge dimensions": ("wide.png", _huge_png(), "image/png"),
    "empty file": ("empty.jpg", b"", "image/jpeg"),
}
SAFE_BUT_ODD = {
    "png with a .jpg name": ("photo.jpg", _image(fmt="PNG"), "image/jpeg"),
    "jpeg with a .gif name": ("photo.gif", _image(), "image/gif"),
    "jpeg with gps exif": ("gps.jpg", _gps_jpeg(), "image/jpeg"),
}


def _upload(name, data, content_type):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def setup():
    member = UserFactory(username="uploader")
    pod = Pod.objects.create(name="Photo pod", slug="photo-pod", privacy="open")
    join(member, pod, rung="trusted")
    species, _ = Tag.objects.get_or_create(kind="species", slug="cat", defaults={"name": "Cat"})
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return member, pod, species, client


SURFACES = ["avatar", "pet photo", "commons post photo", "pod post photo"]


def _post(surface, setup, upload):
    member, pod, species, client = setup
    if surface == "avatar":
        return client.post("/settings/profile/", {"display_name": "Uploader", "bio": "kept bio text",
                                                  "time_zone": "UTC", "bio_visibility": "everyone",
                                                  "region_visibility": "members", "pets_visibility": "members",
                                                  "interests_visibility": "members", "avatar": upload})
    if surface == "pet photo":
        return client.post("/settings/pets/", {"name": "Biscuit", "species": species.slug, "photo": upload})
    url = "/posts/new/" if surface == "commons post photo" else f"/pods/{pod.slug}/post/"
    return client.post(url, {"body": "kept body text", "images": upload, "image_alt": "a photo"})


def _stored(surface, member):
    if surface == "avatar":
        member.refresh_from_db()
        return member.avatar if member.avatar else None
    if surface == "pet photo":
        pet = Pet.objects.filter(owner=member).first()
        return pet.photo if pet and pet.photo else None
    image = PostImage.objects.filter(post__author=member).first()
    return image.image if image else None


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_uploads_are_refused_with_a_message_at_the_field(setup, surface, case):
    member = setup[0]
    response = _post(surface, setup, _upload(*HOSTILE[case]))
    assert response.status_code in (200, 400), f"{case} on {surface}: {response.status_code}"
    html = response.content.decode()
    assert 'class="field-error"' in html or 'class="message error"' in html or "errorlist" in html
    assert ("kept bio text" in html or "Biscuit" in html or "kept body text" in html)  # the form comes back filled
    if case in ("decompression bomb", "huge dimensions"):
        assert "megapixels" in html  # the limit, said next to the field
    assert _stored(surface, member) is None
    assert User.objects.get(pk=member.pk).avatar.name in ("", None)


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("case", list(SAFE_BUT_ODD))
def test_odd_but_real_images_are_stored_re_encoded_without_exif(setup, surface, case):
    member = setup[0]
    response = _post(surface, setup, _upload(*SAFE_BUT_ODD[case]))
    assert response.status_code == 302, f"{case} on {surface}: {response.status_code}"
    stored = _stored(surface, member)
    assert stored is not None
    stored.open("rb")
    with Image.open(stored) as image:
        image.load()
        assert image.format in ("JPEG", "PNG", "WEBP", "GIF")
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif  # no GPS block, no camera make
        assert "exif" not in image.info
        assert max(image.size) <= 2048
    stored.close()
