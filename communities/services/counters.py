"""Denormalised counters: F() updates used by the services, and the repair that recomputes them
from source rows (nightly Celery task `communities.tasks.counters_sync` and `manage.py counters_sync`)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Log
from django.utils import timezone

from ..models import Comment, ContentStatus, Post, Reaction, ReactionKind
from ..ranking import COMMENT_WEIGHT, EPOCH, HALF_LIFE_SECONDS, hot_score

REACTION_FIELDS = [f"{kind}_count" for kind in ReactionKind.values] + ["reaction_count"]


def hot_score_expression(*, created_at: datetime, reaction_delta: int = 0, comment_delta: int = 0):
    """`ranking.hot_score` as SQL over the row's counters *before* this UPDATE applies its deltas, so a
    counter change and its score land in one statement (no read-modify-write race between reactors)."""
    engagement = (F("reaction_count") + reaction_delta) + COMMENT_WEIGHT * (F("comment_count") + comment_delta)
    order = Log(Value(10.0), Cast(Greatest(engagement, Value(1)), FloatField()))
    age = (created_at - EPOCH).total_seconds() / HALF_LIFE_SECONDS
    return Cast(order, FloatField()) + Value(age, output_field=FloatField())


def bump(value: F | str, delta: int):
    """F() + delta that never goes below zero (a drifted counter must not break a delete)."""
    expr = F(value) if isinstance(value, str) else value
    return Greatest(expr + delta, Value(0)) if delta < 0 else expr + delta


def _count_subquery(model, fk: str, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(**{fk: OuterRef("pk")}, **filters)
            .order_by().values(fk).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _reaction_truth(fk: str) -> dict:
    truth = {f"{kind}_count": _count_subquery(Reaction, fk, kind=kind) for kind in ReactionKind.values}
    truth["reaction_count"] = _count_subquery(Reaction, fk)
    return truth


def _repair(qs, truth: dict) -> list[int]:
    """Rewrite only the rows whose stored counters differ from the truth; returns their ids."""
    annotated = qs.annotate(**{f"true_{name}": expr for name, expr in truth.items()})
    drift = Q()
    for name in truth:
        drift |= ~Q(**{name: F(f"true_{name}")})
    ids = list(annotated.filter(drift).values_list("pk", flat=True))
    if ids:
        qs.model.objects.filter(pk__in=ids).update(**truth)
    return ids


def pod_model():
    """The pods app's model, reached through `Post.pod` (a lazy "microgroups.Pod" reference, not an import):
    a post's pod keeps its published-post counter."""
    return Post._meta.get_field("pod").related_model


@dataclass
class RepairReport:
    post_ids: list[int] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    pod_ids: list[int] = field(default_factory=list)


@transaction.atomic
def counters_sync(*, post_ids: list[int] | None = None) -> RepairReport:
    """Set every reaction, comment and pod post counter to what the rows say, and re-score the posts
    whose counters were wrong (only those: untouched posts are never re-ranked)."""
    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=post_ids)
    truth = _reaction_truth("post")
    truth["comment_count"] = _count_subquery(Comment, "post", status=ContentStatus.PUBLISHED)
    report = RepairReport(post_ids=_repair(posts, truth))
    comments = Comment.objects.all() if post_ids is None else Comment.objects.filter(post_id__in=post_ids)
    report.comment_ids = _repair(comments, _reaction_truth("comment"))
    if post_ids is None:
        report.pod_ids = _repair(pod_model().objects.all(),
                                 {"post_count": _count_subquery(Post, "pod", status=ContentStatus.PUBLISHED)})
    hot_rescore(post_ids=report.post_ids)
    return report


def hot_rescore(*, post_ids: list[int]) -> int:
    """Recompute hot_score from the stored counters for these posts (a bounded, recent set)."""
    posts = list(Post.objects.filter(pk__in=post_ids).only("pk", "reaction_count", "comment_count", "created_at",
                                                           "hot_score"))
    changed = []
    for post in posts:
        score = hot_score(reaction_count=post.reaction_count, comment_count=post.comment_count,
                          created_at=post.created_at)
        if abs(score - post.hot_score) > 1e-6:
            post.hot_score = score
            changed.append(post)
    Post.objects.bulk_update(changed, ["hot_score"], batch_size=1000)
    return len(changed)


def recent_counters_refresh(*, minutes: int = 15) -> int:
    """Repair and re-score only posts whose reactions or comments changed in the last `minutes`:
    a bounded set, so the periodic task never walks (or re-ranks) the whole table."""


    since = timezone.now() - timedelta(minutes=minutes)
    touched = set(Reaction.objects.filter(created_at__gte=since, post__isnull=False).values_list("post_id", flat=True))
    touched |= set(Reaction.objects.filter(created_at__gte=since, comment__isnull=False)
                   .values_list("comment__post_id", flat=True))
    touched |= set(Comment.objects.filter(created_at__gte=since).values_list("post_id", flat=True))
    if not touched:
        return 0
    ids = sorted(touched)
    counters_sync(post_ids=ids)
    return hot_rescore(post_ids=ids)
