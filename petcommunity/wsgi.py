"""The pages over WSGI (`deploy/entrypoint.sh http`: gunicorn with threads), the faster shape for plain HTTP
(bench/RESULTS.md, section 8). Websockets need ASGI (asgi.py); the proxy sends /ws/ there."""

import os

from django.core.wsgi import get_wsgi_application

from petcommunity.proxy import ForwardedFor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petcommunity.settings.dev")
application = ForwardedFor(get_wsgi_application(), trusted=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
