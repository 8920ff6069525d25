"""The client's address behind the reverse proxy, for the WSGI server.

uvicorn rewrites the client address from X-Forwarded-For itself (`--proxy-headers`); gunicorn does not,
so under WSGI every request would seem to come from nginx and every per-address limit (logins, sign-ups,
posting) would be one shared budget. Only a peer listed in FORWARDED_ALLOW_IPS is believed, and from its
X-Forwarded-For only the nearest hop that is not itself a trusted proxy: nginx appends the address it saw
(`$proxy_add_x_forwarded_for`), so whatever a client wrote further left is ignored.
"""


class ForwardedFor:
    def __init__(self, app, trusted: str):
        self.app = app
        self.trust_any = trusted.strip() == "*"
        self.trusted = {address.strip() for address in trusted.split(",") if address.strip()}

    def _trusts(self, address: str) -> bool:
        return self.trust_any or address in self.trusted

    def __call__(self, environ, start_response):
        hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops and self._trusts(environ.get("REMOTE_ADDR", "")):
            if self.trust_any:
                environ["REMOTE_ADDR"] = hops[-1]
            else:
                environ["REMOTE_ADDR"] = next((h for h in reversed(hops) if h not in self.trusted), hops[0])
        return self.app(environ, start_response)
