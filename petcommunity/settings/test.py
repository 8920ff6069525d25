"""Test settings: embedded services unless the environment names real ones (make test-services)."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "mandatory")


def _redis_db_per_worker() -> None:
    """Parallel test workers (pytest-xdist) each get their own Redis database.

    They would otherwise share the cache (`cache.clear()` is FLUSHDB), rate-limit counters and channel
    groups, and see each other's broadcasts. The choice is remembered per worker in the environment, so
    subprocesses a test starts (Celery workers, servers) inherit the same database, while xdist workers,
    which inherit the controller's environment, still choose their own.
    """
    base_url = os.environ.get("PC_TEST_REDIS_BASE_URL") or os.environ.get("REDIS_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if not base_url or os.environ.get("PC_TEST_REDIS_WORKER") == worker:
        return
    offset = int(worker[2:]) if worker[2:].isdigit() else 0
    parts = urlsplit(base_url)
    base = int(parts.path.strip("/") or 0)
    os.environ["PC_TEST_REDIS_BASE_URL"] = base_url
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{(base + offset) % 16}"))
    os.environ["PC_TEST_REDIS_WORKER"] = worker


_redis_db_per_worker()

from .base import *  # noqa: E402,F401,F403
from .base import BASE_DIR, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not REDIS_URL:
    # Tasks run in-process, in the test's transaction; nothing touches the embedded broker file.
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
