"""Email digests: only what the member can still see, once per member and period, re-checked at send."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communities.models import DigestSent
from communities.services.digests import digest_period, digest_send
from communities.tasks import digests_send
from microgroups.models import Membership, Pod
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db

DAILY = "daily:2026-11-24"


def member(**kwargs):
    return UserFactory(digest_frequency=kwargs.pop("frequency", "daily"), **kwargs)


def test_digest_has_the_commons_and_my_pods_but_not_pods_i_am_not_in():
    me = member()
    mine, open_other = PodFactory(name="Cat Carers", privacy=Pod.Privacy.REQUEST), PodFactory(name="Open Dogs")
    join(me, mine)
    PostFactory(body="Commons news about litter")
    PostFactory(pod=mine, body="Pod news about whiskers")
    PostFactory(pod=open_other, body="Open pod chatter")
    PostFactory(pod=mine, body="Trusted secrets", audience="trusted")
    PostFactory(author=me, body="Something I wrote")
    PostFactory(body="Held thing", status="held")
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is True
    assert len(mail.outbox) == 1
    text = mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert "Commons news about litter" in text and "Pod news about whiskers" in text
    assert "== Cat Carers ==" in text
    for hidden in ("Open pod chatter", "Trusted secrets", "Something I wrote", "Held thing"):
        assert hidden not in text and hidden not in html
    assert mail.outbox[0].to == [me.email]


def test_trusted_members_get_trusted_posts_of_their_pod():
    me = member()
    pod = PodFactory()
    join(me, pod, rung="trusted")
    PostFactory(pod=pod, body="Trusted secrets", audience="trusted")
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY)
    assert "Trusted secrets" in mail.outbox[0].body


def test_running_twice_sends_one_email_per_member_and_period():
    me = member()
    PostFactory(body="Hello")
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is True
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is False
    assert len(mail.outbox) == 1
    assert list(DigestSent.objects.values_list("member_id", "period")) == [(me.pk, DAILY)]
    assert digest_send(member_id=me.pk, frequency="daily", period="daily:2026-11-25") is True
    assert len(mail.outbox) == 2


def test_a_member_removed_from_a_pod_before_the_task_runs_gets_nothing_from_it():
    me = member()
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    join(me, pod)
    PostFactory(pod=pod, body="Private pod post")
    PostFactory(body="Commons post")
    Membership.objects.filter(member=me, pod=pod).update(status=Membership.Status.REMOVED)
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY)
    assert "Private pod post" not in mail.outbox[0].body
    assert "Commons post" in mail.outbox[0].body


def test_nothing_to_say_sends_nothing_and_claims_nothing():
    me = member()
    PostFactory(body="Old news", created_at=timezone.now() - timedelta(days=3))
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is False
    assert mail.outbox == []
    assert DigestSent.objects.count() == 0


def test_a_changed_preference_is_respected_when_the_task_runs():
    me = member(frequency="weekly")
    PostFactory()
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is False
    me.digest_frequency = "off"
    me.save(update_fields=["digest_frequency"])
    assert digest_send(member_id=me.pk, frequency="weekly", period="weekly:2026-W48") is False
    assert mail.outbox == []


def test_a_failed_send_releases_the_claim_so_the_retry_sends(monkeypatch):
    me = member()
    PostFactory()

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(ConnectionError):
        digest_send(member_id=me.pk, frequency="daily", period=DAILY)
    assert DigestSent.objects.count() == 0
    monkeypatch.undo()
    assert digest_send(member_id=me.pk, frequency="daily", period=DAILY) is True


def test_the_task_fans_out_to_daily_members_and_is_idempotent():
    daily = [member(), member()]
    member(frequency="weekly")
    member(frequency="off")
    PostFactory(body="Today")
    assert digests_send.delay("daily").get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in daily)
    digests_send.delay("daily").get()
    assert len(mail.outbox) == 2
    assert DigestSent.objects.count() == 2
    assert digests_send.delay("hourly").get() == 0


def test_period_keys():
    moment = datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert digest_period("daily", moment) == "daily:2026-11-24"
    assert digest_period("weekly", moment) == "weekly:2026-W48"


def test_digest_costs_the_same_queries_for_few_or_many_posts(django_assert_num_queries):
    me = member()
    pods = [PodFactory(), PodFactory()]
    for pod in pods:
        join(me, pod)
    PostFactory(body="one")
    with django_assert_num_queries(8):  # member, claim (4 with savepoints), roles, posts, release
        digest_send(member_id=me.pk, frequency="daily", period=DAILY)
    for pod in pods:
        for _ in range(8):
            PostFactory(pod=pod)
    with django_assert_num_queries(8):  # member, claim (4 with savepoints), roles, posts, release
        digest_send(member_id=me.pk, frequency="daily", period="daily:2026-11-25")
    assert mail.outbox[1].body.count("- ") >= 2 * 5
