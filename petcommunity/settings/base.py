"""Settings read from the environment.

Embedded defaults (SQLite, in-memory channel layer, local-memory cache, Celery on a SQLite broker file
under var/) apply when DATABASE_URL / REDIS_URL are unset, so `make run` needs no services; setting them
switches to PostgreSQL and Redis. `.env.example` documents every variable.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .schedule import schedule_scaled

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEV_SECRET_KEY = "dev-insecure-petcommunity-key-change-me"  # noqa: S105 - refused when DEBUG is off


def env(name: str, default: str = "") -> str:
    # An empty value counts as unset, so a `.env` copied from `.env.example` keeps every default.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# Webhook deliveries reach public addresses only; an on-premises receiver's range is allowed here by CIDR
# (e.g. "10.20.0.0/16"). See communities/webhooks.py.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "communities",
    "microgroups",
    "moderation",
    "search",
    "messaging",
    "metrics",
    "petcommunity.outbox",
    "api",
]

MIDDLEWARE = [
    "petcommunity.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "petcommunity.middleware.NullCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "communities.policy.PolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "communities.middleware.MemberTimezoneMiddleware",
    "communities.middleware.LastActiveMiddleware",
    "metrics.middleware.ActivityMiddleware",
    "petcommunity.ratelimit.RateLimitMiddleware",
    "petcommunity.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "petcommunity.urls"
WSGI_APPLICATION = "petcommunity.wsgi.application"
ASGI_APPLICATION = "petcommunity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.context_processors.nav",
            ],
            "builtins": ["petcommunity.template_filters"],
        },
    },
]

FORM_RENDERER = "petcommunity.form_renderer.FormRenderer"

# --- Database: SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing, and keep readers unblocked (WAL).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Planning, not running, was most of a page's SQL on PostgreSQL: the feed's seven-table join plans in
# ~5 ms and runs in ~0.5 ms. With server-side binding psycopg prepares a statement once it has run
# DATABASE_PREPARE_THRESHOLD times on a connection, and PostgreSQL then reuses its plan (a generic plan
# only where it costs no more than planning each time). Connections are persistent or pooled in-process,
# so statements outlive a request. 0 turns it off, for a pooler that cannot keep prepared statements
# (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARE_THRESHOLD = int(env("DATABASE_PREPARE_THRESHOLD", "5"))
if DATABASE_PREPARE_THRESHOLD and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=DATABASE_PREPARE_THRESHOLD)
# Under ASGI each request does its database work in a thread of its own, so persistent connections are
# never reused and every concurrent request opens one: 200 members on two workers held 83 of
# PostgreSQL's 100 connections (make load). A psycopg pool per process bounds and reuses them (a
# request waits for a free connection rather than failing). Set it in deployments (docker-compose.yml).
DATABASE_POOL_MAX_SIZE = int(env("DATABASE_POOL_MAX_SIZE", "0"))
if DATABASE_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from psycopg_pool.base import AttemptWithBackoff  # psycopg_pool is imported only where a pool is used

    # psycopg_pool doubles its pause between reconnection attempts (1, 2, 4 … 64 s), so after a database
    # restart the first requests would wait out that pause and fail. Retry every second instead: one
    # connection attempt per second per process while the database is down (tests/faults).
    AttemptWithBackoff.DELAY_BACKOFF = 1.0
    # Connections go back to the pool after each request, and a restart leaves dead ones behind, so the
    # pool checks each one it lends out. Django's check sends an empty query every time (a tenth of a
    # cached signed-in page); petcommunity.postgres lends with petcommunity.dbpool's, which asks the
    # socket first and spends a round trip only when the server has sent something. A request waits
    # at most DATABASE_POOL_TIMEOUT seconds for a connection, then gets the clean 503.
    DATABASES["default"]["ENGINE"] = "petcommunity.postgres"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": DATABASE_POOL_MAX_SIZE, "timeout": float(env("DATABASE_POOL_TIMEOUT", "10"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "communities.User"

# --- Redis: channel layer and Celery broker when REDIS_URL is set; the cache on CACHE_URL (default: the
# same URL). Deployments give the cache its own evicting Redis and keep the broker on a persistent one.
REDIS_URL = env("REDIS_URL")
CACHE_URL = env("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, answering misses while Redis is down (pages keep rendering).
            "BACKEND": "petcommunity.cache.DegradingRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "pc"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pc"}}
# Sessions are read from the cache and written through to the database (Django's cached_db): a signed-in
# request reads its session with a cache GET instead of a query (1.56 → 1.12 ms a request in-process,
# bench data), and an evicted entry, or Redis down, falls back to the row. petcommunity.sessions reads it
# through the process's mirror of Redis, so an unchanged session costs no round trip either.
SESSION_ENGINE = "petcommunity.sessions"
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: a group message is one PUBLISH, and each web process subscribed to the group hands
            # it to its own sockets in memory. The list-based RedisChannelLayer did one Redis write per
            # socket and one blocking pop per frame in each process, which put 1,000 sockets' p99 at
            # 275 ms. Groups live in the process that holds the socket (a socket re-joins on reconnect,
            # so nothing expires), and a frame published while no process listens is gone: the page
            # catches up over HTTP, as it does after any reconnect.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # One pool per event loop, bounded so (processes x pool) stays well under Redis
                # maxclients (10,000 by default); redis-py's pool fails a command outright when it is
                # spent. socket_timeout well above the subscriber's 0.1 s polls, so a slow Redis does
                # not drop the subscription of every socket in the process.
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": 2, "socket_timeout": 15,
                           "max_connections": int(env("CHANNELS_REDIS_MAX_CONNECTIONS", "500"))}],
                "prefix": env("CHANNELS_PREFIX", "pc-asgi"),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    # One web process under `make run`: frames sent by worker tasks do not reach its sockets (pages
    # catch up over HTTP); everything a request broadcasts does.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # A real worker and beat (`make run` starts them with honcho, see Procfile) on kombu's SQLAlchemy
    # transport over a SQLite file: queued tasks survive a restart, and no service is needed.
    VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
    CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False  # eager (in-process) only under petcommunity.settings.test

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Nothing reads task results. Recording them made every send subscribe to the result over Redis
# pub/sub, and one Redis blip then broke sending from that web process for good ("the Celery
# application must be restarted"; tests/faults/test_outages.py).
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task whose worker died unacked is redelivered after this many seconds (it must exceed the longest
# task; the worker-kill test shortens it).
# Workers scan for such orphaned tasks every CELERY_UNACKED_RESTORE_INTERVAL seconds (kombu's default
# scans only every 10th interval, ~100 s; one cheap sorted-set query per interval is fine). A scan holds a
# lock in Redis for its few milliseconds; a worker SIGKILLed inside one leaves the lock until it expires,
# and kombu's 300 s would hold every redelivery back five minutes (seen once in the worker-kill test).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "600")),
                                   "unacked_restore_interval": int(env("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
                                   "unacked_restore_throttle": 1,
                                   "unacked_mutex_expire": int(env("CELERY_UNACKED_MUTEX_EXPIRE", "30"))}
if CELERY_BROKER_URL.startswith("sqla+"):
    # Passed to SQLAlchemy's create_engine: web, worker and beat share the file, so wait for its lock.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
CELERY_BEAT_SCHEDULE: dict = {
    "moderation-auto-slow-mode": {"task": "moderation.tasks.auto_slow_mode", "schedule": crontab(minute="*/5")},
    "moderation-queue-sweep": {"task": "moderation.tasks.queue_sweep", "schedule": crontab(minute="*/15")},
    "moderation-bans-lift": {"task": "moderation.tasks.bans_lift", "schedule": crontab(minute="*/5")},
    "hot-rank-refresh": {"task": "communities.tasks.hot_rank_refresh", "schedule": crontab(minute="*/10")},
    "counter-repair": {"task": "communities.tasks.counters_sync", "schedule": crontab(hour=3, minute=15)},
    "impressions-flush": {"task": "metrics.tasks.impressions_flush", "schedule": 30.0},
    "outbox-flush": {"task": "outbox.tasks.outbox_flush", "schedule": 60.0},  # tasks parked in a broker outage
    "metrics-rollup-recent": {"task": "metrics.tasks.rollup_recent", "schedule": crontab(minute="*/15")},
    "metrics-nightly": {"task": "metrics.tasks.metrics_nightly", "schedule": crontab(hour=1, minute=5)},
    "rungs-recompute": {"task": "microgroups.tasks.rungs_recompute", "schedule": crontab(hour=2, minute=0)},
    "pod-suggestions": {"task": "microgroups.tasks.suggestions_refresh", "schedule": crontab(minute=30)},
    "weekly-prompts": {"task": "microgroups.tasks.weekly_prompts_post", "schedule": crontab(hour=8, minute=0)},
    "cohort-welcome": {
        "task": "microgroups.tasks.cohort_welcome_post",
        "schedule": crontab(hour=9, minute=0, day_of_week=1),
    },
    "pod-niches": {"task": "microgroups.tasks.niches_refresh", "schedule": crontab(hour=4, minute=30)},
    "pod-waitlist-offers": {"task": "microgroups.tasks.waitlist_offers_expire", "schedule": crontab(minute=45)},
    "pod-steward-invitations": {"task": "microgroups.tasks.steward_invitations_expire",
                                "schedule": crontab(minute=50)},
    "pod-counters": {"task": "microgroups.tasks.pod_counters_sync", "schedule": crontab(hour=3, minute=45)},
    "digests-daily": {
        "task": "communities.tasks.digests_send",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "digests-weekly": {
        "task": "communities.tasks.digests_send",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
        "args": ("weekly",),
    },
}
CELERY_BEAT_SCHEDULE = schedule_scaled(CELERY_BEAT_SCHEDULE, float(env("BEAT_SCHEDULE_SCALE", "1")))

# --- Accounts (django-allauth, customised through communities.adapters).
# One backend: allauth's sign-in by username or email (the admin's too), finding a signed-in member through
# the process's kept rows. A session names the backend that signed it in, so changing this list signs out
# the sessions made under the old one.
AUTHENTICATION_BACKENDS = ["communities.auth_backend.MemberBackend"]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Failed logins count per account ("key": the account, whichever address or login name tries it) and per
# address (IPv4, or IPv6 /64) with a higher ceiling: a shared address (household, office, carrier NAT) must
# not lock out the other accounts behind it. Refusals: 429 + Retry-After (communities.adapters).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,30/5m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "communities.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
LOGIN_REDIRECT_URL = "home"
ACCOUNT_SIGNUP_REDIRECT_URL = "communities:onboarding"
LOGIN_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Email: console in development.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH") or str(BASE_DIR / "sent-emails")  # for the filebased backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PetCommunity <hello@petcommunity.local>")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded media go through Django's storage API: local disk (MEDIA_ROOT) by default, an S3-compatible
# store (S3, MinIO) when MEDIA_S3_BUCKET is set, so every web replica reads and writes the same files.
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET")
if MEDIA_S3_BUCKET:
    MEDIA_S3_PUBLIC_DOMAIN = env("MEDIA_S3_PUBLIC_DOMAIN")  # e.g. pets.example.com/media, served by the proxy
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "region_name": env("MEDIA_S3_REGION", "us-east-1"),
            "addressing_style": "path",  # MinIO and most S3-compatible stores
            "file_overwrite": False,
            "default_acl": None,
            # Without a public domain, links are signed and expire (an hour); with one, the proxy serves them.
            "custom_domain": MEDIA_S3_PUBLIC_DOMAIN or None,
            "querystring_auth": not MEDIA_S3_PUBLIC_DOMAIN,
            "querystring_expire": 3600,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Product settings a manager may tune per deployment.
PODS_PER_MEMBER_LIMIT = int(env("PODS_PER_MEMBER_LIMIT", "3"))
POST_EDIT_WINDOW_MINUTES = int(env("POST_EDIT_WINDOW_MINUTES", "60"))
AVATAR_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
POST_IMAGE_MAX_BYTES = 5 * 1024 * 1024  # per photo; photos are re-encoded (max 2048 px, no EXIF)
POST_IMAGES_MAX = 4

# --- Abuse limits (petcommunity.ratelimit): "amount/period" per action, for established members, for
# newcomers (accounts younger than RATE_LIMIT_NEWCOMER_DAYS with no pod rung above newcomer) and per IP
# address (higher: a household or an office shares one). On by default; 429 + Retry-After when spent.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMIT_NEWCOMER_DAYS = int(env("RATE_LIMIT_NEWCOMER_DAYS", "7"))
RATE_LIMITS = {
    "post": {"member": "10/10m", "newcomer": "4/10m", "ip": "60/10m"},
    "comment": {"member": "30/10m", "newcomer": "10/10m", "ip": "150/10m"},
    "react": {"member": "120/10m", "newcomer": "60/10m", "ip": "600/10m"},
    "report": {"member": "20/h", "newcomer": "5/h", "ip": "60/h"},
    "invite": {"member": "10/h", "newcomer": "10/h", "ip": "30/h"},
    "ws": {"member": "60/m", "newcomer": "60/m", "ip": "600/m"},  # frames a browser sends (pings)
}
RATE_LIMITED_VIEWS = {  # url name → action; counted on POST
    "communities:post_new": "post", "microgroups:post": "post",
    "communities:comment_new": "comment",
    "communities:post_react": "react", "communities:comment_react": "react",
    "communities:comment_edit": "comment", "communities:post_save": "react", "communities:post_unsave": "react",
    "moderation:report_post": "report", "moderation:report_comment": "report", "moderation:report_member": "report",
    "microgroups:invite": "invite",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "petcommunity.middleware.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"]},
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
