"""Settings for the load test's server and worker: production settings on plain-HTTP loopback.

Production as deployed (DEBUG off, persistent database connections, Redis cache, channel layer and
broker, abuse limits on), minus what needs a TLS proxy in front (HTTPS redirect, secure cookies).
The services default to the `load` PostgreSQL database and Redis db 12, never another run's.

Abuse limits: the per-member limits stay exactly as in production and the simulated members pace
themselves like people, so none of them should ever see a 429. The per-IP limits are raised: all 200
members come from 127.0.0.1, which in production would be 200 different addresses.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/load")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("SECRET_KEY", "load-test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CACHE_PREFIX", "load")
os.environ.setdefault("CHANNELS_PREFIX", "load-asgi")
# A connection pool per process, as deployed (docker-compose.yml); 15 keeps 2 web workers well inside
# the shared PostgreSQL's 100 connections.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "15")

from petcommunity.settings.production import *  # noqa: E402,F401,F403
from petcommunity.settings.production import RATE_LIMITS  # noqa: E402

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RATE_LIMITS = {action: {**rates, "ip": "1000000/m"} for action, rates in RATE_LIMITS.items()}
