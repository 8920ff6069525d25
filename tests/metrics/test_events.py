"""Recording impressions and activity: only what a member was shown, once per day, without Redis or with."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Post
from metrics.models import ActivityDay, Impression
from metrics.services import activity_mark, impressions_flush, impressions_record
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def test_impressions_once_per_member_post_and_day_and_only_published():
    member = UserFactory()
    shown = PostFactory()
    held = PostFactory(status="held")
    assert impressions_record(user=member, posts=[shown, held]) == 1
    impressions_record(user=member, posts=[shown])
    impressions_flush()  # with REDIS_URL the page only buffered them; without it this does nothing
    assert list(Impression.objects.values_list("member_id", "post_id", "day")) == [
        (member.pk, shown.pk, timezone.now().date())]


def test_anonymous_visitors_are_not_recorded(client):
    from django.contrib.auth.models import AnonymousUser

    assert impressions_record(user=AnonymousUser(), posts=[PostFactory()]) == 0
    client.get("/")
    assert not Impression.objects.exists() and not ActivityDay.objects.exists()


def test_feed_pages_record_what_they_rendered_only(client):
    member, other = UserFactory(), UserFactory()
    commons_post = PostFactory(author=other)
    open_pod = PodFactory(slug="open-pod")
    closed = PodFactory(slug="closed", privacy="request")
    join(member, open_pod)
    join(other, open_pod, rung="trusted")
    join(other, closed)
    pod_post = PostFactory(author=other, pod=open_pod)
    trusted_only = PostFactory(author=other, pod=open_pod, audience="trusted")
    PostFactory(author=other, pod=closed)
    client.force_login(member)
    assert client.get("/").status_code == 200
    assert client.get("/pods/open-pod/").status_code == 200
    assert client.get("/pods/closed/").status_code == 200  # member of neither: no posts shown
    assert client.get(f"/posts/{commons_post.pk}/").status_code == 200
    impressions_flush()
    seen = set(Impression.objects.filter(member=member).values_list("post_id", "pod_id"))
    assert seen == {(commons_post.pk, None), (pod_post.pk, open_pod.pk)}
    assert trusted_only.pk not in {p for p, _ in seen}


def test_middleware_marks_activity_in_the_page_scope_once_a_day(client):
    member = UserFactory()
    pod = PodFactory(slug="cats")
    join(member, pod)
    pod_post = PostFactory(pod=pod)
    client.force_login(member)
    client.get("/")
    client.get("/pods/cats/")
    client.get(f"/posts/{pod_post.pk}/")
    client.get("/posts/999999/")  # a 404 marks nothing
    today = timezone.now().date()
    assert set(ActivityDay.objects.values_list("member_id", "pod_id", "day")) == {
        (member.pk, None, today), (member.pk, pod.pk, today)}
    with CaptureQueriesContext(connection) as ctx:
        client.get("/pods/cats/")
    assert not [q for q in ctx.captured_queries if "metrics_activityday" in q["sql"]]


def test_unreadable_pod_pages_mark_no_activity(client):
    member = UserFactory()
    secret = PodFactory(slug="secret", privacy="invite", is_unlisted=True)
    client.force_login(member)
    assert client.get(f"/pods/{secret.slug}/").status_code == 404
    assert not ActivityDay.objects.filter(pod=secret).exists()


def test_activity_mark_is_idempotent_across_a_lost_cache(settings):
    from django.core.cache import cache

    member = UserFactory()
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        assert activity_mark(member=member) is True
        assert activity_mark(member=member) is False
        cache.clear()
        assert activity_mark(member=member) is False  # this process still remembers the mark for a minute
    with mock.patch("django.utils.timezone.now", return_value=noon + timedelta(seconds=61)):
        assert activity_mark(member=member) is True  # written again: the unique constraint keeps one row
    assert ActivityDay.objects.count() == 1


def test_activity_mark_asks_the_cache_once_a_minute_per_member_and_scope():
    from django.core.cache import cache

    member, other, pod = UserFactory(), UserFactory(), PodFactory()
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        assert activity_mark(member=member) is True
    with (mock.patch("django.utils.timezone.now", return_value=noon + timedelta(seconds=30)),
          mock.patch.object(cache, "add", wraps=cache.add) as add):
        for _ in range(3):
            assert activity_mark(member=member) is False
        assert add.call_count == 0
        assert activity_mark(member=other) is True  # another member is asked about, and written
        assert activity_mark(member=member, pod_id=pod.pk) is True  # and another scope
        assert add.call_count == 2
    with (mock.patch("django.utils.timezone.now", return_value=noon + timedelta(seconds=61)),
          mock.patch.object(cache, "add", wraps=cache.add) as add):
        assert activity_mark(member=member) is False  # still marked in the cache: asked again, not written
        assert add.call_count == 1
    assert ActivityDay.objects.filter(member=member).count() == 2


def test_backfill_command(world, capsys):
    call_command("metrics_backfill", "--since", "2025-03-03", "--until", "2025-03-09")
    out = capsys.readouterr().out
    assert "rollup rows" in out
    with pytest.raises(CommandError):
        call_command("metrics_backfill", "--since", "yesterday")


def test_rollup_recent_covers_today_and_yesterday(world):
    from metrics.models import MetricRollup
    from metrics.services import rollup_recent

    today = date(2025, 3, 4)  # a Tuesday: yesterday is the week's Monday
    rollup_recent(today=today)
    days = set(MetricRollup.objects.filter(period="day", scope_kind="commons").values_list("start", flat=True))
    assert days == {today - timedelta(days=1), today}
    week = MetricRollup.objects.get(period="week", scope_kind="commons", start=date(2025, 3, 3))
    assert week.days == 2 and week.end == date(2025, 3, 9)


@pytest.mark.services
def test_redis_buffer_is_flushed_once(services_required, settings):
    from metrics.services.events import BUFFER_DAYS_KEY, redis_client

    client = redis_client()
    for key in client.scan_iter("metrics:imp:*"):
        client.delete(key)
    member = UserFactory()
    posts = [PostFactory(), PostFactory()]
    impressions_record(user=member, posts=posts)
    impressions_record(user=member, posts=posts[:1])
    assert not Impression.objects.exists()  # buffered, not written on the request
    assert client.scard(BUFFER_DAYS_KEY) == 1
    Post.objects.filter(pk=posts[1].pk).delete()  # deleted before the flush: dropped
    assert impressions_flush() == 2
    assert list(Impression.objects.values_list("post_id", flat=True)) == [posts[0].pk]
    assert impressions_flush() == 0
