"""A second process for the rule-coherence test: it checks each body read from stdin against the Commons'
rules and answers `published`, `held` or `blocked`. It has its own local-memory cache, so the only thing
it shares with the test's process is the database."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petcommunity.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
django.setup()

from django.db import connections  # noqa: E402

connections["default"].settings_dict["NAME"] = sys.argv[1]

from communities.models import User  # noqa: E402
from moderation.checks import ContentBlocked  # noqa: E402
from moderation.rules import evaluate  # noqa: E402

member = User.objects.get(pk=int(sys.argv[2]))
for line in sys.stdin:
    try:
        outcome = evaluate(actor=member, pod=None, kind="post", body=line.strip(), has_links=False, has_images=False)
        answer = outcome.status
    except ContentBlocked:
        answer = "blocked"
    print(answer, flush=True)
