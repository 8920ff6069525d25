"""Test settings: embedded services unless the environment names real ones (make test-services)."""

import os

os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "mandatory")

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
    CELERY_TASK_ALWAYS_EAGER = True
