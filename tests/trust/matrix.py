"""The matrix runner: walk the URL resolver, build each cell's request, classify the answer.

Every request runs inside a savepoint that is rolled back, so a cell that deletes a post or leaves a
pod leaves the world as it was for the next cell (and on-commit side effects never fire).
"""

import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from . import policy
from .world import World

NOWHERE = {"slug": "matrix-nowhere", "int": 987654321, "code": "no-such-code", "username": "t_nobody"}
# Third-party pattern groups: a route starting with the key belongs to that row.
GROUPS = ("admin/", "accounts/", "media/", "^api/")
GROUP_SAMPLES = {
    "admin/": ["/admin/", "/admin/communities/post/", "/admin/microgroups/pod/", "/admin/moderation/queueitem/"],
    "accounts/": ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
    "media/": ["/media/no-such-file.jpg"],
    "^api/": ["/api/v1/no-such-operation", "/api/v2/feeds/commons"],
}


def walk_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the project, as the route string the policy rows are keyed on."""
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            out += walk_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append(prefix + str(p.pattern))
    return out


def row_for(route: str) -> policy.Row | None:
    for group in GROUPS:
        if route.startswith(group):
            return policy.ROWS_BY_ROUTE[group]
    if route in policy.API_ROUTES:
        return next(row for row in policy.API_ROWS if row.route == route)
    return policy.ROWS_BY_ROUTE.get(route)


def objects_for(world: World, row: policy.Row) -> list[tuple[object, dict]]:
    """(policy object, URL kwargs and form data) for each object this row is checked on."""
    if row.obj == "none":
        return [(None, {})]
    if row.obj == "pod":
        return [(place, {"slug": pod.slug, "pod_slug": pod.slug, "invite_id": world.invites[place].pk,
                         "webhook_id": world.webhooks[place].pk, "delivery_id": world.deliveries[place].pk})
                for place, pod in world.pods.items()]
    if row.obj == "invite":
        return [(place, {"code": world.invites[place].code}) for place in world.pods]
    if row.obj in ("post", "comment", "poll"):
        out = []
        for p in world.posts:
            target = {"post": p.post, "comment": p.comment, "poll": p.poll}[row.obj]
            ids = {"post_id": target.pk, "comment_id": target.pk, "poll_id": target.pk, "key": target.pk,
                   "content_id": target.pk, "__first__": p.poll.choices.first().pk}
            out.append(((p.place, p.kind), ids))
        return out
    if row.obj == "item":
        return [((p.place, p.kind), {"item_id": p.item.pk}) for p in world.posts if p.item is not None]
    if row.obj == "rule":
        return [(place, {"rule_id": rule.pk}) for place, rule in world.rules.items()]
    if row.obj == "reason":
        return [(place, {"reason_id": reason.pk}) for place, reason in world.reasons.items()]
    if row.obj == "note":
        return [(place, {"note_id": note.pk}) for place, note in world.notes.items()]
    if row.obj == "region":
        return [(None, {"slug": world.region.slug})]
    if row.obj == "member":
        return [(None, {"username": world.author.username, "key": world.author.username})]
    if row.obj == "notification":
        return [(None, {"notification_id": world.author_notification.pk})]
    if row.obj == "conversation":
        return [(None, {"conversation_id": world.conversation.pk, "message_id": world.message.pk,
                        "report_id": world.message_report.pk})]
    if row.obj == "pet":
        return [(None, {"pet_id": world.author_pet.pk})]
    if row.obj == "token":
        return [(None, {"token_id": world.author_token.pk})]
    if row.obj == "assignment":
        return [(None, {"assignment_id": world.assignment.pk})]
    if row.obj == "steward_invitation":
        return [(None, {"invitation_id": world.steward_invitation.pk})]
    raise ValueError(row.obj)


def nowhere_kwargs(row: policy.Row) -> dict:
    ints = {k: NOWHERE["int"] for k in ("conversation_id", "message_id", "report_id",
                                        "post_id", "comment_id", "poll_id", "content_id", "item_id", "rule_id",
                                        "reason_id", "note_id",
                                        "notification_id", "pet_id", "invite_id", "token_id", "request_id",
                                        "webhook_id", "delivery_id", "assignment_id", "invitation_id")}
    return {**ints, "slug": NOWHERE["slug"], "pod_slug": NOWHERE["slug"], "code": NOWHERE["code"],
            "key": str(NOWHERE["int"]), "username": NOWHERE["username"], "__first__": NOWHERE["int"]}


def url_of(route: str, kwargs: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def classify(response) -> str:
    code = response.status_code
    if code >= 500 or code in (405, 429):
        return str(code)
    if code == 401:  # the API's "send a token": it says nothing about the object
        return policy.LOGIN
    if code == 403:
        return policy.FORBIDDEN
    if code == 404:
        return policy.NOT_FOUND
    if code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.startswith("/admin/login/"):
            return policy.ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return policy.LOGIN
    return policy.OK


def matches(expected: str, got: str) -> bool:
    if expected == policy.ADMIN:
        return got in (policy.OK, policy.FORBIDDEN)
    return expected == got


class _Rollback(Exception):
    pass


def request(client: Client, method: str, url: str, *, data: dict | None = None, htmx: bool = False,
            clear: bool = True):
    """One request whose database writes are rolled back afterwards.

    `clear=False` keeps whatever earlier requests left in the cache (the warm pass, which clears once per
    URL and then lets one role's cached pages and fragments meet the next role's request).
    """
    headers = {"HX-Request": "true"} if htmx else {}
    if clear:
        cache.clear()  # rate limits and per-day markers must not carry from one cell to the next
    if "messages" in client.cookies:  # a flash message from the previous cell would show on this page
        del client.cookies["messages"]
    holder = {}
    try:
        with transaction.atomic():
            if method == "GET":
                holder["r"] = client.get(url, headers=headers)
            else:
                holder["r"] = client.post(url, data or {}, headers=headers)
            raise _Rollback
    except _Rollback:
        pass
    return holder["r"]


def request_any(client: Client, method: str, url: str, body: str | None):
    """One JSON API request (any method) whose database writes are rolled back afterwards."""
    cache.clear()
    holder = {}
    try:
        with transaction.atomic():
            call = getattr(client, method.lower())
            holder["r"] = call(url) if body is None else call(url, body, content_type="application/json")
            raise _Rollback
    except _Rollback:
        pass
    return holder["r"]


_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def normalise(body: bytes) -> str:
    """A 404 body without its per-request tokens (the request id travels in a header, not the body)."""
    return _CSRF.sub(r"\1-", body.decode("utf-8", "replace"))


def clients(world: World) -> dict[str, Client]:
    out = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        out[role] = client
    return out


@dataclass
class Tally:
    cells: int = 0
    not_found_compared: int = 0
    bodies_scanned: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.failures.append(text)


CANARY_TOKEN = r"CANARY[A-Z0-9x]+"


def scan_canaries(world: World, role: str, body: str, where: str, tally: Tally, *, admin: bool = False) -> None:
    tally.bodies_scanned += 1
    if "CANARY" not in body or (admin and policy.manager(role)):
        return  # the admin shows managers everything, deleted content included (see policy)
    for token in set(re.findall(CANARY_TOKEN, body)):
        what, place, kind = world.canaries.get(token, ("unknown", None, None))
        if what == "unknown" or not policy.may_see_canary(role, what, place, kind):
            tally.fail(f"LEAK {token} reached {role} at {where}")
