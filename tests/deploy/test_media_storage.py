"""Uploaded media on an S3-compatible store (MEDIA_S3_*), against a local moto S3 server started here.

Settings are read in a subprocess from the environment, exactly as a deployed process reads them, so the
test covers the settings as well as django-storages.
"""

import json
import subprocess
import sys

import boto3
import httpx
import pytest
from django.conf import settings
from moto.server import ThreadedMotoServer

SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
name = default_storage.save("posts/cat.jpg", ContentFile(b"not really a jpeg"))
again = default_storage.save("posts/cat.jpg", ContentFile(b"a second cat"))
print(json.dumps({"backend": settings.STORAGES["default"]["BACKEND"], "name": name, "again": again,
                  "url": default_storage.url(name), "exists": default_storage.exists(name),
                  "read": default_storage.open(again).read().decode()}))
"""


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def run_with_media_env(endpoint: str, **extra: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
           "VAR_DIR": "/tmp/pc-test-var", "MEDIA_S3_BUCKET": "pc-media", "MEDIA_S3_ENDPOINT_URL": endpoint,
           "MEDIA_S3_ACCESS_KEY_ID": "testing", "MEDIA_S3_SECRET_ACCESS_KEY": "testing", **extra}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def bucket_client(endpoint: str):
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                      region_name="us-east-1")
    s3.create_bucket(Bucket="pc-media")
    return s3


def test_media_go_to_the_bucket_and_signed_links_serve_them(s3_server):
    s3 = bucket_client(s3_server)
    result = run_with_media_env(s3_server)

    assert result["backend"] == "storages.backends.s3.S3Storage"
    assert result["name"] == "posts/cat.jpg"
    assert result["again"] != "posts/cat.jpg" and result["again"].startswith("posts/cat_")  # never overwritten
    assert result["exists"] is True and result["read"] == "a second cat"
    stored = s3.get_object(Bucket="pc-media", Key="posts/cat.jpg")["Body"].read()
    assert stored == b"not really a jpeg"
    assert result["url"].startswith(f"{s3_server}/pc-media/posts/cat.jpg?") and "Signature=" in result["url"]
    assert httpx.get(result["url"]).content == b"not really a jpeg"


def test_a_public_media_domain_gives_plain_links_through_the_proxy(s3_server):
    bucket_client(s3_server)
    result = run_with_media_env(s3_server, MEDIA_S3_PUBLIC_DOMAIN="pets.example.com/media")
    assert result["name"].startswith("posts/cat")  # moto keeps the bucket between servers of one process
    assert result["url"] == f"https://pets.example.com/media/{result['name']}"


def test_without_a_bucket_media_stay_on_local_disk():
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert "MEDIA_S3_BUCKET" not in settings.STORAGES["default"].get("OPTIONS", {})


ROUTES = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    resolve("/media/posts/cat.png")
    print("served by the app")
except Resolver404:
    print("not served by the app")
"""


def test_local_media_are_served_by_the_app_so_every_replica_serves_every_upload(client):
    """No bucket: uploads are on MEDIA_ROOT, which the web replicas share, and any replica serves any of
    them (DEBUG off here, as in production); make prod-smoke checks it across two real replicas."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    assert settings.DEBUG is False
    name = default_storage.save("posts/smoke.png", ContentFile(b"\x89PNG\r\n\x1a\n not really a png"))
    try:
        response = client.get(default_storage.url(name))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n not really a png"
        assert response["Content-Type"] == "image/png"
        assert client.get("/media/posts/no-such-file.png").status_code == 404
        # Outside MEDIA_ROOT: refused as a suspicious path (400), never read.
        from django.test import Client

        assert Client(raise_request_exception=False).get("/media/../manage.py").status_code == 400
    finally:
        default_storage.delete(name)


def test_with_a_bucket_the_app_serves_no_media(s3_server):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
           "DEBUG": "false", "VAR_DIR": "/tmp/pc-test-var", "MEDIA_S3_BUCKET": "pc-media",
           "MEDIA_S3_ENDPOINT_URL": s3_server, "SECRET_KEY": "x" * 60}
    done = subprocess.run([sys.executable, "-c", ROUTES], env=env, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "not served by the app"
