#!/bin/sh
# The one entry point of every process: the image's ENTRYPOINT, the Procfile of `make run` and
# `make prod-smoke` all start web, worker, beat and migrate through here, so each command lives in one place.
#   HOST, PORT           web address (0.0.0.0:8000 in the image)
#   WEB_CONCURRENCY      web worker processes (uvicorn --workers)
#   WEB_LOG_LEVEL        uvicorn's log level (warning under `make run`)
#   WORKER_CONCURRENCY   Celery worker processes
#   BEAT_SCHEDULE_FILE   where beat remembers last run times
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
    echo "usage: deploy/entrypoint.sh web|worker|beat|migrate|healthcheck" >&2
    exit 64
    ;;
esac
