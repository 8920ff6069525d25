"""Recompute denormalised counters from source rows (nightly, and by `manage.py counters_sync`)."""

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import Comment, ContentStatus, Post, Reaction, ReactionKind


def _count_subquery(model, fk: str, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(**{fk: OuterRef("pk")}, **filters)
            .order_by().values(fk).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


@transaction.atomic
def counters_sync(*, post_ids: list[int] | None = None) -> int:
    """Set every reaction and comment counter to what the rows say; returns how many posts changed."""
    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=post_ids)
    updates = {f"{kind}_count": _count_subquery(Reaction, "post", kind=kind) for kind in ReactionKind.values}
    updates["reaction_count"] = _count_subquery(Reaction, "post")
    updates["comment_count"] = _count_subquery(Comment, "post", status=ContentStatus.PUBLISHED)
    changed = posts.update(**updates)
    comments = Comment.objects.all() if post_ids is None else Comment.objects.filter(post_id__in=post_ids)
    c_updates = {f"{kind}_count": _count_subquery(Reaction, "comment", kind=kind) for kind in ReactionKind.values}
    c_updates["reaction_count"] = _count_subquery(Reaction, "comment")
    comments.update(**c_updates)
    return changed
