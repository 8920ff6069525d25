"""Under gunicorn the client's address comes from the trusted proxy's X-Forwarded-For, never a client's."""

from petcommunity.proxy import ForwardedFor


def _seen(trusted: str, peer: str, forwarded: str | None) -> str:
    seen = {}

    def app(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        return []

    environ = {"REMOTE_ADDR": peer, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})}
    ForwardedFor(app, trusted)(environ, lambda *a: None)
    return seen["addr"]


def test_the_address_nginx_appended_is_the_client():
    assert _seen("127.0.0.1", "127.0.0.1", "203.0.113.9") == "203.0.113.9"
    # A client's own header is left of what nginx appended: ignored.
    assert _seen("127.0.0.1", "127.0.0.1", "10.9.9.9, 203.0.113.9") == "203.0.113.9"
    assert _seen("*", "172.18.0.5", "10.9.9.9, 203.0.113.9") == "203.0.113.9"


def test_chained_trusted_proxies_are_skipped():
    assert _seen("127.0.0.1,10.0.0.2", "127.0.0.1", "203.0.113.9, 10.0.0.2") == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address():
    assert _seen("127.0.0.1", "198.51.100.7", "203.0.113.9") == "198.51.100.7"
    assert _seen("127.0.0.1", "127.0.0.1", None) == "127.0.0.1"
