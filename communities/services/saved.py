"""Saved posts: a member keeps posts to read later. Private: nobody else learns who saved what.

Saving needs only what reading needs (a post the member may not read is a 404, as everywhere), so it is
open to every signed-in member, suspended ones too: a bookmark adds nothing anyone else sees. Both calls
are idempotent. What `/saved/` lists is decided when it is read (`selectors.saved_posts_page`), through
the policy, so a post that later became unreadable drops out of the list by itself.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from .. import memberpages
from ..models import Post, SavedPost
from ..policy import check_can_read_post


def _check_can_save(actor, post: Post) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to save posts.")
    check_can_read_post(actor, post)


@transaction.atomic
def saved_post_create(*, actor, post: Post) -> SavedPost:
    """Save `post` for `actor`; saving it again keeps the first save (and its place in the list)."""
    _check_can_save(actor, post)
    memberpages.forget(actor.pk)  # the card's "Saved" on their kept pages
    existing = SavedPost.objects.filter(member=actor, post=post).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SavedPost.objects.create(member=actor, post=post)
    except IntegrityError:  # a double click raced us: one save
        return SavedPost.objects.get(member=actor, post=post)


@transaction.atomic
def saved_post_delete(*, actor, post: Post) -> bool:
    """Take `post` out of `actor`'s saved posts. False when it was not saved."""
    _check_can_save(actor, post)
    memberpages.forget(actor.pk)
    deleted, _ = SavedPost.objects.filter(member=actor, post=post).delete()
    return bool(deleted)
