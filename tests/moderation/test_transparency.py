"""Public transparency pages: removals by rule and month, time to a decision and appeals, in counts only."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from moderation import transparency
from moderation.models import QueueItem, Rule
from moderation.services import actions
from moderation.services.appeals import appeal_create, appeal_decide
from moderation.services.reports import report_create
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed(pod, steward, member, manager):
    """Two posts removed in the pod, one under a rule; the second appealed and the removal upheld."""
    rule = Rule.objects.create(kind="watched_word", title="No selling animals", scope_kind="pod", pod=pod,
                               settings={"match": "word", "pattern": "sale", "action": "flag"})
    reporter = UserFactory(username="nosy_reporter", date_joined=timezone.now() - timedelta(days=30))
    join(reporter, pod)
    posts = [PostFactory(pod=pod, author=member, body=f"Puppies for sale, secret body {n}") for n in range(2)]
    for post in posts:
        report_create(actor=reporter, post=post, reason="spam")
    first, second = QueueItem.objects.order_by("id")
    QueueItem.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=4))
    actions.item_remove(actor=steward, item_id=first.pk, reason="Selling", rule_id=rule.pk)
    QueueItem.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(hours=2))
    actions.item_remove(actor=steward, item_id=second.pk, reason="Off topic")
    appeal_create(actor=member, text="It was a joke", post=posts[1])
    appeal_item = QueueItem.objects.get(kind="appeal")
    appeal_decide(actor=manager, item_id=appeal_item.pk, grant=False, reason="Still selling")
    return posts


def test_an_anonymous_visitor_sees_an_open_pods_report_in_counts_only(client, pod, removed):
    response = client.get(f"/pods/{pod.slug}/moderation/")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.removal_total == 2
    assert report.rules == [("No selling animals", 1), ("Other moderator decisions", 1)]
    assert [total for _, _, total in report.months] == [2]
    assert (report.decisions, report.median_hours) == (2, 3.0)  # 4 h and 2 h
    assert (report.appeals_upheld, report.appeals_overturned, report.appeals_open) == (1, 0, 0)
    page = response.content.decode()
    assert "No selling animals" in page
    for secret in ("nosy_reporter", "secret body", "steward", "walker", "boss", "It was a joke", "Still selling"):
        assert secret not in page


def test_a_members_only_pod_answers_403_and_an_unknown_one_404(client, removed):
    private = PodFactory(slug="quiet-corner", privacy="request")
    assert client.get(f"/pods/{private.slug}/moderation/").status_code == 403
    assert client.get("/pods/no-such-pod/moderation/").status_code == 404
    member = UserFactory()
    join(member, private)
    client.force_login(member)
    assert client.get(f"/pods/{private.slug}/moderation/").status_code == 200


def test_region_and_commons_reports_count_their_own_places(client, pod, region, removed):
    region_report = client.get(f"/moderation/transparency/regions/{region.slug}/").context["report"]
    assert region_report.removal_total == 2
    commons_report = client.get("/moderation/transparency/").context["report"]
    assert commons_report.removal_total == 0  # both removals were of pod content
    assert client.get("/moderation/transparency/regions/nowhere/").status_code == 404


def test_a_decision_shows_within_a_minute(client, pod, steward, member):
    assert transparency.REPORT_TTL <= 60
    assert client.get(f"/pods/{pod.slug}/moderation/").context["report"].removal_total == 0
    post = PostFactory(pod=pod, author=member, body="Another one")
    report_create(actor=UserFactory(date_joined=timezone.now() - timedelta(days=30)), post=post, reason="spam")
    actions.item_remove(actor=steward, item_id=QueueItem.objects.get().pk, reason="Spam")
    cache.delete(f"moderation:transparency:pod:{pod.pk}")  # what REPORT_TTL seconds do
    assert client.get(f"/pods/{pod.slug}/moderation/").context["report"].removal_total == 1
