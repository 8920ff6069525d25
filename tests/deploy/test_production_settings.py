"""Production settings: required variables, hashed static files served immutable, probes over HTTP."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

GOOD = {"SECRET_KEY": "k" * 20 + "Zq8!xP2#vR7@mN4$tL9&wB6*yC3^hF5%", "DATABASE_URL": "postgres://u@db.example.com/pets",
        "ALLOWED_HOSTS": "pets.example.com"}


def run_production(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.production",
            "VAR_DIR": "/tmp/pc-test-var", **env}
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=full,
                          capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=120)


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_a_missing_required_variable_stops_start_up_with_one_line_naming_it(name):
    done = run_production("print('started')", **{k: v for k, v in GOOD.items() if k != name})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"PetCommunity: {name} must be set for production settings; see .env.example\n"


def test_every_missing_variable_is_named_on_the_same_line():
    done = run_production("print('started')", ALLOWED_HOSTS="   ")
    assert done.stderr.splitlines() == ["PetCommunity: SECRET_KEY must be set for production settings "
                                        "(also missing: DATABASE_URL, ALLOWED_HOSTS); see .env.example"]


def test_cache_url_defaults_to_redis_url_and_may_differ():
    code = ("from django.conf import settings as s; import json; "
            "print(json.dumps([s.CACHES['default'].get('LOCATION'), s.CELERY_BROKER_URL]))")
    same = run_production(code, **GOOD, REDIS_URL="redis://broker:6379/0")
    assert json.loads(same.stdout) == ["redis://broker:6379/0", "redis://broker:6379/0"]
    apart = run_production(code, **GOOD, REDIS_URL="redis://broker:6379/0", CACHE_URL="redis://cache:6379/0")
    assert json.loads(apart.stdout) == ["redis://cache:6379/0", "redis://broker:6379/0"]


def test_a_pooled_database_checks_connections_it_lends_by_asking_the_socket_first():
    code = ("from django.conf import settings as s; from django.db import connection as c; import json; "
            "d = s.DATABASES['default']; p = c.pool; "
            "print(json.dumps([d['ENGINE'], p and p.max_size, p and p._check.__qualname__]))")
    pooled = run_production(code, **GOOD, DATABASE_POOL_MAX_SIZE="7")
    assert json.loads(pooled.stdout) == ["petcommunity.postgres", 7, "check_when_readable"]
    unpooled = run_production(code, **GOOD, DATABASE_POOL_MAX_SIZE="0")
    assert json.loads(unpooled.stdout) == ["django.db.backends.postgresql", None, None]


def test_static_files_are_hashed_compressed_and_served_immutable(tmp_path):
    root = tmp_path / "static"
    collect = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                             cwd=settings.BASE_DIR,
                             env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "VAR_DIR": "/tmp/pc-test-var",
                                  "DJANGO_SETTINGS_MODULE": "petcommunity.settings.production",
                                  "STATIC_ROOT": str(root), **GOOD}, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stderr
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css" and (root / f"{hashed}.gz").exists() and (root / f"{hashed}.br").exists()

    code = f"""
from django.test import Client
c = Client(HTTP_HOST='pets.example.com')
ok = c.get('/static/{hashed}', HTTP_ACCEPT_ENCODING='br', secure=True)
plain = c.get('/static/css/app.css', secure=True)
probe = c.get('/healthz')
print(ok.status_code, ok['Cache-Control'], ok.get('Content-Encoding'), plain.status_code, probe.status_code)
"""
    done = run_production(code, **GOOD, STATIC_ROOT=str(root))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "max-age=315360000,", "public,", "immutable", "br", "404", "200"]
