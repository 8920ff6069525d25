#!/bin/sh
# The one entry point of every process: the image's ENTRYPOINT, the Procfile of `make run` and
# `make prod-smoke` all start web, worker, beat and migrate through here, so each command lives in one place.
#   HOST, PORT           web address (0.0.0.0:8000 in the image)
#   WEB_CONCURRENCY      worker processes of `web` (uvicorn) and `http` (gunicorn)
#   WEB_THREADS          threads per `http` worker (gunicorn gthread)
#   WEB_LOG_LEVEL        the server's log level (warning under `make run`)
#   FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-For/-Proto are believed
#   WORKER_CONCURRENCY   Celery worker processes
#   BEAT_SCHEDULE_FILE   where beat remembers last run times
# Roles: `web` serves pages and websockets over ASGI (uvicorn; `make run`, or a deployment without a
# proxy); `http` serves pages over WSGI (gunicorn with threads), measured 3.7x the anonymous feed's and 4.4x
# the trivial view's req/s of uvicorn on the same 2 cores (bench/RESULTS.md, section 8), with the proxy
# sending /ws/ to `web` replicas.
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in
  web)
    # No permessage-deflate on websockets: it compresses every live frame once per socket (the same
    # card a thousand times) and keeps ~40 KB of zlib state per socket; frames are a few KB of HTML.
    exec uvicorn petcommunity.asgi:application --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" --log-level "${WEB_LOG_LEVEL:-info}" \
      --ws-per-message-deflate false \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
    ;;
  http)
    exec gunicorn petcommunity.wsgi:application --bind "${HOST:-0.0.0.0}:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" --worker-class gthread --threads "${WEB_THREADS:-4}" \
      --keep-alive 30 --backlog 2048 --log-level "${WEB_LOG_LEVEL:-info}" \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
    ;;
  worker)
    exec celery -A petcommunity worker -l "${CELERY_LOG_LEVEL:-info}" --concurrency "${WORKER_CONCURRENCY:-2}" \
      --without-gossip --without-mingle
    ;;
  beat)
    exec celery -A petcommunity beat -l "${CELERY_LOG_LEVEL:-info}" \
      --schedule "${BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
    ;;
  migrate)
    exec python manage.py migrate --noinput
    ;;
  healthcheck)
    # The image's HEALTHCHECK: /healthz over plain HTTP, with a Host the settings allow.
    exec python -c 'import os, urllib.request
host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".").replace("*", "localhost")
req = urllib.request.Request("http://127.0.0.1:%s/healthz" % os.environ.get("PORT", "8000"), headers={"Host": host})
urllib.request.urlopen(req, timeout=2)'
    ;;
  *)
    echo "usage: deploy/entrypoint.sh web|http|worker|beat|migrate|healthcheck" >&2
    exit 64
    ;;
esac
