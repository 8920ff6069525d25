"""Read access to posts and comments, in one place for pages, search, feeds, streams and tasks."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from microgroups.models import Pod
from microgroups.permissions import is_manager, pod_roles

from .models import AnnouncementRecipient, ContentStatus, Post, Visibility


def _addressed_q(user) -> Q:
    """Segmented announcements are for their recipients only (managers see everything)."""
    if not getattr(user, "is_authenticated", False):
        return Q(segment__isnull=True)
    mine = AnnouncementRecipient.objects.filter(member_id=user.pk).values("post_id")
    return Q(segment__isnull=True) | Q(pk__in=mine) | Q(author_id=user.pk)


def readable_posts_q(user) -> Q:
    """Published posts this person may read. Held/removed/deleted posts are handled by callers."""
    roles = pod_roles(user)
    if is_manager(user):
        return Q(status=ContentStatus.PUBLISHED)
    place = (
        (Q(pod__isnull=True) & _addressed_q(user))
        | Q(pod__privacy=Pod.Privacy.OPEN, audience=Post.Audience.EVERYONE)
        | Q(pod_id__in=roles.member_pod_ids, audience=Post.Audience.EVERYONE)
        | Q(pod_id__in=roles.trusted_pod_ids)
    )
    return Q(status=ContentStatus.PUBLISHED) & place


def readable_in_place_q(user, pod=None) -> Q:
    """Published posts of ONE place (the Commons when pod is None) this person may read.

    Same rules as `readable_posts_q`, decided in Python for the place, so the query is plain
    `pod = … AND status = …` and the feed indexes on (pod, status, sort key) serve it; the OR of every
    pod branch in `readable_posts_q` makes PostgreSQL scan and sort the whole table instead.
    """
    from microgroups.permissions import can_read_pod

    published = Q(status=ContentStatus.PUBLISHED)
    if pod is None:
        return published & Q(pod__isnull=True) & (Q() if is_manager(user) else _addressed_q(user))
    if not can_read_pod(user, pod):
        return Q(pk__in=[])
    place = published & Q(pod_id=pod.pk)
    if is_manager(user) or pod.pk in pod_roles(user).trusted_pod_ids:
        return place
    return place & Q(audience=Post.Audience.EVERYONE)


def visible_posts(user) -> QuerySet[Post]:
    return Post.objects.filter(readable_posts_q(user))


def can_read_post(user, post: Post) -> bool:
    """Authors still see their own held posts (with a banner); nobody else sees non-published ones."""
    if post.status == ContentStatus.HELD and getattr(user, "pk", None) == post.author_id:
        return _can_read_place(user, post)
    if post.status != ContentStatus.PUBLISHED:
        return is_manager(user) and post.status != ContentStatus.DELETED
    return _can_read_place(user, post)


def _can_read_place(user, post: Post) -> bool:
    if is_manager(user):
        return True
    if post.pod_id is None:
        return post.segment is None or _is_recipient(user, post)
    roles = pod_roles(user)
    if post.audience == Post.Audience.TRUSTED:
        return post.pod_id in roles.trusted_pod_ids
    return post.pod.privacy == Pod.Privacy.OPEN or roles.is_member(post.pod_id)


def _is_recipient(user, post: Post) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk == post.author_id or AnnouncementRecipient.objects.filter(post=post, member_id=user.pk).exists()


def check_can_read_post(user, post: Post) -> None:
    """Unreadable and nonexistent answer the same 404, so a private post's existence never leaks."""
    if not can_read_post(user, post):
        raise Http404("No post here.")


def check_can_act(user) -> None:
    """Writing needs a verified, active, unsuspended account (reading does not)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to do that.")
    if user.is_suspended:
        raise PermissionDenied("Your account is suspended.")


def trusted_circle_ids(viewer) -> frozenset[int]:
    """Members whose "trusted" profile fields `viewer` may see: active members of a pod where the viewer is
    trusted or a steward. One query, memoised on the viewer, so a page asks it once whatever its length."""
    if not getattr(viewer, "is_authenticated", False):
        return frozenset()
    cached = getattr(viewer, "_trusted_circle", None)
    if cached is None:
        from microgroups.models import Membership, Rung

        vouching = Membership.objects.filter(member_id=viewer.pk, status=Membership.Status.ACTIVE).filter(
            Q(rung=Rung.TRUSTED) | Q(role=Membership.Role.STEWARD)).values("pod_id")
        cached = frozenset(Membership.objects.filter(pod_id__in=vouching, status=Membership.Status.ACTIVE)
                           .values_list("member_id", flat=True))
        viewer._trusted_circle = cached
    return cached


def can_see_field(viewer, member, visibility: str) -> bool:
    """Whether `viewer` may see a profile field of `member` shown at `visibility`.

    everyone: anyone, anonymous included; members: signed-in members; trusted: the member themself, a
    community manager, or someone trusted (or steward) in a pod the member is an active member of.
    """
    if visibility == Visibility.EVERYONE:
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    if visibility == Visibility.MEMBERS or viewer.pk == member.pk or is_manager(viewer):
        return True
    return member.pk in trusted_circle_ids(viewer)
