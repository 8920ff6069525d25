"""How a signed-in request finds its member: allauth's backend (sign-in by username or email), with each
process keeping the member rows it has read while their version says they have not changed.

Loading the member's row was most of a signed-in page served from a kept copy (communities.memberpages):
a round trip to PostgreSQL and the ORM building the query, ~0.6 of ~1.1 ms in-process on the bench data.
The row's version is the member's navigation version (communities.navcache), which the page reads anyway
through the process's mirror of Redis (communities.hotkeys), so checking it costs no round trip. It is
bumped after commit by every save or deletion of the row (navcache's User signals), by the one service
that updates the row without saving it (`services.accounts.member_touch_active`), and by their roles,
notifications and messages, which only makes a copy reload sooner.

The version is read before the row, as navcache reads it before computing a bar: a write committed
meanwhile leaves the copy under the older version, which no later request matches. Like a kept page, a
copy can serve a request in the moment between a write's commit and Redis telling this process of it
(petcommunity.mirror); a suspension, a password change or a deletion applies from the next request after.
Each request gets its own instance, so what a request sets on `request.user` stays with that request.
"""

import copy

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from petcommunity.recent import Recent

from . import hotkeys, navcache

KEPT_MEMBERS = 2048  # per process, ~1 KB each
rows = Recent(KEPT_MEMBERS)  # member id -> (the version it was read under, the row's values)


def _version(member_id: int) -> str | None:
    key = navcache.member_version_key(member_id)
    return navcache.member_version(hotkeys.mirror.get_many([key]), member_id)


def _detached(values) -> tuple:
    """JSON fields hold lists a request may change in place; the rest of a row is immutable values."""
    return tuple(copy.deepcopy(v) if isinstance(v, list | dict) else v for v in values)


class MemberBackend(AuthenticationBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            member_id = int(user_id)
        except (TypeError, ValueError):
            return None
        version = _version(member_id)
        fields = model._meta.concrete_fields
        kept = rows.get(member_id) if version is not None else None
        if kept is None or kept[0] != version:
            user = super().get_user(member_id)
            if user is not None and version is not None:
                rows.put(member_id, (version, _detached(getattr(user, f.attname) for f in fields)))
            return user
        user = model.from_db(model._default_manager.db, [f.attname for f in fields], _detached(kept[1]))
        return user if self.user_can_authenticate(user) else None
