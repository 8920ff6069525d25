"""Account lifecycle writes: deletion (personal data removed, threads kept), suspension, activity."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import hooks, navcache, pagecache
from ..models import Follow, Notification, Pet, SavedPost, User
from ..policy import is_manager
from ..streams import close_streams

ACTIVE_TOUCH_INTERVAL = timedelta(minutes=15)  # coarser than this is enough for "active this week"


def files_delete_on_commit(files) -> None:
    """Stored images go only once the rows are gone for good (a rollback must not lose them)."""
    names = [(f.storage, f.name) for f in files if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


@transaction.atomic
def account_delete(*, actor: User, member: User | None = None) -> User:
    """Delete `member` (default: the actor's own account) keeping their posts and comments readable.

    Personal data goes: email addresses, names, bio, avatar, pets (and photos), interests, region,
    follows both ways, notifications, saved posts, pod memberships, join requests. The row stays so threads
    keep their author, shown as "deleted member". Sessions end because the password becomes unusable:
    Django checks each session's password hash on every request.
    """
    member = member or actor
    if member.pk != actor.pk and not is_manager(actor):
        raise PermissionDenied("Only community managers may delete another member's account.")
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.deleted_at:
        return member
    now = timezone.now()
    pets = list(Pet.objects.filter(owner=member))
    files_delete_on_commit([member.avatar, *(p.photo for p in pets)])
    Pet.objects.filter(owner=member).delete()
    member.interests.clear()
    member.groups.clear()
    member.user_permissions.clear()
    Follow.objects.filter(Q(follower=member) | Q(followee=member)).delete()
    Notification.objects.filter(Q(recipient=member)).delete()
    SavedPost.objects.filter(member=member).delete()
    EmailAddress.objects.filter(user=member).delete()
    hooks.member_erased.call(member=member, at=now)  # pods: leave every pod, drop requests
    close_streams(member.pk)  # sessions end on their next request; open websockets end now
    member.username = f"deleted-{member.pk}"
    member.email = member.first_name = member.last_name = member.display_name = member.bio = ""
    member.avatar = ""
    member.region = None
    member.time_zone = "UTC"
    member.email_notification_kinds, member.muted_notification_kinds = [], []
    member.announcement_emails = False
    member.last_active_at = None
    member.is_active = member.is_staff = member.is_superuser = False
    member.deleted_at = now
    member.set_unusable_password()
    member.save()
    pagecache.bump(pagecache.POLICY)  # their name is gone from every shared page that showed it
    return member


def _check_manager(actor: User, member: User) -> None:
    if not is_manager(actor):
        raise PermissionDenied("Only community managers may do this.")
    if member.pk == actor.pk:
        raise PermissionDenied("You cannot suspend yourself.")


@transaction.atomic
def member_suspend(*, actor: User, member: User, days: int = 7) -> User:
    """Read-only for `days`: `check_can_act` refuses writes while `suspended_until` is in the future."""
    _check_manager(actor, member)
    if days < 1:
        raise ValueError("A suspension lasts at least one day.")
    member.suspended_until = timezone.now() + timedelta(days=days)
    member.save(update_fields=["suspended_until"])
    close_streams(member.pk)  # open websockets stop at once (after commit), not at their next reconnect
    return member


@transaction.atomic
def member_unsuspend(*, actor: User, member: User) -> User:
    _check_manager(actor, member)
    member.suspended_until = None
    member.save(update_fields=["suspended_until"])
    return member


def member_touch_active(*, member: User) -> None:
    """Record activity for the directory's "active in the last N days" filter, at most every 15 minutes
    per member (one UPDATE, no read), so it costs nothing on most requests."""
    now = timezone.now()
    if member.last_active_at and now - member.last_active_at < ACTIVE_TOUCH_INTERVAL:
        return
    User.objects.filter(pk=member.pk).filter(
        Q(last_active_at__isnull=True) | Q(last_active_at__lt=now - ACTIVE_TOUCH_INTERVAL)
    ).update(last_active_at=now)
    member.last_active_at = now
    # The processes' kept rows (communities.auth_backend) hold the older time and would come here on every
    # request: whether this UPDATE wrote it or another process's did, they read the row afresh. The UPDATE
    # is its own statement after the view's work (LastActiveMiddleware), so the bump need not wait for a
    # commit; were a stale row read again meanwhile, its next request would come here and bump once more.
    navcache.forget_now(member.pk)
