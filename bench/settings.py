"""Settings for the benchmark server: production settings, on loopback, with the bench URLconf.

Production as deployed (DEBUG off, a database connection pool per process as docker-compose.yml sets it,
Redis cache/channel layer), minus what needs a TLS proxy in front (HTTPS redirect, secure cookies), since
the load runs on plain HTTP.
The services default to the `bench` PostgreSQL database and Redis db 9 so a run never touches others.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CACHE_PREFIX", "bench")
# A connection pool per process, as deployed. Without it every concurrent ASGI request opens its own
# connection, and on a PostgreSQL shared with other work the run met "too many clients" (fast 503s
# that inflated req/s). 20 per process, docker-compose.yml's default; DATABASE_POOL_MAX_SIZE=0 for none.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "20")

from petcommunity.settings.production import *  # noqa: E402,F401,F403
from petcommunity.settings.production import DATABASES  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
if "pool" not in DATABASES["default"].get("OPTIONS", {}):
    # No pool: persistent connections; health checks off so a request costs no extra ping.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The abuse limits (petcommunity.ratelimit) count per IP address, and all load comes from 127.0.0.1: at
# the product's rates the writing benchmark would measure 429s. The limiter stays on (its cache counters
# are part of each request's cost) with rates no benchmark reaches.
RATE_LIMITS = {action: {"member": "1000000/m", "newcomer": "1000000/m", "ip": "1000000/m"}
               for action in ("post", "comment", "react", "report", "invite", "ws")}

