"""THE policy table: who may reach what, written from the product's declared rules (README, STYLE, the
permission modules' docstrings), never from running the code. The matrix tests compare every cell
against it.

Declared rules, in words:

- A pod's existence: listed pods are public; an unlisted pod exists only for its members and managers
  (404 for everyone else, moderators of its region included).
- Holding a place: someone on an unlisted pod's waitlist (from an invite), with a place held for them, or
  with an invite bound to them, sees where they stand (`/pods/<slug>/standing/`: the pod's name, their
  position, the held place and its expiry, the charter to agree to), may take the held place (the join
  page) and leave the waitlist; the pod's own address sends them to their standing. Nothing else of the
  pod: its posts, members, settings and everything else stay 404 for them.
- Reading a place: the Commons and open pods are public; request, invite-only and unlisted pods are
  read by their members and managers. Trusted-only posts: trusted members and stewards of that pod,
  and managers. Held and removed posts: nobody's post page but managers' (and their author's); deleted
  posts: nobody. "May not know" is 404, byte-identical to "does not exist".
- Moderating: managers everywhere; a steward in their pods; a region moderator in the pods of the
  region. A moderator acts on an item only if they could read its content's place (404 otherwise), and
  an unlisted pod stays unknown to moderators who are not its members.
- Taking part (post, comment, react, vote, pulse) in a pod needs an active membership; in the Commons,
  any signed-in member. Suspension blocks every write that adds content or relationships (403) but not
  reading, saving posts (private bookmarks), leaving, settings or account deletion. Banned members are
  non-members.
- Stewards (and managers) run a pod's settings and insights (403 for others who know the pod).
- Managers: metrics, announcements, pins, deleting others' content, the admin (which shows them every
  row, deleted content included: it is kept for moderation and legal requests).
- Anonymous visitors reading the public places get pages; anything needing an account sends them to
  sign in (a redirect that says nothing about the object).

Outcomes: OK (2xx, 3xx to a page, or 400/409/410: the request got past every permission check and
was judged on its content), FORBIDDEN (403), NOT_FOUND (404, identical to a nonexistent object),
LOGIN (302 to the sign-in page), ADMIN_LOGIN (302 to the admin's sign-in), ADMIN (superuser: OK; a
manager: OK or 403 by model permission).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "anonymous", "unverified", "member", "waitlisted", "newcomer", "regular", "trusted", "steward", "steward_other",
    "mod_region", "mod_other", "banned", "suspended", "manager", "superuser",
)
PLACES = ("commons", "open", "request", "invite", "unlisted")
PODS = PLACES[1:]
POST_KINDS = ("public", "trusted", "held", "removed", "deleted")

OK, FORBIDDEN, NOT_FOUND, LOGIN, ADMIN_LOGIN, ADMIN = "ok", "403", "404", "login", "admin-login", "admin"

MEMBER_ROLES = {"newcomer", "regular", "trusted", "steward", "suspended"}  # active in the four pods
TRUSTED_ROLES = {"trusted", "steward"}
MANAGERS = {"manager", "superuser"}
MODERATORS = {"steward", "steward_other", "mod_region", "mod_other"} | MANAGERS


# --- Facts, per role and place -------------------------------------------------------------------

def signed_in(role: str) -> bool:
    return role != "anonymous"


def manager(role: str) -> bool:
    return role in MANAGERS


def can_act(role: str) -> bool:
    return signed_in(role) and role != "suspended"


def member(role: str, place: str) -> bool:
    return place in PODS and role in MEMBER_ROLES


def trusted(role: str, place: str) -> bool:
    return place in PODS and role in TRUSTED_ROLES


def steward(role: str, place: str) -> bool:
    return place in PODS and (role == "steward" or manager(role))


def knows(role: str, place: str) -> bool:
    return place != "unlisted" or member(role, place) or manager(role)


def holds(role: str, place: str) -> bool:
    """`waitlisted` holds a place (an offer) in the unlisted pod: a member of nothing anywhere."""
    return role == "waitlisted" and place == "unlisted"


def sees_standing(role: str, place: str) -> bool:
    return knows(role, place) or holds(role, place)


def reads_place(role: str, place: str) -> bool:
    return place in ("commons", "open") or member(role, place) or manager(role)


def takes_part(role: str, place: str) -> bool:
    return can_act(role) and (place == "commons" or member(role, place))


def reads_post(role: str, place: str, kind: str) -> bool:
    if kind == "deleted":
        return False
    if kind in ("held", "removed"):
        return manager(role)
    if kind == "trusted":
        return trusted(role, place) or manager(role)
    return reads_place(role, place)


def moderates(role: str, place: str) -> bool:
    """Scope cover: all four pods sit in the region `mod_region` moderates; the Commons is managers'."""
    if manager(role):
        return True
    return place in PODS and role in ("steward", "mod_region")


def moderator_reads(role: str, place: str, kind: str) -> bool:
    """A moderator sees held/reported/removed content in their scopes when they could read its place."""
    if kind == "deleted" or not moderates(role, place):
        return False
    if kind == "trusted":
        return trusted(role, place) or manager(role)
    return reads_place(role, place)


def may_see_canary(role: str, what: str, place: str | None, kind: str | None) -> bool:
    """Whether a canary of this kind may ever reach this role, on any surface."""
    if what == "content":
        return reads_post(role, place, kind) or moderator_reads(role, place, kind)
    if what in ("charter", "podname"):
        return sees_standing(role, place)  # a holder reads the name and the charter they agree to
    if what == "message":  # the author's conversation with `regular`: managers read a reported message only
        return role == "regular" or (place == "reported" and manager(role))
    if what == "hookurl":  # a pod's webhooks are its stewards' (and managers') business
        return steward(role, place)
    if what == "hooksecret":  # shown only on the answer that makes a secret, never a stored one
        return False
    if what == "note":  # a moderator note in that place's scope: its moderators and those above, who know it
        return moderates(role, place) and knows(role, place)
    if what == "trusted_field":  # the author is a member of the four pods: their trusted circle
        return role in TRUSTED_ROLES or manager(role)
    raise ValueError(what)


# --- Expected outcome per surface ----------------------------------------------------------------

def _login(role: str, then: Callable[[], str]) -> str:
    return LOGIN if not signed_in(role) else then()


def everyone(role, obj=None):
    return OK


def signed_in_only(role, obj=None):
    return _login(role, lambda: OK)


def acting(role, obj=None):
    return _login(role, lambda: OK if can_act(role) else FORBIDDEN)


def managers_only(role, obj=None):
    return _login(role, lambda: OK if manager(role) else FORBIDDEN)


def moderators_only(role, obj=None):
    return _login(role, lambda: OK if role in MODERATORS else FORBIDDEN)


def pod_creators(role, obj=None):
    # Verified, active members (the limit counts pods a member started; the world's pods were made for them).
    return _login(role, lambda: OK if can_act(role) and role != "unverified" else FORBIDDEN)


def pod_page(role, place):
    return OK if sees_standing(role, place) else NOT_FOUND  # a holder: a redirect to their standing


def pod_standing(role, place):
    return _login(role, lambda: OK if sees_standing(role, place) else NOT_FOUND)


def pod_catchup(role, place):
    if not knows(role, place):
        return NOT_FOUND
    return OK if reads_place(role, place) else FORBIDDEN


def pod_know_then(check: Callable[[str, str], bool]):
    """Sign in, then 404 for a pod they may not know, then `check` or 403."""
    def rule(role, place):
        def after_login():
            if not knows(role, place):
                return NOT_FOUND
            return OK if check(role, place) else FORBIDDEN
        return _login(role, after_login)
    return rule


pod_steward_only = pod_know_then(steward)


def pod_steward_hidden(role, place):
    """A pod's webhooks: its stewards and managers; 404 for everyone else, even those who know the pod."""
    return _login(role, lambda: OK if steward(role, place) else NOT_FOUND)


pod_takes_part = pod_know_then(takes_part)
pod_known = pod_know_then(lambda role, place: True)
pod_leaving = pod_known  # leaving, a waitlist or a request is never blocked, suspension included


def pod_waitlist_leaving(role, place):
    return OK if holds(role, place) else pod_leaving(role, place)


def pod_join(role, place):
    if holds(role, place):
        return OK  # the held place, taken on the join page
    return pod_know_then(lambda r, p: member(r, p) or p not in ("invite", "unlisted"))(role, place)
pod_acknowledge = pod_know_then(lambda role, place: can_act(role))


def invite_link(role, place):
    # The unlisted pod's link is bound to another member: for everyone else it does not exist.
    return _login(role, lambda: NOT_FOUND if place == "unlisted" else OK)


def post_read(role, obj):
    place, kind = obj
    return OK if reads_post(role, place, kind) else NOT_FOUND


def post_then(check: Callable[[str, str, str], bool]):
    """Sign in, then 404 unless the post is readable, then `check` or 403."""
    def rule(role, obj):
        place, kind = obj

        def after_login():
            if not reads_post(role, place, kind):
                return NOT_FOUND
            return OK if check(role, place, kind) else FORBIDDEN
        return _login(role, after_login)
    return rule


post_author_only = post_then(lambda role, place, kind: False)  # the author is not among the roles
post_reader = post_then(lambda role, place, kind: True)  # saving: reading is all it needs, suspended too
post_manager = post_then(lambda role, place, kind: manager(role))
post_take_part = post_then(lambda role, place, kind: takes_part(role, place) and kind in ("public", "trusted"))


def post_report(role, obj):
    place, kind = obj
    return _login(role, lambda: OK if reads_post(role, place, kind) and kind in ("public", "trusted")
                  else NOT_FOUND)


def comment_report(role, obj):
    """The comment itself is published: whoever may read its post may report it."""
    place, kind = obj
    return _login(role, lambda: OK if reads_post(role, place, kind) else NOT_FOUND)


def own_content_only(role, obj=None):
    return _login(role, lambda: NOT_FOUND)


def queue_item(role, obj):
    place, kind = obj
    return _login(role, lambda: OK if moderator_reads(role, place, kind) else NOT_FOUND)


def rule_edit(role, place):
    def after_login():
        if role not in MODERATORS:
            return NOT_FOUND
        if place == "commons":
            return OK if manager(role) else FORBIDDEN  # inherited by every moderator, read-only
        if not moderates(role, place) or not knows(role, place):
            return NOT_FOUND
        return OK
    return _login(role, after_login)


def note_delete(role, place):
    """Notes exist for the moderators of their scope and above (404 for everyone else); the world's notes
    are a manager's, deleted by their author or a manager (403 for the other moderators who read them)."""
    def after_login():
        if not (moderates(role, place) and knows(role, place)):
            return NOT_FOUND
        return OK if manager(role) else FORBIDDEN
    return _login(role, after_login)


def conversation_participant(role, obj=None):
    """Messages are private to participants (`regular` and the author): 404 for everyone else, managers too."""
    return _login(role, lambda: OK if role == "regular" else NOT_FOUND)


def admin_site(role, obj=None):
    if manager(role):
        return OK if role == "superuser" else ADMIN
    return ADMIN_LOGIN


# --- Rows: one per URL pattern (admin and allauth: one per pattern group) --------------------------

@dataclass(frozen=True)
class Row:
    route: str
    obj: str  # what the URL is about: none, pod, region, post, comment, poll, item, rule, member, notification,
    # pet, invite, group, assignment, steward_invitation
    method: str
    expect: Callable
    data: dict = field(default_factory=dict)
    htmx: bool = False


R = Row
ROWS = [
    R("healthz", "none", "GET", everyone),
    R("readyz", "none", "GET", everyone),
    R("sitemap.xml", "none", "GET", everyone),  # public pages only: tests/trust/test_sitemap.py
    R("robots.txt", "none", "GET", everyone),
    R("", "none", "GET", everyone),
    R("following/", "none", "GET", signed_in_only),
    R("posts/new/", "none", "POST", acting, {"body": "A matrix post"}),
    R("announcements/new/", "none", "GET", managers_only),
    R("notifications/", "none", "GET", signed_in_only),
    R("notifications/read/", "none", "POST", signed_in_only),
    R("notifications/preferences/", "none", "POST", signed_in_only),
    R("members/", "none", "GET", signed_in_only),
    R("saved/", "none", "GET", signed_in_only),  # only the member's own saves, each through the read policy
    R("welcome/", "none", "GET", signed_in_only),
    R("welcome/done/", "none", "GET", signed_in_only),
    R("settings/", "none", "GET", everyone),  # a redirect to settings/profile/, which asks to sign in
    R("settings/profile/", "none", "GET", signed_in_only),
    R("settings/pets/", "none", "GET", signed_in_only),
    R("settings/delete/", "none", "GET", signed_in_only),
    R("settings/tokens/", "none", "GET", signed_in_only),
    R("catchup/commons/", "none", "GET", everyone, htmx=True),
    R("pods/", "none", "GET", everyone),
    R("pods/new/", "none", "GET", pod_creators),
    R("moderation/queue/", "none", "GET", moderators_only),
    R("moderation/queue/bulk/", "none", "POST", moderators_only),
    R("moderation/log/", "none", "GET", moderators_only),
    R("moderation/team/", "none", "GET", managers_only),
    R("moderation/team/<int:assignment_id>/", "assignment", "GET", managers_only),
    R("moderation/team/<int:assignment_id>/", "assignment", "POST", managers_only,
      {"action": "revoke", "revoke-reason": "matrix"}),
    R("pods/steward-invitations/new/", "none", "GET", managers_only),
    R("moderation/rules/", "none", "GET", moderators_only),
    R("moderation/rules/new/", "none", "GET", moderators_only),
    R("moderation/reasons/", "none", "GET", moderators_only),
    R("moderation/transparency/", "none", "GET", everyone),
    R("moderation/transparency/regions/<slug:slug>/", "region", "GET", everyone),
    R("metrics/", "none", "GET", managers_only),
    R("metrics/charts/series/", "none", "GET", managers_only),
    R("metrics/charts/pods/", "none", "GET", managers_only),
    R("metrics/charts/retention/", "none", "GET", managers_only),
    R("metrics/charts/moderation/", "none", "GET", managers_only),
    R("messages/", "none", "GET", signed_in_only),
    R("messages/new/", "none", "GET", signed_in_only),
    R("messages/settings/", "none", "GET", signed_in_only),
    R("messages/reports/", "none", "GET", managers_only),
    R("search/", "none", "GET", everyone),
    # Pods
    R("pods/<slug:slug>/", "pod", "GET", pod_page),
    R("pods/<slug:slug>/post/", "pod", "POST", pod_takes_part, {"body": "A matrix pod post"}),
    R("pods/<slug:slug>/join/", "pod", "GET", pod_join),
    R("pods/<slug:slug>/leave/", "pod", "POST", pod_leaving),
    R("pods/<slug:slug>/waitlist/leave/", "pod", "POST", pod_waitlist_leaving),
    R("pods/<slug:slug>/standing/", "pod", "GET", pod_standing),
    R("pods/<slug:slug>/request/withdraw/", "pod", "POST", pod_leaving),
    R("pods/<slug:slug>/acknowledge/", "pod", "POST", pod_acknowledge, {"version": "1", "acknowledge": "on"}),
    R("pods/<slug:slug>/settings/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/charter/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/ladder/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/invites/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/invites/<int:invite_id>/revoke/", "pod", "POST", pod_steward_only),
    R("pods/<slug:slug>/settings/requests/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/members/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/stewards/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/waitlist/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/split/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/settings/webhooks/", "pod", "GET", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/", "pod", "GET", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/rotate/", "pod", "POST", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/pause/", "pod", "POST", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/resume/", "pod", "POST", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/delete/", "pod", "POST", pod_steward_hidden),
    R("pods/<slug:slug>/settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/", "pod", "POST",
      pod_steward_hidden),
    R("pods/<slug:slug>/insights/", "pod", "GET", pod_steward_only),
    R("pods/<slug:slug>/pulse/", "pod", "POST", pod_takes_part, {"score": "4", "text": "fine"}),
    R("catchup/pods/<slug:pod_slug>/", "pod", "GET", pod_catchup, htmx=True),
    R("pods/<slug:slug>/moderation/", "pod", "GET", pod_catchup),  # public transparency: whoever reads the pod
    R("pods/join/<str:code>/", "invite", "GET", invite_link),
    # An invitation to steward (the author is invited): only the invitee sees it; its sender, other
    # managers and everyone else get the 404 of one that does not exist.
    R("pods/steward-invitations/<int:invitation_id>/", "steward_invitation", "GET", own_content_only),
    R("pods/steward-invitations/<int:invitation_id>/", "steward_invitation", "POST", own_content_only,
      {"action": "decline", "answer": "matrix"}),
    # Posts, comments, polls
    R("posts/<int:post_id>/", "post", "GET", post_read),
    R("posts/<int:post_id>/edit/", "post", "GET", post_author_only),
    R("posts/<int:post_id>/delete/", "post", "POST", post_manager),
    R("posts/<int:post_id>/react/", "post", "POST", post_take_part, {"kind": "paw"}),
    R("posts/<int:post_id>/comments/", "post", "POST", post_take_part, {"body": "A matrix comment"}),
    R("posts/<int:post_id>/pin/", "post", "POST", post_manager),
    R("posts/<int:post_id>/unpin/", "post", "POST", post_manager),
    R("posts/<int:post_id>/save/", "post", "POST", post_reader),
    R("posts/<int:post_id>/unsave/", "post", "POST", post_reader),
    R("comments/<int:comment_id>/react/", "comment", "POST", post_take_part, {"kind": "hug"}),
    R("comments/<int:comment_id>/delete/", "comment", "POST", post_manager),
    R("comments/<int:comment_id>/edit/", "comment", "GET", post_author_only),
    R("polls/<int:poll_id>/vote/", "poll", "POST", post_take_part, {"choices": "__first__"}),
    R("moderation/report/post/<str:key>/", "post", "GET", post_report),
    R("moderation/report/comment/<str:key>/", "comment", "GET", comment_report),
    R("moderation/appeal/post/<int:content_id>/", "post", "GET", own_content_only),
    R("moderation/appeal/comment/<int:content_id>/", "comment", "GET", own_content_only),
    # Moderation items and rules
    R("moderation/queue/<int:item_id>/", "item", "GET", queue_item),
    R("moderation/queue/<int:item_id>/claim/", "item", "POST", queue_item),
    R("moderation/queue/<int:item_id>/release/", "item", "POST", queue_item),
    R("moderation/queue/<int:item_id>/act/", "item", "POST", queue_item, {"action": "warn"}),
    R("moderation/queue/<int:item_id>/act/", "item", "POST", queue_item, {"action": "approve", "desk": "row"},
      htmx=True),
    R("moderation/queue/<int:item_id>/row/", "item", "GET", queue_item, htmx=True),
    R("moderation/rules/<int:rule_id>/", "rule", "GET", rule_edit),
    R("moderation/rules/<int:rule_id>/toggle/", "rule", "POST", rule_edit),
    # Removal reasons are inherited downward like rules; notes are for their scope's moderators and above.
    R("moderation/reasons/<int:reason_id>/", "reason", "GET", rule_edit),
    R("moderation/reasons/<int:reason_id>/delete/", "reason", "POST", rule_edit),
    R("moderation/notes/<int:note_id>/delete/", "note", "POST", note_delete),
    # Members and their things
    R("members/<str:username>/", "member", "GET", everyone),
    R("members/<str:username>/follow/", "member", "POST", acting),
    R("members/<str:username>/unfollow/", "member", "POST", acting),
    R("moderation/report/member/<str:key>/", "member", "GET", signed_in_only),
    R("moderation/members/<str:username>/", "member", "GET", moderators_only),
    R("moderation/members/<str:username>/notes/", "member", "POST", moderators_only,
      {"scope": "commons", "text": "A matrix note"}),
    R("notifications/<int:notification_id>/", "notification", "GET", own_content_only),
    R("settings/pets/<int:pet_id>/", "pet", "GET", own_content_only),
    R("settings/pets/<int:pet_id>/remove/", "pet", "POST", own_content_only),
    R("settings/tokens/<int:token_id>/revoke/", "token", "POST", own_content_only),
    # Conversations (private to their participants) and blocks
    R("messages/<int:conversation_id>/", "conversation", "GET", conversation_participant),
    R("messages/report/<int:message_id>/", "conversation", "GET", conversation_participant),
    R("messages/reports/<int:report_id>/resolve/", "conversation", "POST", managers_only),
    R("messages/block/<str:username>/", "member", "POST", signed_in_only),
    R("messages/unblock/<str:username>/", "member", "POST", signed_in_only),
    # Groups of third-party patterns: one row each (see matrix.GROUPS for how a pattern is grouped).
    R("admin/", "group", "GET", admin_site),
    R("accounts/", "group", "GET", everyone),
    R("media/", "group", "GET", lambda role, obj=None: NOT_FOUND),  # (development only) no such file
    R("^api/", "group", "GET", lambda role, obj=None: NOT_FOUND),  # a path no API operation matches
]
ROWS_BY_ROUTE = {row.route: row for row in ROWS}


# --- The JSON API (tests/trust/test_api_matrix.py): every operation, called with each role's token ----
#
# The same rules as the pages, with two differences the API declares: it has no anonymous reads (no
# token: 401, counted as LOGIN), and a suspended member's tokens stop working (401) instead of
# leaving them read-only.

def api_pod_join(role, place):
    """Joining (open pods) or asking (request pods) is a write: banned members are refused (403)."""
    return pod_know_then(lambda r, p: member(r, p) or (p not in ("invite", "unlisted") and can_act(r)
                                                        and r != "banned"))(role, place)


def api_expected(row: "Row", role: str, obj=None) -> str:
    if role in ("anonymous", "suspended") and row.route not in API_PUBLIC:
        return LOGIN
    return row.expect(role, obj)


API_PUBLIC = {"api/v1/openapi.json", "api/v1/docs/", "api/v1/"}
V = "api/v1/"
API_ROWS = [
    R(V + "openapi.json", "none", "GET", everyone),
    R(V + "docs/", "none", "GET", everyone),
    R(V, "none", "GET", everyone),  # redirects to the docs
    R(V + "feeds/commons", "none", "GET", signed_in_only),
    R(V + "posts", "none", "POST", acting, {"body": "A matrix API post"}),
    R(V + "pods", "none", "GET", signed_in_only),
    R(V + "me", "none", "GET", signed_in_only),
    R(V + "notifications", "none", "GET", signed_in_only),
    R(V + "notifications/read", "none", "POST", signed_in_only),
    R(V + "saved", "none", "GET", signed_in_only),
    R(V + "moderation/queue", "none", "GET", moderators_only),
    R(V + "metrics/figures", "none", "GET", managers_only),
    R(V + "pods/<slug>", "pod", "GET", pod_known),
    R(V + "pods/<slug>/feed", "pod", "GET", pod_know_then(reads_place)),
    R(V + "pods/<slug>/members", "pod", "GET", pod_know_then(reads_place)),
    R(V + "pods/<slug>/posts", "pod", "POST", pod_takes_part, {"body": "A matrix API pod post"}),
    R(V + "pods/<slug>/join", "pod", "POST", api_pod_join, {"charter_version": 1, "answer": "matrix"}),
    R(V + "pods/<slug>/leave", "pod", "POST", pod_leaving),
    R(V + "pods/<slug>/settings", "pod", "GET", pod_steward_only),
    R(V + "pods/<slug>/join-requests", "pod", "GET", pod_steward_only),
    R(V + "pods/<slug>/join-requests/<request_id>", "pod", "POST", pod_steward_only, {"approve": False}),
    R(V + "pods/<slug>/invites", "pod", "GET", pod_steward_only),
    R(V + "pods/<slug>/invites", "pod", "POST", pod_steward_only, {"expires_in_days": 7}),
    R(V + "pods/<slug>/invites/<invite_id>", "pod", "DELETE", pod_steward_only),
    R(V + "pods/<slug>/figures", "pod", "GET", pod_steward_only),
    R(V + "pods/<slug>/settings", "pod", "PATCH", pod_steward_only, {"welcome_message": "Matrix welcome"}),
    R(V + "pods/<slug>/bans", "pod", "GET", pod_steward_only),
    R(V + "pods/<slug>/webhooks", "pod", "GET", pod_steward_hidden),
    R(V + "pods/<slug>/webhooks", "pod", "POST", pod_steward_hidden,
      {"name": "Matrix API hook", "url": "https://93.184.215.14/hook", "events": ["post.created"]}),
    R(V + "pods/<slug>/webhooks/<webhook_id>", "pod", "GET", pod_steward_hidden),
    R(V + "pods/<slug>/webhooks/<webhook_id>", "pod", "PATCH", pod_steward_hidden, {"active": False}),
    R(V + "pods/<slug>/webhooks/<webhook_id>", "pod", "DELETE", pod_steward_hidden),
    R(V + "pods/<slug>/webhooks/<webhook_id>/secret", "pod", "POST", pod_steward_hidden),
    R(V + "pods/<slug>/webhooks/<webhook_id>/deliveries", "pod", "GET", pod_steward_hidden),
    R(V + "pods/<slug>/webhooks/<webhook_id>/deliveries/<delivery_id>/redeliver", "pod", "POST",
      pod_steward_hidden),
    # Search: "CANARY" finds every canary by text on SQLite, so each scope's answer is scanned for leaks
    # (tests/trust/test_search.py also searches each canary one by one, counts included).
    *[R(V + "search", "none", "GET", signed_in_only, {"q": "CANARY", "scope": scope})
      for scope in ("posts", "comments", "pods", "members")],
    R(V + "me/pets", "none", "GET", signed_in_only),
    R(V + "me/pets", "none", "POST", signed_in_only, {"name": "Matrix pet", "species": "cat"}),
    R(V + "me/pets/<pet_id>", "pet", "PATCH", own_content_only, {"name": "Renamed"}),
    R(V + "me/pets/<pet_id>", "pet", "DELETE", own_content_only),
    R(V + "posts/<post_id>", "post", "GET", post_then(lambda role, place, kind: True)),
    R(V + "posts/<post_id>", "post", "PATCH", post_author_only, {"body": "An edit"}),
    R(V + "posts/<post_id>", "post", "DELETE", post_manager),
    R(V + "posts/<post_id>/reactions", "post", "POST", post_take_part, {"kind": "paw"}),
    R(V + "saved/<post_id>", "post", "PUT", post_reader),
    R(V + "saved/<post_id>", "post", "DELETE", post_reader),
    R(V + "posts/<post_id>/comments", "post", "GET", post_then(lambda role, place, kind: True)),
    R(V + "posts/<post_id>/comments", "post", "POST", post_take_part, {"body": "A matrix API comment"}),
    R(V + "comments/<comment_id>", "comment", "PATCH", post_author_only, {"body": "An edit"}),
    R(V + "comments/<comment_id>", "comment", "DELETE", post_manager),
    R(V + "comments/<comment_id>/reactions", "comment", "POST", post_take_part, {"kind": "hug"}),
    R(V + "polls/<poll_id>/votes", "poll", "POST", post_take_part, {"choices": ["__first__"]}),
    R(V + "members/<username>", "member", "GET", signed_in_only),
    R(V + "notifications/<notification_id>/read", "notification", "POST", own_content_only),
    R(V + "moderation/queue/<item_id>", "item", "GET", queue_item),
    R(V + "moderation/queue/<item_id>/claim", "item", "POST", queue_item),
    R(V + "moderation/queue/<item_id>/act", "item", "POST", queue_item, {"action": "warn", "reason": "matrix"}),
]
API_ROUTES = {row.route for row in API_ROWS}


def expected(row: Row, role: str, obj=None) -> str:
    return row.expect(role, obj)
