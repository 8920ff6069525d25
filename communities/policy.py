"""The one permission policy: every "may this member see or do this?" is answered here.

Modelled on Misago's permissions. A `Policy` is built once per request and once per websocket, and
knows the member's roles: the site-wide manager role (decided here), their pod rungs (contributed by
the pods app) and their moderation scopes (contributed by moderation). Higher apps plug their rules in
through `communities.hooks` (`pod_rules`, `moderation_rules`) in their `AppConfig.ready()`; this
module never imports them.

Getting one
    policy_for(user) -> Policy      memoised on the user object, so `request.user` (one per request)
                                    and `scope["user"]` (one per socket) compute roles once.
    request.policy                  the same object, set lazily by `PolicyMiddleware`.
    policy_forget(user)             drop memoised roles after a service changed them (join, leave,
                                    rung change, steward change, moderator assignment).

Roles (attributes)
    .user  .is_authenticated  .is_manager  .is_moderator
    .pods     the member's pod roles: member_pod_ids, trusted_pod_ids, stewarded, rungs,
              is_member(pod_id), rung_at_least(pod_id, rung)
    .scopes   the member's moderation scopes: .any, .covers(scope), .pod_ids, ...

check_* raise Http404 (may not know it exists) or PermissionDenied (may see it, may not act);
posting checks also raise ValidationError at the field a rung locks.
    check_can_act()                        signed in and not suspended (writing)
    check_is_manager()
    check_can_read_post(post)              404 for unreadable and nonexistent alike
    check_can_know_pod(pod)  check_can_read_pod(pod)  check_can_steward(pod)
    check_can_see_standing(pod)            404 unless they know the pod or hold a place in it (below)
    check_can_post_in_pod(pod, *, audience, has_links, has_images)
    check_is_moderator() -> scopes         check_can_moderate_item(item)
    check_can_manage_scope(scope)          check_can_edit_rule(rule)
    check_can_assign_moderators(scope)     404 for a scope they may not assign moderators in (Team page)
    check_can_answer_steward_invitation(invitation)   404 for anyone but the invitee
    check_can_edit_removal_reason(reason)  check_can_see_moderator_note(note)
    check_can_delete_moderator_note(note)

can_* booleans (templates, branching)
    can_act  can_read_post(post)  can_edit_post(post)  can_know_pod(pod)  can_read_pod(pod)
    can_see_standing(pod)         their own standing in a pod: whoever may know it, and whoever holds a
                                  place in it (a waitlist place, a held offer, an invite bound to them),
                                  unlisted pods included; nobody else learns an unlisted pod exists
    can_steward(pod)  can_see_field(member, visibility)  can_moderate_item(item)
    can_manage_scope(scope)  can_see_rule(rule)  can_read_content(post, pod=None)
    sees_as_author(content)       their own held or removed post or comment: shown to them, marked
    can_see_removal_reason(reason)  can_see_moderator_note(note)
    composer_unlocks(pod=None) -> ComposerUnlocks
                                  what the composer offers in a place (trusted-only posts, photos,
                                  links) and a one-line hint at what the next rung unlocks; the same
                                  rules `check_can_post_in_pod` enforces

filter_* querysets and Q objects (reads)
    filter_posts(qs)              every post can_read_post allows, whatever its status (agrees with it)
    readable_comments_q(prefix="")  comments they may see under a post they may read: published ones, and
                                  their own held or removed ones (marked)
    readable_posts_q(prefix="")   published posts in any place they may read (feeds across places)
    readable_in_place_q(pod=None) published posts of ONE place: plain `pod = … AND status = …` for the
                                  feed indexes on (pod, status, sort key)
    place_audience(pod=None)      the same as (audience, Q) shared by every viewer of that audience, for
                                  cached feed rows; addressed_among(posts) adds the Commons' segmented
                                  announcements a member may read (one query, remembered)
    readable_place_q(prefix="")   posts of any status whose place they may read (moderators)
    filter_pods(qs)               pods whose existence they may know
    filter_queue_items(qs)        queue items of content they may read
    readable_items_q(pod_field)   the same as a Q, for log rows too (their place is `content_pod`)
    hidden_pods_q(field="pod")    rows naming a pod they may not know (for .exclude())
    trusted_circle_ids()          members whose "trusted" profile fields they may see
    visible_field_q(field)        members whose `<field>_visibility` lets them see it (can_see_field's Q)

Fan-out
    readers_of(obj, moderating=False) -> QuerySet[User]
                                  active members who may read a post, a comment (its post) or a pod's
                                  content now (streams, emails, digests); moderating=True: who could
                                  read its place whatever its status (the queue's fan-out).

Module-level shortcuts take the user first: `check_can_read_post(user, post)`, `is_manager(user)`, ...
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import SimpleLazyObject

from . import hooks, navcache
from .models import AnnouncementRecipient, Comment, ContentStatus, Post, Visibility

MANAGERS_GROUP = "Community managers"
# What a post or comment's author still sees of their own content after moderation took it out of sight:
# held (waiting for a moderator) and removed (with the moderator's reason). Nobody else does, but managers.
AUTHOR_ONLY = (ContentStatus.HELD, ContentStatus.REMOVED)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_manager(user) -> bool:
    """Community managers: active superusers, and active staff in the "Community managers" group."""
    if not _signed_in(user) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_manager", None)
    if cached is None:
        cached = user.is_staff and user.groups.filter(name=MANAGERS_GROUP).exists()
        user._is_manager = cached
    return cached


def managers_q(prefix: str = "") -> Q:
    """Users (under `prefix`) who are community managers, for fan-out queries."""
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}is_superuser": True})
        | Q(**{f"{prefix}is_staff": True, f"{prefix}groups__name": MANAGERS_GROUP})
    )


@dataclass(frozen=True)
class ComposerUnlocks:
    """What the composer offers a member in one place. The Commons: everyone-posts with photos and links
    (trusted-only posts live in pods). A pod: what the member's rung unlocks there, and `hint`, one line on
    what is still locked ("Photos and links unlock at regular: 2 more days active, …"); empty when nothing
    is locked."""

    audience: bool = False  # may choose "trusted members only"
    images: bool = True
    links: bool = True
    hint: str = ""


NOTHING_UNLOCKED = ComposerUnlocks(audience=False, images=False, links=False)


UNSEGMENTED = "unsegmented"  # `Policy.place_audience`: the Commons without its segmented announcements


class Policy:
    """What one member may see and do. Cheap to build; the roles behind it are memoised on the user."""

    def __init__(self, user):
        self.user = user
        self._addressed: dict[int, bool] = {}  # segmented post id -> addressed to this member

    # Roles ------------------------------------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return _signed_in(self.user)

    @property
    def is_manager(self) -> bool:
        return is_manager(self.user)

    @property
    def pods(self):
        return hooks.pod_rules.get().roles(self.user)

    @property
    def scopes(self):
        return hooks.moderation_rules.get().scopes(self.user)

    @property
    def is_moderator(self) -> bool:
        return self.is_authenticated and bool(self.scopes.any)

    @property
    def can_act(self) -> bool:
        return self.is_authenticated and not self.user.is_suspended

    def check_can_act(self) -> None:
        """Writing needs a signed-in, unsuspended account (reading does not)."""
        if not self.is_authenticated:
            raise PermissionDenied("Sign in to do that.")
        if self.user.is_suspended:
            raise PermissionDenied("Your account is suspended.")

    def check_is_manager(self) -> None:
        if not self.is_manager:
            raise PermissionDenied("Only community managers can do that.")

    # Posts ------------------------------------------------------------------------------------------

    def _addressed_q(self, prefix: str = "") -> Q:
        """Segmented announcements are for their recipients (and author) only; managers see all."""
        if self.is_manager:
            return Q()
        unsegmented = Q(**{f"{prefix}segment__isnull": True})
        if not self.is_authenticated:
            return unsegmented
        mine = AnnouncementRecipient.objects.filter(member_id=self.user.pk).values("post_id")
        return unsegmented | Q(**{f"{prefix}pk__in": mine}) | Q(**{f"{prefix}author_id": self.user.pk})

    def _is_recipient(self, post: Post) -> bool:
        if not self.is_authenticated:
            return False
        if self.user.pk == post.author_id:
            return True
        if post.pk not in self._addressed:
            self._addressed[post.pk] = AnnouncementRecipient.objects.filter(
                post=post, member_id=self.user.pk).exists()
        return self._addressed[post.pk]

    def addressed_among(self, posts: list[tuple[int, int]]) -> set[int]:
        """Which of these segmented announcements, given as (post id, author id), this member may read:
        managers all, members those they wrote or receive. One query for any number, remembered, so
        `can_read_post` asks nothing more about them."""
        if self.is_manager:
            return {pk for pk, _ in posts}
        if not self.is_authenticated:
            return set()
        unknown = [pk for pk, author_id in posts if author_id != self.user.pk and pk not in self._addressed]
        if unknown:
            found = set(AnnouncementRecipient.objects.filter(member_id=self.user.pk, post_id__in=unknown)
                        .values_list("post_id", flat=True))
            self._addressed.update({pk: pk in found for pk in unknown})
        return {pk for pk, author_id in posts if author_id == self.user.pk or self._addressed.get(pk)}

    def readable_place_q(self, prefix: str = "") -> Q:
        """Posts (under `prefix`, e.g. "post__") of any status whose place this member may read."""
        if self.is_manager:
            return Q()
        commons = Q(**{f"{prefix}pod__isnull": True}) & self._addressed_q(prefix)
        return commons | hooks.pod_rules.get().readable_q(self, prefix)

    def can_read_place(self, post: Post) -> bool:
        if self.is_manager:
            return True
        if post.pod_id is None:
            return post.segment is None or self._is_recipient(post)
        return hooks.pod_rules.get().can_read_post_place(self, post)

    def readable_posts_q(self, prefix: str = "") -> Q:
        """Published posts this member may read, in any place."""
        return Q(**{f"{prefix}status": ContentStatus.PUBLISHED}) & self.readable_place_q(prefix)

    def readable_in_place_q(self, pod=None) -> Q:
        """Published posts of ONE place (the Commons when pod is None) this member may read.

        Same rules as `readable_posts_q`, decided in Python for the place, so the query is plain
        `pod = … AND status = …` and the feed indexes on (pod, status, sort key) serve it; the OR of
        every pod branch in `readable_posts_q` makes PostgreSQL scan and sort the whole table instead.
        """
        audience = self.place_audience(pod)
        if audience is None:
            return Q(pk__in=[])
        name, shared = audience
        if name == UNSEGMENTED:
            return Q(status=ContentStatus.PUBLISHED) & Q(pod__isnull=True) & self._addressed_q()
        return shared

    def place_audience(self, pod=None) -> tuple[str, Q] | None:
        """`readable_in_place_q` as what a whole audience reads, for rows shared between viewers: (the
        audience's name, its Q), or None when this member may not read the place.

        Every member of one audience reads exactly its Q, except in `UNSEGMENTED` (members and visitors in
        the Commons), who also read the segmented announcements `addressed_among` gives them."""
        published = Q(status=ContentStatus.PUBLISHED)
        if pod is None:
            commons = published & Q(pod__isnull=True)
            return ("all", commons) if self.is_manager else (UNSEGMENTED, commons & Q(segment__isnull=True))
        if not self.can_read_pod(pod):
            return None
        place = published & Q(pod_id=pod.pk)
        if self.is_manager or pod.pk in self.pods.trusted_pod_ids:
            return "all", place
        return "everyone", place & Q(audience=Post.Audience.EVERYONE)

    def sees_as_author(self, content) -> bool:
        """Their own held or removed post or comment: shown to them (and only them), marked as such."""
        return content.status in AUTHOR_ONLY and self.is_authenticated and self.user.pk == content.author_id

    def can_read_post(self, post: Post) -> bool:
        """Authors still see their own held posts (marked: waiting for a moderator) and removed ones (with
        the reason); managers see held and removed ones; nobody sees deleted ones; everyone else sees
        published posts of places they may read."""
        if post.status == ContentStatus.PUBLISHED:
            return self.can_read_place(post)
        if post.status == ContentStatus.DELETED:
            return False
        if self.is_manager:
            return True
        return self.sees_as_author(post) and self.can_read_place(post)

    def filter_posts(self, qs: QuerySet[Post] | None = None) -> QuerySet[Post]:
        """Every post `can_read_post` allows, whatever its status (the two agree: tests/trust)."""
        qs = Post.objects.all() if qs is None else qs
        if self.is_manager:
            return qs.exclude(status=ContentStatus.DELETED)
        allowed = Q(status=ContentStatus.PUBLISHED)
        if self.is_authenticated:
            allowed |= Q(status__in=AUTHOR_ONLY, author_id=self.user.pk)
        return qs.filter(allowed & self.readable_place_q())

    def readable_comments_q(self, prefix: str = "") -> Q:
        """Comments (under `prefix`) this member may see under a post they may read: published ones, and
        their own held or removed ones (marked on the page). Others' held and removed comments are for
        the moderation queue only."""
        allowed = Q(**{f"{prefix}status": ContentStatus.PUBLISHED})
        if self.is_authenticated:
            allowed |= Q(**{f"{prefix}status__in": AUTHOR_ONLY, f"{prefix}author_id": self.user.pk})
        return allowed

    def visible_posts(self) -> QuerySet[Post]:
        return Post.objects.filter(self.readable_posts_q())

    def check_can_read_post(self, post: Post) -> None:
        """Unreadable and nonexistent answer the same 404, so a private post's existence never leaks."""
        if not self.can_read_post(post):
            raise Http404("No post here.")

    def can_edit_post(self, post: Post) -> bool:
        return self.is_authenticated and (self.user.pk == post.author_id or self.is_manager)

    def can_read_content(self, post: Post | None, pod=None) -> bool:
        """A moderator's read test for a queue item's content: any status but deleted, in a readable place."""
        if post is not None:
            return post.status != ContentStatus.DELETED and self.can_read_place(post)
        return pod is None or self.can_read_pod(pod)

    # Pods (rules contributed by the pods app) ----------------------------------------------------------

    def can_know_pod(self, pod) -> bool:
        return self.is_manager or hooks.pod_rules.get().can_know(self, pod)

    def can_read_pod(self, pod) -> bool:
        return self.is_manager or hooks.pod_rules.get().can_read(self, pod)

    def can_steward(self, pod) -> bool:
        return self.is_manager or pod.pk in self.pods.stewarded

    def filter_pods(self, qs: QuerySet | None = None) -> QuerySet:
        return hooks.pod_rules.get().filter_known(self, qs)

    def holds_place(self, pod) -> bool:
        """A waitlist place, a held offer or a usable invite bound to them (account or verified email)."""
        return self.is_authenticated and hooks.pod_rules.get().holds_place(self, pod)

    def can_see_standing(self, pod) -> bool:
        """Where they stand in a pod (waitlist position, a held place and its expiry, an invite): for whoever
        may know the pod, and for whoever holds a place in it, so an unlisted pod's invitee or waitlisted
        member is never sent to a 404."""
        return self.can_know_pod(pod) or self.holds_place(pod)

    def check_can_see_standing(self, pod) -> None:
        """404 for someone who holds nothing in a pod they may not know (the same 404 as no pod at all)."""
        if not self.can_see_standing(pod):
            raise Http404("No pod here.")

    def hidden_pods_q(self, field: str = "pod") -> Q:
        """Rows naming an unlisted pod this member may not know exists (for `.exclude()`)."""
        if self.is_manager:
            return Q(pk__in=[])
        return hooks.pod_rules.get().hidden_q(self, field)

    def check_can_know_pod(self, pod) -> None:
        if not self.can_know_pod(pod):
            raise Http404("No pod here.")

    def check_can_read_pod(self, pod) -> None:
        """The pod's posts, comments and member list: 404 for a pod they may not know, 403 otherwise."""
        self.check_can_know_pod(pod)
        if not self.can_read_pod(pod):
            raise PermissionDenied("This pod's posts are for its members.")

    def check_can_steward(self, pod) -> None:
        """Settings pages: 404 for a pod they may not know, 403 for one they know but don't steward."""
        self.check_can_know_pod(pod)
        if not self.can_steward(pod):
            raise PermissionDenied("Only this pod's stewards can change its settings.")

    def check_can_post_in_pod(self, pod, *, audience: str, has_links: bool, has_images: bool) -> None:
        """Posting and commenting in a pod (charter, rung-locked links/images/trusted-only posts)."""
        self.check_can_know_pod(pod)
        hooks.pod_rules.get().check_can_post(self, pod, audience=audience, has_links=has_links,
                                             has_images=has_images)

    def composer_unlocks(self, pod=None) -> ComposerUnlocks:
        """What the composer offers in the Commons (pod None) or a pod, per `check_can_post_in_pod`'s rules."""
        if not self.can_act:
            return NOTHING_UNLOCKED
        if pod is None:
            return ComposerUnlocks()
        return hooks.pod_rules.get().composer_unlocks(self, pod)

    # Profiles -----------------------------------------------------------------------------------------

    def trusted_circle_ids(self) -> frozenset[int]:
        """Members whose "trusted" profile fields this member may see (memoised on the user)."""
        if not self.is_authenticated:
            return frozenset()
        return hooks.pod_rules.get().trusted_circle_ids(self.user)

    def can_see_field(self, member, visibility: str) -> bool:
        """everyone: anyone; members: signed-in members; trusted: the member themself, a manager, or
        someone trusted (or steward) in a pod the member is an active member of."""
        if visibility == Visibility.EVERYONE:
            return True
        if not self.is_authenticated:
            return False
        if visibility == Visibility.MEMBERS or self.user.pk == member.pk or self.is_manager:
            return True
        return member.pk in self.trusted_circle_ids()

    def visible_field_q(self, field: str) -> Q:
        """Members (as a condition on User) whose `<field>_visibility` lets this member see that field:
        the queryset form of `can_see_field`."""
        if self.user is None or self.is_manager:  # None: a system caller, not a viewer
            return Q()
        if not self.is_authenticated:
            return Q(**{f"{field}_visibility": Visibility.EVERYONE})
        circle = hooks.pod_rules.get().trusted_circle_members(self)
        return ~Q(**{f"{field}_visibility": Visibility.TRUSTED}) | Q(pk=self.user.pk) | Q(pk__in=circle)

    # Moderation (rules contributed by moderation) --------------------------------------------------------

    def check_is_moderator(self):
        scopes = self.scopes
        if not scopes.any:
            raise PermissionDenied("Only moderators and stewards moderate.")
        return scopes

    def can_moderate_item(self, item) -> bool:
        return hooks.moderation_rules.get().can_moderate_item(self, item)

    def check_can_moderate_item(self, item) -> None:
        """Outside my scopes or unreadable: 404, the same as an item that does not exist."""
        if not self.can_moderate_item(item):
            raise Http404("No queue item here.")

    def readable_items_q(self, pod_field: str = "pod") -> Q:
        """Queue items and log entries (rows with `post`, `comment` and a place in `pod_field`) whose
        content this member may read; a row without content needs its place readable."""
        if self.is_manager:
            return Q()
        content_free = Q(post__isnull=True, comment__isnull=True) & (
            Q(**{f"{pod_field}__isnull": True}) | hooks.pod_rules.get().readable_pods_q(self, pod_field))
        return (
            (Q(post__isnull=False) & self.readable_place_q("post__"))
            | (Q(comment__isnull=False) & self.readable_place_q("comment__post__"))
            | content_free
        )

    def filter_queue_items(self, qs: QuerySet) -> QuerySet:
        """Queue items whose content this member may read."""
        return qs.filter(self.readable_items_q())

    def can_manage_scope(self, scope) -> bool:
        return self.scopes.covers(scope)

    def check_can_manage_scope(self, scope) -> None:
        if not self.can_manage_scope(scope):
            raise PermissionDenied("You do not moderate this scope.")

    def can_see_rule(self, rule) -> bool:
        return hooks.moderation_rules.get().can_see_rule(self, rule)

    def check_can_edit_rule(self, rule) -> None:
        if not self.can_see_rule(rule):
            raise Http404("No rule here.")
        if not hooks.moderation_rules.get().can_edit_rule(self, rule):
            raise PermissionDenied("This rule is inherited from a scope above yours; you may add a stricter one.")

    def can_assign_moderators(self, scope) -> bool:
        return hooks.moderation_rules.get().can_assign(self, scope)

    def check_can_assign_moderators(self, scope) -> None:
        """Assigning, moving or revoking a moderator in `scope` (the Team page): a scope this member does not
        manage answers 404, the same as one that does not exist."""
        if not self.can_assign_moderators(scope):
            raise Http404("No such scope.")

    # Steward invitations (rules contributed by the pods app) -----------------------------------------------

    def check_can_answer_steward_invitation(self, invitation) -> None:
        """Only the invited member sees their invitation to steward; for everyone else (its sender and
        other managers included) it does not exist."""
        if not (self.is_authenticated and hooks.pod_rules.get().is_steward_invitee(self, invitation)):
            raise Http404("No invitation here.")
    def can_see_removal_reason(self, reason) -> bool:
        return hooks.moderation_rules.get().can_see_reason(self, reason)

    def check_can_edit_removal_reason(self, reason) -> None:
        """Reasons are inherited downward like rules: 404 outside my view, 403 for one from above."""
        if not self.can_see_removal_reason(reason):
            raise Http404("No removal reason here.")
        if not hooks.moderation_rules.get().can_edit_reason(self, reason):
            raise PermissionDenied("This reason comes from a scope above yours; add your own instead.")

    def can_see_moderator_note(self, note) -> bool:
        return hooks.moderation_rules.get().can_see_note(self, note)

    def check_can_see_moderator_note(self, note) -> None:
        """Moderators of the note's scope and above; for everyone else it does not exist."""
        if not self.can_see_moderator_note(note):
            raise Http404("No note here.")

    def check_can_delete_moderator_note(self, note) -> None:
        self.check_can_see_moderator_note(note)
        if not hooks.moderation_rules.get().can_delete_note(self, note):
            raise PermissionDenied("Only the note's author or a community manager may delete it.")

    # Fan-out ---------------------------------------------------------------------------------------

    def readers_of(self, obj, *, moderating: bool = False) -> QuerySet:
        return readers_of(obj, moderating=moderating)


def readers_of(obj, *, moderating: bool = False) -> QuerySet:
    """Active members who may read `obj` now (a Post, a Comment's post, or a pod's content): agrees
    with `can_read_post` for every signed-in member. `moderating=True` asks `can_read_content` instead
    (who could read the post's place whatever its status: held and removed posts, for the queue)."""
    users = get_user_model().objects.filter(is_active=True)
    if isinstance(obj, Comment):
        obj = obj.post
    if not isinstance(obj, Post):
        return _managers_or(users, hooks.pod_rules.get().pod_readers_q(obj))
    post = obj
    if post.status == ContentStatus.DELETED:
        return users.none()
    if post.pod_id is None:  # Q() is everyone
        place = Q() if post.segment is None else (
            Q(pk=post.author_id) | Q(pk__in=AnnouncementRecipient.objects.filter(post=post).values("member_id")))
    else:
        place = hooks.pod_rules.get().post_readers_q(post)
    if post.status == ContentStatus.PUBLISHED or moderating:
        allowed = place
    elif post.status in AUTHOR_ONLY:  # held or removed: its author (marked), never anyone else
        allowed = Q(pk=post.author_id) & place if place else Q(pk=post.author_id)
    else:
        allowed = Q(pk__in=[])
    return _managers_or(users, allowed)


def _managers_or(users: QuerySet, allowed: Q) -> QuerySet:
    """Managers and the users `allowed` names; an empty Q() names everyone (Q() | x would drop it)."""
    if not allowed:
        return users
    return users.filter(managers_q() | allowed).distinct()


class NoPods:
    """The rules when no pods app is installed: pod content is for managers only."""

    def roles(self, user):
        return _NoRoles()

    def readable_q(self, policy, prefix):
        return Q(pk__in=[])

    def can_read_post_place(self, policy, post):
        return False

    def can_know(self, policy, pod):
        return False

    def can_read(self, policy, pod):
        return False

    def filter_known(self, policy, qs):
        return qs if policy.is_manager else qs.none()

    def holds_place(self, policy, pod):
        return False

    def hidden_q(self, policy, field):
        return Q(**{f"{field}__isnull": False})

    def readable_pods_q(self, policy, field):
        return Q(pk__in=[])

    def find(self, slug):
        return None

    def check_can_post(self, policy, pod, **kwargs):
        raise PermissionDenied("Pods are not available.")

    def composer_unlocks(self, policy, pod):
        return NOTHING_UNLOCKED

    def trusted_circle_ids(self, user):
        return frozenset()

    def trusted_circle_members(self, policy):
        return []

    def post_readers_q(self, post):
        return Q(pk__in=[])

    def pod_readers_q(self, pod):
        return Q(pk__in=[])

    def is_steward_invitee(self, policy, invitation):
        return False


class _NoRoles:
    rungs: dict = {}
    stewarded: frozenset = frozenset()
    member_pod_ids: frozenset = frozenset()
    trusted_pod_ids: frozenset = frozenset()

    def is_member(self, pod_id) -> bool:
        return False

    def rung_at_least(self, pod_id, rung) -> bool:
        return False


class NoModeration:
    """The rules when no moderation app is installed: managers only."""

    def scopes(self, user):
        return _ManagerScopes(is_manager(user))

    def can_moderate_item(self, policy, item):
        return policy.is_manager

    def can_see_rule(self, policy, rule):
        return policy.is_manager

    def can_edit_rule(self, policy, rule):
        return policy.is_manager

    def can_assign(self, policy, scope):
        return policy.is_manager

    def can_see_reason(self, policy, reason):
        return policy.is_manager

    def can_edit_reason(self, policy, reason):
        return policy.is_manager

    def can_see_note(self, policy, note):
        return policy.is_manager

    def can_delete_note(self, policy, note):
        return policy.is_manager


class _ManagerScopes:
    def __init__(self, manager: bool):
        self.any = manager
        self.pod_ids: frozenset = frozenset()

    def covers(self, scope) -> bool:
        return self.any


hooks.pod_rules.default = NoPods()
hooks.moderation_rules.default = NoModeration()


# Getting one ------------------------------------------------------------------------------------------

def policy_for(user) -> Policy:
    """The member's policy, memoised on the user object (one per request, one per socket)."""
    if user is None:
        return Policy(None)
    cached = getattr(user, "_policy", None)
    if cached is None:
        cached = Policy(user)
        user._policy = cached
    return cached


def policy_forget(user) -> None:
    """Drop every memoised role of `user` (after a service changed memberships, rungs or scopes)."""
    for attr in ("_policy", "_is_manager", *hooks.policy_caches):
        if hasattr(user, attr):
            delattr(user, attr)
    navcache.forget(getattr(user, "pk", None))  # the navigation bar shows roles too (after commit)


class PolicyMiddleware:
    """Sets `request.policy`, built lazily on first use (a page that asks nothing pays nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.policy = SimpleLazyObject(lambda: policy_for(request.user))
        return self.get_response(request)


# Module-level shortcuts: the user first, as in `check_can_read_post(request.user, post)` ---------------

def _shortcut(name: str):
    def call(user, *args: Any, **kwargs: Any):
        return getattr(policy_for(user), name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = getattr(Policy, name).__doc__
    return call


check_can_act = _shortcut("check_can_act")
check_is_manager = _shortcut("check_is_manager")
check_can_read_post = _shortcut("check_can_read_post")
can_read_post = _shortcut("can_read_post")
filter_posts = _shortcut("filter_posts")
visible_posts = _shortcut("visible_posts")
readable_posts_q = _shortcut("readable_posts_q")
readable_in_place_q = _shortcut("readable_in_place_q")
readable_place_q = _shortcut("readable_place_q")
can_read_content = _shortcut("can_read_content")
can_edit_post = _shortcut("can_edit_post")
composer_unlocks = _shortcut("composer_unlocks")
can_know_pod = _shortcut("can_know_pod")
can_read_pod = _shortcut("can_read_pod")
can_steward = _shortcut("can_steward")
filter_pods = _shortcut("filter_pods")
hidden_pods_q = _shortcut("hidden_pods_q")
check_can_know_pod = _shortcut("check_can_know_pod")
check_can_read_pod = _shortcut("check_can_read_pod")
check_can_steward = _shortcut("check_can_steward")
holds_place = _shortcut("holds_place")
can_see_standing = _shortcut("can_see_standing")
check_can_see_standing = _shortcut("check_can_see_standing")
check_can_post_in_pod = _shortcut("check_can_post_in_pod")
trusted_circle_ids = _shortcut("trusted_circle_ids")
can_see_field = _shortcut("can_see_field")
visible_field_q = _shortcut("visible_field_q")
check_is_moderator = _shortcut("check_is_moderator")
can_moderate_item = _shortcut("can_moderate_item")
check_can_moderate_item = _shortcut("check_can_moderate_item")
filter_queue_items = _shortcut("filter_queue_items")
readable_items_q = _shortcut("readable_items_q")
can_manage_scope = _shortcut("can_manage_scope")
check_can_manage_scope = _shortcut("check_can_manage_scope")
can_see_rule = _shortcut("can_see_rule")
check_can_edit_rule = _shortcut("check_can_edit_rule")
can_assign_moderators = _shortcut("can_assign_moderators")
check_can_assign_moderators = _shortcut("check_can_assign_moderators")
check_can_answer_steward_invitation = _shortcut("check_can_answer_steward_invitation")
readable_comments_q = _shortcut("readable_comments_q")
sees_as_author = _shortcut("sees_as_author")
can_see_removal_reason = _shortcut("can_see_removal_reason")
check_can_edit_removal_reason = _shortcut("check_can_edit_removal_reason")
can_see_moderator_note = _shortcut("can_see_moderator_note")
check_can_see_moderator_note = _shortcut("check_can_see_moderator_note")
check_can_delete_moderator_note = _shortcut("check_can_delete_moderator_note")


def is_moderator(user) -> bool:
    return policy_for(user).is_moderator


def moderator_scopes(user):
    return policy_for(user).scopes


def pod_roles(user):
    return policy_for(user).pods
