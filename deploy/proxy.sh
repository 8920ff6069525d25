#!/bin/sh
# The reverse proxy: nginx from Debian's packages with deploy/nginx.conf.
#   deploy/proxy.sh install          apt-get install nginx and openssl (the proxy image's RUN; make prod-smoke)
#   deploy/proxy.sh render OUT       fill deploy/nginx.conf from the environment into OUT
#   deploy/proxy.sh cert DIR         a self-signed certificate in DIR unless one is there (mount a real one)
#   deploy/proxy.sh serve            cert + render into /etc/nginx/conf.d, then nginx in the foreground
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
VARS='${UPSTREAM_SERVERS} ${WS_UPSTREAM_SERVERS} ${MEDIA_UPSTREAM} ${HTTP_LISTEN} ${HTTPS_LISTEN} ${CERT_DIR} ${SERVER_NAME}'

case "${1:-}" in
  install)
    command -v nginx >/dev/null 2>&1 && command -v envsubst >/dev/null 2>&1 && exit 0
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx openssl gettext-base >/dev/null
    rm -f /etc/nginx/sites-enabled/default
    ;;
  render)
    : "${UPSTREAM:=web:8000}" "${WS_UPSTREAM:=ws:8000}" "${MEDIA_UPSTREAM:=http://minio:9000/petcommunity-media/}"
    : "${HTTP_LISTEN:=80}" "${HTTPS_LISTEN:=443}" "${CERT_DIR:=/etc/nginx/certs}" "${SERVER_NAME:=_}"
    # One `server` line per replica address (spaces or commas between them).
    UPSTREAM_SERVERS=$(for server in $(echo "$UPSTREAM" | tr ',' ' '); do printf 'server %s; ' "$server"; done)
    WS_UPSTREAM_SERVERS=$(for server in $(echo "$WS_UPSTREAM" | tr ',' ' '); do printf 'server %s; ' "$server"; done)
    export UPSTREAM_SERVERS WS_UPSTREAM_SERVERS MEDIA_UPSTREAM HTTP_LISTEN HTTPS_LISTEN CERT_DIR SERVER_NAME
    out="${2:?usage: deploy/proxy.sh render OUT}"
    if [ "$MEDIA_UPSTREAM" = web ]; then
      # Uploads on the replicas' shared MEDIA_ROOT: no bucket location, /media/ goes to the replicas.
      sed '/# media-bucket:begin/,/# media-bucket:end/d' "$here/nginx.conf" | envsubst "$VARS" > "$out"
    else
      envsubst "$VARS" < "$here/nginx.conf" > "$out"
    fi
    ;;
  cert)
    dir="${2:?usage: deploy/proxy.sh cert DIR}"
    mkdir -p "$dir"
    [ -s "$dir/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=${SERVER_NAME:-localhost}" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    ;;
  serve)
    "$0" cert "${CERT_DIR:-/etc/nginx/certs}"
    "$0" render /etc/nginx/conf.d/petcommunity.conf
    exec nginx -g "daemon off;"
    ;;
  *)
    echo "usage: deploy/proxy.sh install | render OUT | cert DIR | serve" >&2
    exit 64
    ;;
esac
