"""Late events: written after the recurring rollup moved past their day, counted after one more run.

Every event marks its (scope, day) dirty (the Commons or pod, and the region of the member behind it),
and the next run recomputes that day, its ISO week and its 28-day window, then clears the mark.
Runs on SQLite under `make test` and on PostgreSQL under `make test-services`.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from communities import hooks
from communities.models import Comment, Post, Reaction
from communities.services.comments import comment_delete
from communities.services.posts import post_delete
from communities.services.reactions import reaction_toggle
from metrics.models import DirtyDay, MetricRollup
from metrics.periods import period_start
from metrics.services import impressions_flush, rollup_period, rollup_recent
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def _when(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), time(12), tzinfo=UTC)


def _rows(day, scope_kind="commons", scope_id=0) -> dict[str, MetricRollup]:
    """The day, week and 28-day rows holding `day` for one scope."""
    return {kind: MetricRollup.objects.get(scope_kind=scope_kind, scope_id=scope_id, period=kind,
                                           start=period_start(kind, day))
            for kind in ("day", "week", "d28")}


def _rolled_up(day) -> None:
    """The recurring rollup has been through `day`: its day, week and window are computed, no marks left."""
    for kind in ("day", "week", "d28"):
        rollup_period(period=kind, start=period_start(kind, day))
    rollup_recent()
    assert not DirtyDay.objects.exists()


def _written(*, author, pod=None, days_ago: int, body="Biscuit slept through the fireworks!") -> Post:
    """A post as an importer or generator writes it: dated in the past, its activity marked through the hook."""
    post = Post.objects.create(author=author, pod=pod, body=body, created_at=_when(days_ago), status="published")
    hooks.contribution(member_id=author.pk, pod_id=post.pod_id, at=post.created_at)
    return post


def test_a_comment_dated_ten_days_back_lands_in_its_day_week_and_window_after_one_run():
    author, commenter = UserFactory(), UserFactory()
    post = _written(author=author, days_ago=12)
    day = _when(10).date()
    _rolled_up(day)
    before = _rows(day)
    assert [before[k].comments for k in ("day", "week", "d28")] == [0, 0, 0]

    comment = Comment.objects.create(post=post, author=commenter, body="So glad!", created_at=_when(10))
    hooks.contribution(member_id=commenter.pk, pod_id=None, at=comment.created_at)
    assert list(DirtyDay.objects.values_list("scope_kind", "scope_id", "day")) == [("commons", 0, day)]

    rollup_recent()
    after = _rows(day)
    assert [after[k].comments for k in ("day", "week", "d28")] == [1, 1, 1]
    assert after["day"].contributors == 1 and after["day"].active_members == 1  # the commenter, active that day
    assert after["week"].contributors == after["week"].active_members == 2  # the author wrote in that week too
    assert not DirtyDay.objects.exists()

    rollup_recent()  # idempotent: nothing left to do, the same numbers
    again = _rows(day)
    assert [again[k].comments for k in ("day", "week", "d28")] == [1, 1, 1]


def test_a_post_from_last_month_deleted_today_leaves_its_day_week_and_window():
    author = UserFactory()
    pod = PodFactory()
    join(author, pod)
    post = _written(author=author, pod=pod, days_ago=33)
    day = post.created_at.date()
    _rolled_up(day)
    before = _rows(day, "pod", pod.pk)
    assert [before[k].posts for k in ("day", "week", "d28")] == [1, 1, 1]

    post_delete(actor=author, post=post)
    assert list(DirtyDay.objects.values_list("scope_kind", "scope_id", "day")) == [("pod", pod.pk, day)]
    rollup_recent()
    after = _rows(day, "pod", pod.pk)
    assert [after[k].posts for k in ("day", "week", "d28")] == [0, 0, 0]
    assert after["day"].active_members == 1  # the author was still there that day
    assert not DirtyDay.objects.exists()


def test_marks_made_while_a_rollup_runs_survive_it(monkeypatch):
    """A mark renewed after the run began (a later `marked_at`) is left for the next run."""
    author = UserFactory()
    _written(author=author, days_ago=9)
    from metrics.services import backfill

    real = backfill._recompute_days

    def slow(days, today):
        out = real(days, today)
        DirtyDay.objects.filter(day=_when(9).date()).update(marked_at=timezone.now() + timedelta(seconds=5))
        return out

    monkeypatch.setattr(backfill, "_recompute_days", slow)
    rollup_recent()
    assert DirtyDay.objects.filter(day=_when(9).date()).count() == 1


@pytest.mark.services
def test_an_impression_flushed_days_late_lands_in_its_day_week_and_window(services_required):
    from metrics.services.events import BUFFER_DAYS_KEY, _buffer_key, redis_client

    author, reader = UserFactory(), UserFactory()
    post = _written(author=author, days_ago=6)
    day = _when(4).date()
    _rolled_up(day)
    assert _rows(day)["day"].impressions == 0
    client = redis_client()
    client.delete(BUFFER_DAYS_KEY, _buffer_key(day))
    # A page rendered four days ago buffered the impression; its flush never ran until now.
    client.sadd(_buffer_key(day), f"{reader.pk}:{post.pk}:0")
    client.sadd(BUFFER_DAYS_KEY, day.isoformat())
    assert impressions_flush() == 1
    assert DirtyDay.objects.filter(scope_kind="commons", day=day).exists()
    rollup_recent()
    after = _rows(day)
    assert [after[k].impressions for k in ("day", "week", "d28")] == [1, 1, 1]
    assert after["day"].unique_reach == 1
    assert settings.REDIS_URL


def test_a_reaction_taken_back_today_leaves_the_day_it_was_made():
    author, fan = UserFactory(), UserFactory()
    post = _written(author=author, days_ago=12)
    day = _when(10).date()
    Reaction.objects.create(post=post, member=fan, kind="paw", created_at=_when(10))
    _rolled_up(day)
    assert [_rows(day)[k].reactions for k in ("day", "week", "d28")] == [1, 1, 1]

    assert reaction_toggle(actor=fan, kind="paw", post=post) is False  # taken back
    assert list(DirtyDay.objects.values_list("scope_kind", "scope_id", "day")) == [("commons", 0, day)]
    rollup_recent()
    assert [_rows(day)[k].reactions for k in ("day", "week", "d28")] == [0, 0, 0]
    assert not DirtyDay.objects.exists()


def test_a_comment_deleted_today_leaves_its_day_its_reactions_days_and_its_posts_reply_figures():
    """The comment counted on its day; its reactions on theirs; and as the first reply on the post's day."""
    author, commenter, fan = UserFactory(), UserFactory(), UserFactory()
    post = _written(author=author, days_ago=12)
    comment = Comment.objects.create(post=post, author=commenter, body="So glad!", created_at=_when(12) + timedelta(
        hours=2), status="published")
    Reaction.objects.create(comment=comment, member=fan, kind="paw", created_at=_when(8))
    post_day, reaction_day = _when(12).date(), _when(8).date()
    _rolled_up(post_day)
    _rolled_up(reaction_day)
    assert (_rows(post_day)["day"].comments, _rows(post_day)["day"].posts_replied_24h) == (1, 1)
    assert _rows(post_day)["day"].median_reply_seconds == pytest.approx(7200, abs=1)
    assert _rows(reaction_day)["day"].reactions == 1

    comment_delete(actor=commenter, comment=comment)
    assert sorted(DirtyDay.objects.values_list("day", flat=True)) == [post_day, reaction_day]
    rollup_recent()
    assert (_rows(post_day)["day"].comments, _rows(post_day)["day"].posts_replied_24h) == (0, 0)
    assert _rows(post_day)["day"].median_reply_seconds is None
    assert [_rows(reaction_day)[k].reactions for k in ("day", "week", "d28")] == [0, 0, 0]
    assert not DirtyDay.objects.exists()


def test_a_comment_from_today_deleted_marks_its_older_posts_day_for_the_reply_figures():
    """Today's own day is marked too: the recurring rollup recomputes only marked days."""
    author, commenter = UserFactory(), UserFactory()
    post = _written(author=author, days_ago=5)
    comment = Comment.objects.create(post=post, author=commenter, body="Late reply", status="published")
    DirtyDay.objects.all().delete()
    comment_delete(actor=commenter, comment=comment)
    assert sorted(DirtyDay.objects.values_list("day", flat=True)) == [_when(5).date(), _when(0).date()]


def test_a_post_deleted_today_leaves_the_days_of_its_comments_and_reactions():
    author, commenter = UserFactory(), UserFactory()
    post = _written(author=author, days_ago=20)
    comment = Comment.objects.create(post=post, author=commenter, body="Hi", created_at=_when(15), status="published")
    Reaction.objects.create(comment=comment, member=author, kind="paw", created_at=_when(9))
    Reaction.objects.create(post=post, member=commenter, kind="paw", created_at=_when(7))
    post_delete(actor=author, post=post)
    assert sorted(DirtyDay.objects.values_list("day", flat=True)) == [_when(d).date() for d in (20, 15, 9, 7)]
