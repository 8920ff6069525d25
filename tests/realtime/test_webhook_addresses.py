"""Webhook deliveries refuse loopback, link-local, private and metadata addresses, resolved at send time."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from communities import webhooks as http


def deliver(url):
    return http.post_signed(url=url, secret="s" * 64, body=b"{}", event="post.created", delivery_id=1,
                            timestamp=0)


@pytest.fixture
def listener():
    """A real receiver on loopback, so a refusal is the guard's doing and not a closed port."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            hits.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "[::1]", "2130706433",
                                  "0x7f000001", "localhost", "[::ffff:127.0.0.1]", "192.168.1.20", "100.64.0.1"])
def test_delivery_refuses_addresses_that_are_not_public(host, listener, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    port, hits = listener
    result = deliver(f"http://{host}:{port}/hook")
    assert result.status is None
    assert "not a public address" in result.error
    assert hits == []


def test_a_name_that_resolves_to_loopback_is_refused_at_send_time(listener, settings, monkeypatch):
    """The name looked public when the hook was saved; at send time it points at this machine."""
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    port, hits = listener
    real = socket.getaddrinfo

    def rebound(host, *args, **kwargs):  # the DNS boundary: this name now answers 127.0.0.1
        return real("127.0.0.1" if host == "hooks.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    result = deliver(f"http://hooks.example.org:{port}/hook")
    assert (result.status, hits) == (None, [])
    assert "hooks.example.org is not a public address" in result.error


def test_an_allowed_private_range_is_delivered_to(listener, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    port, hits = listener
    result = deliver(f"http://127.0.0.1:{port}/hook?x=1")
    assert (result.status, result.ok) == (204, True)
    assert hits == [f"127.0.0.1:{port}"]


def test_allowing_one_range_does_not_open_others(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    result = deliver("http://169.254.169.254/latest/meta-data/")
    assert result.status is None
    assert "not a public address" in result.error


def test_only_http_and_https_are_delivered():
    assert deliver("file:///etc/passwd").error == "only http(s) URLs are delivered"
    assert deliver("gopher://example.org/").error == "only http(s) URLs are delivered"


def test_a_public_address_passes_the_check():
    assert http.resolve_deliverable("93.184.215.14", 443) == "93.184.215.14"
    with pytest.raises(http.RefusedAddress):
        http.resolve_deliverable("::1", 443)
