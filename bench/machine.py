"""What the run needs (PostgreSQL, Redis, wrk) and what it ran on (CPU, RAM, versions)."""

import os
import platform
import shutil
import sys
from urllib.parse import urlparse


class Missing(Exception):
    """A service or tool the benchmark needs is not there; the message says what and how to fix it."""


def check_services(database_url: str, redis_url: str) -> list[str]:
    """Problems found (empty when ready). Creates the bench database when the server is up but it is not."""
    problems = []
    if not database_url.startswith("postgres"):
        problems.append(f"DATABASE_URL must name PostgreSQL (got {database_url!r})")
    else:
        problems += _check_postgres(database_url)
    problems += _check_redis(redis_url)
    if not shutil.which("wrk"):
        problems.append("wrk is not installed (Debian: apt-get install wrk); it drives the HTTP load")
    return problems


def _check_postgres(url: str) -> list[str]:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/") or "bench"
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return [f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({exc.__class__.__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}); set DATABASE_URL"]
    return []


def _check_redis(url: str) -> list[str]:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return [f"Redis is not reachable at {url} ({exc}); set REDIS_URL"]
    return []


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
    return None


def describe() -> dict:
    """Machine and versions (call after django.setup())."""
    import django
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    from django.conf import settings

    info = redis.Redis.from_url(settings.REDIS_URL).info("server")
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "ram_gb": _ram_gb(), "os": platform.platform(),
        "python": sys.version.split()[0], "django": django.get_version(), "postgresql": pg_version,
        "redis": info.get("redis_version"),
    }
