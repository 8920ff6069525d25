"""The outbound HTTP boundary for webhooks: sign a body and POST it. No database here.

Receivers verify `X-PetCommunity-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw request body
with the hook's secret. The body also carries the timestamp (so it is covered by the signature) and
receivers should refuse deliveries whose timestamp is more than a few minutes old (replays).

Server-side request forgery: a hook's URL is written by a person, so it could name this machine, the
cloud metadata service or the private network behind it. The host is resolved when each delivery is
sent (not when the hook is saved, so a DNS name can't be re-pointed later), every address must be
public unless it falls in `WEBHOOK_ALLOWED_NETWORKS`, and the connection goes to the address that was
checked, so a second lookup can't answer differently (DNS rebinding).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "X-PetCommunity-Signature"
TIMESTAMP_HEADER = "X-PetCommunity-Timestamp"
EVENT_HEADER = "X-PetCommunity-Event"
DELIVERY_HEADER = "X-PetCommunity-Delivery"
TIMEOUT_SECONDS = 10
USER_AGENT = "PetCommunity-Webhooks/1"


def new_secret() -> str:
    return secrets.token_hex(32)


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does; used by our tests and handy for integrators' examples."""
    return hmac.compare_digest(sign(secret, body), signature or "")


@dataclass
class HttpResult:
    status: int | None  # None: no HTTP answer (timeout, refused, DNS)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class RefusedAddress(Exception):
    """The URL's host is, or resolves to, an address deliveries may not reach."""


def _allowed_networks() -> list:
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])]


def _is_deliverable(address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    # is_global is False for loopback, link-local (169.254.169.254, the metadata service), private,
    # shared (100.64/10), reserved, unspecified and documentation ranges.
    return address.is_global and not address.is_multicast


def resolve_deliverable(host: str, port: int) -> str:
    """The address to connect to for `host`, or RefusedAddress when any address it resolves to is not
    public. Every answer is checked, so a name with one public and one private address is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_is_deliverable(address) for address in addresses):
        raise RefusedAddress(f"{host} is not a public address; deliveries to it are refused")
    return str(addresses[0])


URL_REFUSED = ("Deliveries can't go to that address: it is loopback, link-local (cloud metadata), private or "
               "reserved. Use the receiver's public address.")


def url_refusal(url: str) -> str:
    """Why a hook may not be saved with `url` ('' when it may): the delivery rules, checked when the URL is
    typed so the steward hears it at the field. The host is resolved now; a name that does not resolve yet
    is accepted (a receiver being set up), and every delivery checks its addresses again anyway."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return "Enter a valid URL, e.g. https://hooks.example.com/petcommunity."
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Webhook URLs start with https:// (or http://) and name a host."
    try:
        resolve_deliverable(parts.hostname, port)
    except RefusedAddress:
        return URL_REFUSED
    except (OSError, ValueError):
        return ""  # not resolvable now: deliveries will say so, and check again each time
    return ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate verified for the URL's host name."""

    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post_signed(*, url: str, secret: str, body: bytes, event: str, delivery_id: int, timestamp: int) -> HttpResult:
    """POST once with a timeout; never raises for HTTP or network failures (the caller retries)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return HttpResult(status=None, error="only http(s) URLs are delivered")
    secure = parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if secure else 80)
        address = resolve_deliverable(parts.hostname, port)
    except (RefusedAddress, OSError, ValueError) as exc:
        return HttpResult(status=None, error=str(exc)[:300])
    connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        return HttpResult(status=None, error=str(exc)[:300])
    finally:
        connection.close()
    return HttpResult(status=status, error="" if 200 <= status < 300 else f"HTTP {status}")
