#!/bin/sh
# The image's build steps (every RUN of the Dockerfile calls this script) and CI's (make prod-smoke runs
# `deps` and `static` into a fresh venv), so the image and CI cannot drift apart.
#   deploy/build.sh deps VENV   a venv at VENV with the production dependencies, pinned by requirements.lock
#   deploy/build.sh static      collectstatic under production settings: hashed names, .gz and .br variants
#   deploy/build.sh user        the unprivileged account the image runs as (image only)
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in
  deps)
    venv="${2:?usage: deploy/build.sh deps VENV}"
    "${PYTHON:-python3.11}" -m venv "$venv"
    # The [project] dependencies (not the dev ones), at the versions requirements.lock pins.
    "$venv/bin/python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
      > "$venv/requirements.txt"
    "$venv/bin/pip" install --quiet -c requirements.lock -r "$venv/requirements.txt"
    "$venv/bin/pip" check
    ;;
  static)
    # Settings need their variables to import; none of these is used by collectstatic.
    env -u REDIS_URL -u CACHE_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.production \
      SECRET_KEY=collectstatic-only-never-served-0123456789abcdefghijklmnop DATABASE_URL=sqlite:///:memory: \
      ALLOWED_HOSTS=localhost "${PYTHON:-python}" manage.py collectstatic --noinput --clear -v 0
    ;;
  user)
    useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin app
    mkdir -p /app/var /app/media && chown -R app:app /app/var /app/media
    ;;
  *)
    echo "usage: deploy/build.sh deps VENV | static | user" >&2
    exit 64
    ;;
esac
