"""Production: DEBUG off, HTTPS everywhere, hashed static files. Refuses to start without its secrets.

SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS have no production default: a missing one stops start-up with
one line naming it (no traceback), whichever process starts first (web, worker, beat, migrate).
"""

import os
import sys

REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    also = f" (also missing: {', '.join(_missing[1:])})" if _missing[1:] else ""
    sys.exit(f"PetCommunity: {_missing[0]} must be set for production settings{also}; see .env.example")

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F401,F403
from .base import STORAGES, env, env_bool  # noqa: E402

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Static files are collected at build time (deploy/build.sh): hashed names, served by whitenoise with a
# far-future immutable Cache-Control, each with gzip and Brotli variants. Only hashed names are served,
# so a stale unhashed URL is a 404 rather than an uncacheable copy.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_USE_FINDERS = False
# Probes come over plain HTTP from inside the container or the proxy's network, not through TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
