"""The outbound HTTP boundary for webhooks: sign a body and POST it. No database here.

Receivers verify `X-PetCommunity-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw request body
with the hook's secret. The body also carries the timestamp (so it is covered by the signature) and
receivers should refuse deliveries whose timestamp is more than a few minutes old (replays).
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

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


def post_signed(*, url: str, secret: str, body: bytes, event: str, delivery_id: int, timestamp: int) -> HttpResult:
    """POST once with a timeout; never raises for HTTP or network failures (the caller retries)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - http(s) only, below
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    })
    if not url.lower().startswith(("http://", "https://")):
        return HttpResult(status=None, error="only http(s) URLs are delivered")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return HttpResult(status=response.status)
    except urllib.error.HTTPError as exc:
        return HttpResult(status=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return HttpResult(status=None, error=str(getattr(exc, "reason", exc))[:300])
