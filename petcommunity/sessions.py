"""Sessions as Django's cached_db backend keeps them (read from the cache, written through to the database),
read through this process's mirror of the cache (petcommunity.mirror): a signed-in request loads its
session without a round trip while Redis has not said it changed. Saving, cycling the key on sign-in and
flushing on sign-out all write or delete the cache entry, which Redis pushes to every process's mirror.

A session's dict is changed in place by the request that loaded it, so each load gets its own copy.
"""

import copy

from django.conf import settings
from django.contrib.sessions.backends import cached_db

from .mirror import KeyMirror

_mirror = KeyMirror([cached_db.KEY_PREFIX], alias=settings.SESSION_CACHE_ALIAS, size=2048)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = _mirror.get_many([self.cache_key]).get(self.cache_key)
        except Exception:  # as cached_db: a key the cache refuses is a session to start afresh (#17810)
            data = None
        if data is not None:
            return copy.deepcopy(data)
        return super().load()
